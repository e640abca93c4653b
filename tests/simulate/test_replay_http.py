"""The replay over HTTP (``--processes``, the load test): two app processes on one
PostgreSQL database, driven through the JSON API on the replay's simulated clock, give
the same run as the replay in one process for the same seed. PostgreSQL is required
(under CI=true its absence fails the test; locally it skips)."""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service.cli import run_migrations
from service.core.db import make_engine
from service.core.settings import Settings
from service.main import app
from service.models import ApiToken, Case
from service.simulate.http import app_processes
from service.simulate.taskforce import Result, replay
from tests.conftest import POSTGRES_URL, require_server

SCALE = 0.01  # 153 cases, a dozen written hearings: the smallest run with every group


@pytest.fixture
def postgres_urls() -> Iterator[list[str]]:
    """Two fresh, migrated PostgreSQL databases (one per replay), dropped afterwards."""
    base = make_url(POSTGRES_URL)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    names = [f"replay_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        require_server("PostgreSQL", False, str(exc).splitlines()[0])
    urls = [base.set(database=name).render_as_string(hide_password=False) for name in names]
    try:
        for url in urls:
            run_migrations(url)
        yield urls
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def replayed(url: str, doors: list[str]) -> tuple[Result, int, int]:
    """The replay on ``url`` (over HTTP when ``doors``), with its cases and tokens."""
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            result = replay(db, seed=3, scale=SCALE, urls=doors)
            db.commit()
            cases = db.scalar(select(func.count()).select_from(Case)) or 0
            tokens = db.scalar(select(func.count()).select_from(ApiToken)) or 0
    finally:
        engine.dispose()
    return result, cases, tokens


def test_over_http_on_two_app_processes_the_replay_is_the_same_run(
    postgres_urls: list[str], tmp_path
):
    in_process, cases, _ = replayed(postgres_urls[0], [])
    with app_processes(2, postgres_urls[1], str(tmp_path)) as doors:
        over_http, cases_http, tokens = replayed(postgres_urls[1], doors)
    assert over_http.table == in_process.table  # the report, row for row
    assert over_http.period == in_process.period
    assert over_http.ended == in_process.ended  # the app processes kept the replay's time
    assert over_http.sweeps == in_process.sweeps
    assert (over_http.actions, cases_http) == (in_process.actions, cases)
    assert over_http.table[-1].held > 0
    # The steps went through the API, as the roles that take them: one request at least
    # per action on a case, with a token per member of staff (the applicants' from the
    # kiosk login).
    assert in_process.requests == 0
    assert over_http.requests >= over_http.table[-1].invited * 2
    assert tokens > 0


def test_only_an_app_with_the_simulated_clock_lets_a_request_tell_the_time():
    """Nobody may set the service's clock: production refuses the setting, and the app
    without it has no middleware that reads X-Simulated-Now."""
    with pytest.raises(ValueError, match="SIMULATED_CLOCK"):
        Settings(
            env="production",
            simulated_clock=True,
            secret_key="x" * 20 + "".join(chr(65 + i) for i in range(26)),
            data_keys="k",
        )
    assert "SimulatedNow" not in {m.cls.__name__ for m in app.user_middleware}  # type: ignore[attr-defined]
