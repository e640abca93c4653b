"""The event log: one row per transition, and the timeline read back from it."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.models.cases import Case, CaseEventRow
from service.workflow import DECIDED_STATES

DECIDED = {s.value for s in DECIDED_STATES}


def record_event(
    db: Session, case: Case, event: str, from_state: str | None, actor: Actor, reason: str
) -> CaseEventRow:
    row = CaseEventRow(
        case_id=case.id,
        event=event,
        from_state=from_state,
        to_state=case.state,
        actor_id=actor.user_id,
        actor_role=actor.role,
        at=utcnow(),
        reason=reason,
    )
    db.add(row)
    return row


def timeline(db: Session, case_id: uuid.UUID) -> Sequence[CaseEventRow]:
    query = select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id)
    return db.scalars(query).all()


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
