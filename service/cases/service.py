"""Cases: intake, NV/1F signals and withdrawal. States change only through
``service.procedure.advance``."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import procedure
from service.cases.access import require_own_client
from service.cases.exceptions import DuplicateCase, UnknownLawyer
from service.cases.names import index_names
from service.cases.schemas import CaseIn, SignalIn
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.formatting import in_english
from service.core.i18n import N_
from service.models.auth import Role, User
from service.models.cases import Case, Signal
from service.workflow import OPEN_STATES, CaseEvent, CaseState, Reason

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
        why = N_("lawyer: no lawyer with username or e-mail '%(reference)s'")
        raise UnknownLawyer(in_english(why, reference=reference))
    return lawyer_id


def create_case(db: Session, data: CaseIn, actor: Actor) -> Case:
    if db.scalar(select(Case.id).where(Case.v_number == data.v_number)):
        why = N_("A case with V-number %(v_number)s already exists.")
        raise DuplicateCase(in_english(why, v_number=data.v_number))
    case = Case(
        id=uuid.uuid4(),
        v_number=data.v_number,
        applicant_name=data.applicant_name,
        date_of_birth=data.date_of_birth,
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
    index_names(db, [(case.id, data.applicant_name)])
    procedure.admit(db, [case.id], actor, Reason.step(N_("case registered")))
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
    why = in_english(
        N_("%(kind)s signal from %(source)s: physical hearing required"),
        kind=data.kind.value.upper(),
        source=data.source,
    )
    if data.reason:
        why += f" ({data.reason})"
    if case.state in OPEN_STATES:
        case.exclusion_reason = why
        procedure.advance(db, case, CaseEvent.EXCLUDE, actor, Reason.exclusion(why))
    return signal


def withdraw(db: Session, case: Case, actor: Actor, reason: str) -> None:
    require_own_client(case, actor)
    procedure.advance(
        db,
        case,
        CaseEvent.WITHDRAW,
        actor,
        Reason.step(N_("consent withdrawn: %(reason)s"), reason=reason),
    )
