"""The simulated clock: while it runs, the service's 'now' is its time, moved only forward."""

from datetime import UTC, datetime, timedelta

import pytest

from service.core.clock import SimulatedClock, simulated, utcnow


def test_the_service_reads_the_simulated_clock_while_it_runs():
    start = datetime(2020, 3, 2, 8, tzinfo=UTC)
    with simulated(SimulatedClock(start)) as clock:
        assert utcnow() == start
        clock.advance(timedelta(days=40))
        assert utcnow() == start + timedelta(days=40)
        clock.move_to(start)  # never back
        assert utcnow() == start + timedelta(days=40)
        with pytest.raises(RuntimeError), simulated(SimulatedClock(start)):
            pass
    assert utcnow().year > 2020


def test_an_app_with_the_simulated_clock_takes_each_requests_time_from_its_header(
    monkeypatch: pytest.MonkeyPatch,
):
    """The replay over HTTP (``simulate.http``): a request's X-Simulated-Now is 'now' for
    that request only, in an app made with ``HEARING_SIMULATED_CLOCK``."""
    from fastapi.testclient import TestClient

    from service.core.clock import told
    from service.core.settings import get_settings
    from service.main import create_app

    moment = datetime(2020, 9, 15, 10, 30, tzinfo=UTC)
    with told(moment):
        assert utcnow() == moment
    assert utcnow().year > 2020
    monkeypatch.setenv("HEARING_SIMULATED_CLOCK", "true")
    get_settings.cache_clear()
    try:
        app = create_app()
    finally:
        monkeypatch.delenv("HEARING_SIMULATED_CLOCK")
        get_settings.cache_clear()

    @app.get("/now-for-test")
    def now_for_test() -> str:
        return utcnow().isoformat()

    app.router.routes.insert(0, app.router.routes.pop())  # before the catch-all routes
    with TestClient(app) as client:
        said = client.get("/now-for-test", headers={"X-Simulated-Now": moment.isoformat()})
        plain = client.get("/now-for-test")
    assert said.json() == moment.isoformat()
    assert not plain.json().startswith("2020")
