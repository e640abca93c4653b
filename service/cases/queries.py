"""Reading cases: lists within what the actor may see, and the timeline."""

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from service.cases.access import visible_cases
from service.core.actor import Actor
from service.models.cases import Case, CaseEventRow
from service.workflow import CaseState


def list_cases(
    db: Session, actor: Actor, state: CaseState | None, limit: int, offset: int
) -> Sequence[Case]:
    query = visible_cases(actor).options(selectinload(Case.signals))
    if state:
        query = query.where(Case.state == state)
    return db.scalars(
        query.order_by(Case.date_of_application, Case.v_number).limit(limit).offset(offset)
    ).all()


def timeline(db: Session, case_id: uuid.UUID) -> Sequence[CaseEventRow]:
    query = select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id)
    return db.scalars(query).all()


def counts_by_state(db: Session) -> list[tuple[CaseState, int]]:
    """How many cases are in each state, in the order of the procedure."""
    found = dict(db.execute(select(Case.state, func.count()).group_by(Case.state)).all())
    return [(state, found[state]) for state in CaseState if state in found]
