"""UTC time in one place, so tests and jobs agree on 'now'.

A replay (``service/simulate``) may put a :class:`SimulatedClock` in charge for a while
(``simulated``): every ``utcnow()`` of the service then reads it, so terms, reminders and
sweeps run as they would over months, in seconds. Over HTTP (``hearing simulate
taskforce --http``) each request tells its moment instead (``told``, set by the
``SimulatedNow`` middleware, which only an app with ``simulated_clock`` installs)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta


class SimulatedClock:
    """A clock that stands still until moved; it never goes back."""

    def __init__(self, start: datetime) -> None:
        self.now = as_utc(start)

    def advance(self, delta: timedelta) -> datetime:
        return self.move_to(self.now + delta)

    def move_to(self, moment: datetime) -> datetime:
        self.now = max(self.now, as_utc(moment))
        return self.now


_simulated: SimulatedClock | None = None
# The moment a replay's request said it is (one request, one moment; per task and thread).
_told: ContextVar[datetime | None] = ContextVar("told", default=None)


def utcnow() -> datetime:
    if _simulated is not None:
        return _simulated.now
    return _told.get() or datetime.now(UTC)


@contextmanager
def told(moment: datetime) -> Iterator[datetime]:
    """Let ``moment`` be 'now' for the code inside the block (a replay's request)."""
    token = _told.set(as_utc(moment))
    try:
        yield moment
    finally:
        _told.reset(token)


@contextmanager
def simulated(clock: SimulatedClock) -> Iterator[SimulatedClock]:
    """Let ``clock`` tell the time inside the block (one process, one clock at a time)."""
    global _simulated
    if _simulated is not None:
        raise RuntimeError("a simulated clock already runs")
    _simulated = clock
    try:
        yield clock
    finally:
        _simulated = None


def as_utc(moment: datetime) -> datetime:
    """Aware UTC: converts other offsets; SQLite hands back naive datetimes stored as UTC."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
