"""The event log: one row per transition, and the timeline read back from it."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.models.cases import Case, CaseEventRow


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
