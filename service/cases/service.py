"""Cases: creation, access, signals, and the one place that changes a case's state."""

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.audit.service import record_event
from service.cases.exceptions import CaseNotFound, DuplicateCase, UnknownLawyer
from service.cases.schemas import CaseIn, SignalIn
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.errors import Forbidden
from service.core.settings import get_settings
from service.models.auth import Role, User
from service.models.cases import Case, Signal
from service.models.decisions import Consultation
from service.models.invitations import Invitation, InvitationStatus
from service.models.sessions import Booking
from service.models.translation import Translation
from service.workflow import (
    OPEN_STATES,
    CaseEvent,
    CaseFacts,
    CaseState,
    Track,
    transition,
)

# Milestone column stamped when a case enters a state.
MILESTONES: dict[CaseState, str] = {
    CaseState.SCREENED: "screened_at",
    CaseState.INVITED: "invited_at",
    CaseState.CONSENTED: "consented_at",
    CaseState.SCHEDULED: "scheduled_at",
    CaseState.SUBMITTED: "submitted_at",
    CaseState.TRANSLATED: "translated_at",
    CaseState.READY_FOR_DECISION: "ready_at",
    CaseState.DECIDED_ON_FORM: "decided_at",
    CaseState.PHYSICAL_HEARING_REQUIRED: "decided_at",
}


def facts_for(db: Session, case: Case, **overrides: object) -> CaseFacts:
    consulted = db.scalars(select(Consultation.motive).where(Consultation.case_id == case.id)).all()
    facts = CaseFacts(
        track=Track(case.track) if case.track else None,
        has_active_signal=bool(case.signals),
        coordinator_motives=frozenset(case.coordinator_motives),
        consulted_motives=frozenset(consulted),
    )
    return replace(facts, **overrides)  # type: ignore[arg-type]


def advance(
    db: Session,
    case: Case,
    event: CaseEvent,
    actor: Actor,
    reason: str = "",
    **facts: object,
) -> CaseState:
    """Move ``case`` by ``event`` if the workflow allows it, and log the event."""
    source = CaseState(case.state)
    target = transition(source, event, facts_for(db, case, **facts))
    case.state = target
    column = MILESTONES.get(target)
    if column:
        setattr(case, column, utcnow())
    record_event(db, case, event.value, source.value, actor, reason)
    if target in (CaseState.WITHDRAWN, CaseState.EXCLUDED):
        _release_holds(db, case)
    db.flush()
    return target


def _release_holds(db: Session, case: Case) -> None:
    """Leaving the written track frees the seat, closes the invitation and any claim."""
    now = utcnow()
    for invitation in db.scalars(
        select(Invitation).where(
            Invitation.case_id == case.id, Invitation.status == InvitationStatus.OPEN
        )
    ):
        invitation.status = InvitationStatus.CANCELLED
        invitation.replied_at = now
    for booking in db.scalars(
        select(Booking).where(Booking.case_id == case.id, Booking.cancelled_at.is_(None))
    ):
        booking.cancelled_at = now
    case.claimed_by_id = None


# --- access -------------------------------------------------------------------------------


def visible_cases(actor: Actor) -> Select[Case]:
    """The cases ``actor`` may see: lawyers their clients', translators their agency's."""
    query = select(Case)
    if actor.is_(Role.LAWYER):
        return query.where(Case.lawyer_id == actor.user_id)
    if actor.is_(Role.TRANSLATOR):
        assigned = select(Translation.case_id).where(Translation.agency == actor.organisation)
        return query.where(Case.id.in_(assigned))
    if actor.is_(Role.APPLICANT):
        return query.where(Case.id == actor.case_id)
    return query


def get_case(db: Session, case_id: uuid.UUID, actor: Actor) -> Case:
    """Load a case the actor may see; others get 404 so existence does not leak."""
    case = db.scalars(visible_cases(actor).where(Case.id == case_id)).first()
    if case is None:
        raise CaseNotFound(f"No case {case_id} that you may see.")
    return case


