"""The lawyer's corrections and additions, kept beside the applicant's own answers."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.service import advance, require_own_client
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.corrections.exceptions import InvalidCorrection, TermExpired
from service.corrections.schemas import CorrectionItem
from service.models.cases import Case
from service.models.corrections import Correction
from service.questionnaires.forms import load_form
from service.questionnaires.service import answer_set_of
from service.workflow import CaseEvent, CaseState


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
    advance(
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
    advance(db, case, CaseEvent.NO_CORRECTIONS, actor, "the lawyer has no corrections")
    _route(db, case)


def _route(db: Session, case: Case) -> None:
    advance(db, case, CaseEvent.ROUTE_TO_DECISION, SYSTEM, "complete file routed to decision")


def expire_overdue_terms(db: Session) -> int:
    """Close corrections terms that have passed and route the files. Idempotent."""
    overdue = db.scalars(
        select(Case).where(Case.state == CaseState.WITH_LAWYER, Case.corrections_due_at <= utcnow())
    ).all()
    for case in overdue:
        advance(db, case, CaseEvent.EXPIRE_CORRECTIONS_TERM, SYSTEM, "no reply within the term")
        _route(db, case)
    return len(overdue)


def corrections_of(db: Session, case: Case) -> Correction | None:
    return db.scalar(select(Correction).where(Correction.case_id == case.id))
