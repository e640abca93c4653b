"""The lawyer's corrections and additions, kept beside the applicant's own answers."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import procedure
from service.cases.access import require_own_client
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.corrections.exceptions import InvalidCorrection, TermExpired
from service.corrections.schemas import CorrectionItem
from service.models.cases import Case
from service.models.corrections import Correction
from service.questionnaires.forms import load_form
from service.questionnaires.service import answer_set_of
from service.workflow import CaseEvent, CaseState, Track, complete_file_event


def _check_term(case: Case) -> None:
    if case.corrections_due_at is not None and case.corrections_due_at <= utcnow():
        raise TermExpired("The term for corrections and additions has passed.")


def submit(db: Session, case: Case, actor: Actor, items: list[CorrectionItem]) -> Correction:
    require_own_client(case, actor)
    _check_term(case)
    answer_set = answer_set_of(db, case)
    if answer_set is not None:
        form = load_form(answer_set.form_id, answer_set.form_version)
        unknown = sorted(
            {i.question_id for i in items if i.question_id and form.question(i.question_id) is None}
        )
        if unknown:
            raise InvalidCorrection(f"Not questions of this form: {', '.join(unknown)}.")
    procedure.advance(
        db,
        case,
        CaseEvent.RECEIVE_CORRECTIONS,
        actor,
        f"{len(items)} correction(s)/addition(s) from the lawyer",
    )
    correction = Correction(
        case_id=case.id, lawyer_id=actor.user_id, items=[i.model_dump(mode="json") for i in items]
    )
    db.add(correction)
    _route(db, case)
    return correction


def none_to_add(db: Session, case: Case, actor: Actor) -> None:
    require_own_client(case, actor)
    _check_term(case)
    procedure.advance(db, case, CaseEvent.NO_CORRECTIONS, actor, "the lawyer has no corrections")
    _route(db, case)


def _route(db: Session, case: Case) -> None:
    event = complete_file_event(Track(case.track) if case.track else None)
    reason = {
        CaseEvent.ROUTE_TO_DECISION: "complete file routed to decision",
        CaseEvent.HAND_OVER_TO_HEARING: "kansarm: the written answers prepare the physical hearing",
    }[event]
    procedure.advance(db, case, event, SYSTEM, reason)


def overdue_terms(db: Session) -> Sequence[uuid.UUID]:
    """Cases with the lawyer whose corrections term has passed (the sweep fans out)."""
    return db.scalars(
        select(Case.id).where(
            Case.state == CaseState.WITH_LAWYER, Case.corrections_due_at <= utcnow()
        )
    ).all()


def expire_term(db: Session, case_id: uuid.UUID) -> bool:
    """Close a passed corrections term and route the file. Idempotent."""
    case = db.get_one(Case, case_id)
    if case.state is not CaseState.WITH_LAWYER:
        return False
    if case.corrections_due_at is None or case.corrections_due_at > utcnow():
        return False
    procedure.advance(
        db, case, CaseEvent.EXPIRE_CORRECTIONS_TERM, SYSTEM, "no reply within the term"
    )
    _route(db, case)
    return True


def corrections_of(db: Session, case: Case) -> Correction | None:
    return db.scalar(select(Correction).where(Correction.case_id == case.id))
