"""The decision queue, claiming, coordinator consultations and the outcome."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service import procedure
from service.core.actor import Actor
from service.core.clock import utcnow
from service.decisions.exceptions import MotiveNotRaised, NotYourClaim, NotYourSpecialism
from service.decisions.schemas import Outcome
from service.models.cases import Case, CaseEventRow
from service.models.decisions import Consultation, Decision
from service.workflow import LEFT_TRACK, TERMINAL_STATES, CaseEvent, CaseState, WorkflowError

OUTCOME_EVENT = {
    Outcome.DECIDED_ON_FORM: CaseEvent.DECIDE_ON_FORM,
    Outcome.PHYSICAL_HEARING_REQUIRED: CaseEvent.ORDER_PHYSICAL_HEARING,
}


def queue(db: Session, limit: int) -> Sequence[Case]:
    """Complete files waiting for an officer, longest waiting first."""
    return db.scalars(
        select(Case)
        .options(selectinload(Case.signals))
        .where(Case.state == CaseState.READY_FOR_DECISION)
        .order_by(Case.ready_at)
        .limit(limit)
    ).all()


def claim(db: Session, case: Case, officer: Actor) -> None:
    procedure.advance(db, case, CaseEvent.CLAIM, officer, "claimed for decision")
    case.claimed_by_id = officer.user_id


def _require_claimant(case: Case, officer: Actor) -> None:
    if case.state == CaseState.CLAIMED and case.claimed_by_id != officer.user_id:
        raise NotYourClaim("Another officer has claimed this case.")


def release(db: Session, case: Case, officer: Actor) -> None:
    _require_claimant(case, officer)
    procedure.advance(db, case, CaseEvent.RELEASE, officer, "released back to the queue")
    case.claimed_by_id = None


def record_consultation(
    db: Session, case: Case, coordinator: Actor, motive: str, advice: str
) -> Consultation:
    if coordinator.specialism != motive:
        raise NotYourSpecialism(
            f"Only the {motive} coordinator records a consultation on that motive."
        )
    if motive not in case.coordinator_motives:
        raise MotiveNotRaised(f"The case does not raise the motive '{motive}'.")
    if case.state in TERMINAL_STATES:
        raise WorkflowError(f"The case is {case.state}; consultations are closed.")
    consultation = Consultation(
        case_id=case.id, coordinator_id=coordinator.user_id, motive=motive, advice=advice
    )
    db.add(consultation)
    db.flush()
    return consultation


def consultations_of(db: Session, case: Case) -> Sequence[Consultation]:
    return db.scalars(
        select(Consultation)
        .where(Consultation.case_id == case.id)
        .order_by(Consultation.recorded_at)
    ).all()


def _claimed_at(db: Session, case: Case) -> datetime:
    """When the deciding officer claimed the file (the workflow only decides claimed cases)."""
    claimed = db.scalars(
        select(CaseEventRow.at)
        .where(CaseEventRow.case_id == case.id, CaseEventRow.event == CaseEvent.CLAIM.value)
        .order_by(CaseEventRow.id.desc())
    ).first()
    assert claimed is not None, "a decided case was claimed first"
    return claimed


def decide(db: Session, case: Case, officer: Actor, outcome: Outcome, reason: str) -> Decision:
    _require_claimant(case, officer)
    consulted = frozenset(c.motive for c in consultations_of(db, case))
    procedure.advance(
        db, case, OUTCOME_EVENT[outcome], officer, reason, consulted_motives=consulted
    )
    claimed_at = _claimed_at(db, case)
    decision = Decision(
        case_id=case.id,
        officer_id=officer.user_id,
        outcome=outcome,
        reason=reason,
        claimed_at=claimed_at,
        decided_at=utcnow(),
    )
    case.claimed_by_id = None
    db.add(decision)
    db.flush()
    return decision


@procedure.on_enter(*LEFT_TRACK)
def _end_claim(db: Session, move: procedure.Move) -> None:
    """A case that leaves the written track is no longer any officer's to decide."""
    case = db.get_one(Case, move.case_id)
    case.claimed_by_id = None


def awaiting_consultation(db: Session, coordinator: Actor, limit: int = 200) -> list[Case]:
    """Files before decision that raise the coordinator's motive and lack their advice."""
    waiting = db.scalars(
        select(Case)
        .where(Case.state.in_([CaseState.READY_FOR_DECISION, CaseState.CLAIMED]))
        .order_by(Case.ready_at)
    ).all()
    motive = coordinator.specialism
    consulted = set(
        db.scalars(select(Consultation.case_id).where(Consultation.motive == motive)).all()
    )
    return [c for c in waiting if motive in c.coordinator_motives and c.id not in consulted][:limit]
