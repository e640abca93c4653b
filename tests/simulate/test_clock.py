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
