"""Measurements read from the event log: throughput per stage and handling time."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from service.core.clock import utcnow
from service.models.cases import CaseEventRow
from service.workflow import DECIDED_STATES

DECIDED = {s.value for s in DECIDED_STATES}


@dataclass(frozen=True)
class Stage:
    state: str
    entered_at: datetime
    left_at: datetime | None

    @property
    def hours(self) -> float:
        end = self.left_at or utcnow()
        return round((end - self.entered_at).total_seconds() / 3600, 2)


@dataclass(frozen=True)
class Measurements:
    """Throughput (calendar) and handling (officer effort) time, read from the event log."""

    stages: list[Stage]
    invited_at: datetime | None
    decided_at: datetime | None
    decision_handling_minutes: float | None

    @property
    def throughput_days(self) -> float | None:
        if self.invited_at is None:
            return None
        end = self.decided_at or utcnow()
        return round((end - self.invited_at).total_seconds() / 86400, 2)


def measure(events: Sequence[CaseEventRow]) -> Measurements:
    stages = [
        Stage(e.to_state, e.at, events[i + 1].at if i + 1 < len(events) else None)
        for i, e in enumerate(events)
    ]
    invited = next((e.at for e in events if e.event == "invite"), None)
    decided = next((e for e in reversed(events) if e.to_state in DECIDED), None)
    claimed = next((e for e in reversed(events) if e.event == "claim"), None)
    handling = None
    if decided and claimed:
        handling = round((decided.at - claimed.at).total_seconds() / 60, 1)
    return Measurements(stages, invited, decided.at if decided else None, handling)
