"""The applicant's form at the kiosk: start, save as they go, submit (or auto-submit)."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.service import advance
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.eligibility.service import active_policy
from service.models.cases import Case
from service.models.questionnaires import AnswerSet
from service.questionnaires.exceptions import FormClosed, FormNotStarted, LanguageNotOffered
from service.questionnaires.forms import FormDefinition, load_form, validate_answers
from service.workflow import TERMINAL_STATES, CaseEvent, CaseState


def form_language(form: FormDefinition, case: Case) -> str:
    """The applicant's first language that both the form and the policy offer."""
    offered = set(form.languages) & active_policy().form_languages
    for language in case.languages:
        if language in offered:
            return language
    raise LanguageNotOffered(
        f"The form is not offered in the applicant's languages ({', '.join(case.languages)})."
    )


def answer_set_of(db: Session, case: Case) -> AnswerSet | None:
    return db.scalar(select(AnswerSet).where(AnswerSet.case_id == case.id))


def start(db: Session, case: Case, actor: Actor) -> AnswerSet:
    form = load_form()
    language = form_language(form, case)
    advance(db, case, CaseEvent.START_FORM, actor, f"form started in '{language}'")
    now = utcnow()
    answer_set = AnswerSet(
        case_id=case.id,
        form_id=form.id,
        form_version=form.version,
        language=language,
        answers={},
        started_at=now,
        deadline_at=now + timedelta(minutes=form.time_limit_minutes),
    )
    db.add(answer_set)
    db.flush()
    return answer_set


def _open_answer_set(db: Session, case: Case) -> AnswerSet:
    if case.state in TERMINAL_STATES:
        raise FormClosed("Your case has left the written hearing; please speak to the host.")
    answer_set = answer_set_of(db, case)
    if answer_set is None or case.state != CaseState.IN_PROGRESS:
        if answer_set is not None and answer_set.submitted_at is not None:
            raise FormClosed("The form has been handed in; it can no longer be changed.")
        raise FormNotStarted("Start the form first.")
    if answer_set.deadline_at <= utcnow():
        raise FormClosed("The time for this form is over; what you saved has been handed in.")
    return answer_set


def save(db: Session, case: Case, answers: dict[str, Any]) -> AnswerSet:
    answer_set = _open_answer_set(db, case)
    form = load_form(answer_set.form_id, answer_set.form_version)
    validate_answers(form, {k: v for k, v in answers.items() if v is not None}, complete=False)
    merged = {**answer_set.answers, **answers}
    answer_set.answers = {k: v for k, v in merged.items() if v is not None}
    answer_set.saved_at = utcnow()
    db.flush()
    return answer_set


def submit(db: Session, case: Case, actor: Actor) -> AnswerSet:
    answer_set = _open_answer_set(db, case)
    form = load_form(answer_set.form_id, answer_set.form_version)
    validate_answers(form, answer_set.answers, complete=True)
    advance(db, case, CaseEvent.SUBMIT, actor, "form handed in by the applicant")
    answer_set.submitted_at = utcnow()
    db.flush()
    return answer_set


def auto_submit_overdue(db: Session) -> int:
    """Hand in forms whose time is up, keeping whatever was saved. Idempotent."""
    now = utcnow()
    overdue: Sequence[AnswerSet] = db.scalars(
        select(AnswerSet)
        .join(Case, Case.id == AnswerSet.case_id)
        .where(
            AnswerSet.submitted_at.is_(None),
            AnswerSet.deadline_at <= now,
            Case.state == CaseState.IN_PROGRESS,
        )
    ).all()
    for answer_set in overdue:
        case = db.get_one(Case, answer_set.case_id)
        advance(
            db, case, CaseEvent.AUTO_SUBMIT, SYSTEM, "time limit reached; saved answers handed in"
        )
        answer_set.submitted_at = now
        answer_set.auto_submitted = True
    db.flush()
    return len(overdue)