def get_case_by_v_number(db: Session, v_number: str, actor: Actor) -> Case:
    case = db.scalars(visible_cases(actor).where(Case.v_number == v_number)).first()
    if case is None:
        raise CaseNotFound(f"No case with V-number {v_number} that you may see.")
    return case


def list_cases(
    db: Session, actor: Actor, state: CaseState | None, limit: int, offset: int
) -> Sequence[Case]:
    query = visible_cases(actor)
    if state:
        query = query.where(Case.state == state)
    return db.scalars(
        query.order_by(Case.date_of_application, Case.v_number).limit(limit).offset(offset)
    ).all()


def require_own_client(case: Case, actor: Actor) -> None:
    if actor.is_(Role.LAWYER) and case.lawyer_id != actor.user_id:
        raise Forbidden("Only the applicant's own lawyer may do this.")


# --- intake -------------------------------------------------------------------------------


def lawyer_index(db: Session) -> dict[str, uuid.UUID]:
    """Lawyers by username and by e-mail, for imports."""
    index: dict[str, uuid.UUID] = {}
    for user in db.scalars(select(User).where(User.role == Role.LAWYER)):
        index[user.username.lower()] = user.id
        if user.email:
            index[user.email.lower()] = user.id
    return index


def resolve_lawyer(lawyers: dict[str, uuid.UUID], reference: str | None) -> uuid.UUID | None:
    if not reference:
        return None
    lawyer_id = lawyers.get(reference.strip().lower())
    if lawyer_id is None:
        raise UnknownLawyer(f"lawyer: no lawyer with username or e-mail '{reference}'")
    return lawyer_id


def create_case(db: Session, data: CaseIn, actor: Actor) -> Case:
    if db.scalar(select(Case.id).where(Case.v_number == data.v_number)):
        raise DuplicateCase(f"A case with V-number {data.v_number} already exists.")
    case = Case(
        id=uuid.uuid4(),
        v_number=data.v_number,
        nationality=data.nationality,
        languages=data.languages,
        date_of_application=data.date_of_application,
        lawyer_id=resolve_lawyer(lawyer_index(db), data.lawyer),
        literacy=data.literacy,
        coordinator_motives=[m.value for m in data.coordinator_motives],
        vulnerability_notes=data.vulnerability_notes,
        state=CaseState.IMPORTED,
    )
    db.add(case)
    db.flush()
    record_event(db, case, "import", None, actor, "case registered")
    for signal in data.signals:
        db.add(_signal_row(case.id, signal, actor))
    db.flush()
    db.refresh(case)
    return case


def _signal_row(case_id: uuid.UUID, data: SignalIn, actor: Actor) -> Signal:
    now = utcnow()
    return Signal(
        case_id=case_id,
        kind=data.kind,
        source=data.source,
        reason=data.reason,
        noted_at=data.noted_at or now,
        recorded_by_id=actor.user_id,
        recorded_at=now,
    )


def add_signal(db: Session, case: Case, data: SignalIn, actor: Actor) -> Signal:
    """Record an NV/1F signal; an open case leaves the written track at once."""
    signal = _signal_row(case.id, data, actor)
    db.add(signal)
    db.flush()
    db.refresh(case)
    why = f"{data.kind.value.upper()} signal from {data.source}: physical hearing required"
    if data.reason:
        why += f" ({data.reason})"
    if case.state in OPEN_STATES:
        case.exclusion_reason = why
        advance(db, case, CaseEvent.EXCLUDE, actor, why)
    return signal


def withdraw(db: Session, case: Case, actor: Actor, reason: str) -> None:
    require_own_client(case, actor)
    advance(db, case, CaseEvent.WITHDRAW, actor, f"consent withdrawn: {reason}")


def due(days: int, start: datetime | None = None) -> datetime:
    return (start or utcnow()) + timedelta(days=days)


def target_date_from(start: datetime) -> date:
    """The six-week target runs from the invitation."""
    return (start + timedelta(days=get_settings().target_days)).date()
