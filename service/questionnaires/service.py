"""The applicant's form at the kiosk: start, save as they go, submit (or auto-submit)."""

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from service import procedure
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.core.crypto import open_value, seal_value
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


def case_with_answers(db: Session, case_id: uuid.UUID) -> tuple[Case, AnswerSet | None]:
    """The applicant's case and form in one statement (the kiosk saves often)."""
    row = db.execute(
        select(Case, AnswerSet)
        .outerjoin(AnswerSet, AnswerSet.case_id == Case.id)
        .where(Case.id == case_id)
    ).one()
    return row[0], row[1]


def start(db: Session, case: Case, actor: Actor) -> AnswerSet:
    form = load_form()
    language = form_language(form, case)
    procedure.advance(db, case, CaseEvent.START_FORM, actor, f"form started in '{language}'")
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


def _check_open(state: CaseState, answer_set: Any) -> None:
    """``answer_set``: the answer set (or its row), None when the form was not started."""
    if state in TERMINAL_STATES:
        raise FormClosed("Your case has left the written hearing; please speak to the host.")
    if answer_set is None or state is not CaseState.IN_PROGRESS:
        if answer_set is not None and answer_set.submitted_at is not None:
            raise FormClosed("The form has been handed in; it can no longer be changed.")
        raise FormNotStarted("Start the form first.")
    if answer_set.deadline_at <= utcnow():
        raise FormClosed("The time for this form is over; what you saved has been handed in.")


def _open(state: CaseState, answer_set: AnswerSet | None) -> AnswerSet:
    _check_open(state, answer_set)
    assert answer_set is not None
    return answer_set


# The kiosks save every few seconds, 40 at a time per location: the save reads the
# form with the case's state in one prepared statement and writes with one UPDATE,
# without ORM objects (bench/bench_http.py measures it).
_FORM_TO_SAVE = (
    select(Case.state, *AnswerSet.__table__.columns)
    .outerjoin(AnswerSet, AnswerSet.case_id == Case.id)
    .where(Case.id == bindparam("case_id"))
)
_ANSWER_SETS = cast(Table, AnswerSet.__table__)
_SAVE = (
    update(_ANSWER_SETS)
    .where(_ANSWER_SETS.c.id == bindparam("answer_set_id"))
    .values(answers=bindparam("answers"), saved_at=bindparam("saved_at"))
)


def save(db: Session, case_id: uuid.UUID, answers: dict[str, Any]) -> dict[str, Any]:
    """Merge answers into the form (null clears one); returns the saved answer set."""
    connection = db.connection()  # plain Core: no ORM objects on this path
    row = connection.execute(_FORM_TO_SAVE, {"case_id": case_id}).one()
    form_row = row if row.id is not None else None
    _check_open(row.state, form_row)
    form = load_form(row.form_id, row.form_version)
    validate_answers(form, {k: v for k, v in answers.items() if v is not None}, complete=False)
    merged = {**open_value(AnswerSet.answers, row.id, row.answers), **answers}
    saved = {
        **row._mapping,
        "answers": {k: v for k, v in merged.items() if v is not None},
        "saved_at": utcnow(),
    }
    connection.execute(
        _SAVE,
        {
            "answer_set_id": row.id,
            "answers": seal_value(AnswerSet.answers, row.id, saved["answers"]),
            "saved_at": saved["saved_at"],
        },
    )
    if (loaded := db.identity_map.get(db.identity_key(AnswerSet, row.id))) is not None:
        db.expire(loaded)  # an AnswerSet object already in this session reads afresh
    return saved


def submit(db: Session, case: Case, actor: Actor) -> AnswerSet:
    answer_set = _open(case.state, answer_set_of(db, case))
    form = load_form(answer_set.form_id, answer_set.form_version)
    validate_answers(form, answer_set.answers, complete=True)
    procedure.advance(db, case, CaseEvent.SUBMIT, actor, "form handed in by the applicant")
    answer_set.submitted_at = utcnow()
    db.flush()
    return answer_set


def overdue_forms(db: Session) -> Sequence[uuid.UUID]:
    """Cases whose form time is up but not handed in (the sweep fans these out)."""
    return db.scalars(
        select(AnswerSet.case_id)
        .join(Case, Case.id == AnswerSet.case_id)
        .where(
            AnswerSet.submitted_at.is_(None),
            AnswerSet.deadline_at <= utcnow(),
            Case.state == CaseState.IN_PROGRESS,
        )
    ).all()


def auto_submit(db: Session, case_id: uuid.UUID) -> bool:
    """Hand in a form whose time is up, keeping whatever was saved. Idempotent."""
    case, answer_set = case_with_answers(db, case_id)
    now = utcnow()
    if answer_set is None or answer_set.submitted_at is not None or answer_set.deadline_at > now:
        return False
    if case.state is not CaseState.IN_PROGRESS:
        return False
    procedure.advance(
        db, case, CaseEvent.AUTO_SUBMIT, SYSTEM, "time limit reached; saved answers handed in"
    )
    answer_set.submitted_at = now
    answer_set.auto_submitted = True
    db.flush()
    return True
