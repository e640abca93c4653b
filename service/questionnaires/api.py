"""The kiosk (applicant) and the form definitions; staff read submitted answers."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from service.auth.dependencies import allow
from service.cases.service import get_case
from service.core.actor import Actor
from service.core.db import DbSession
from service.models.auth import Role
from service.questionnaires import service
from service.questionnaires.exceptions import FormNotFound, FormNotStarted
from service.questionnaires.forms import DEFAULT_FORM, available_forms, load_form
from service.questionnaires.schemas import AnswerSetOut, AnswersIn, KioskView

router = APIRouter(tags=["questionnaires"])
ANSWER_READERS = (Role.OFFICER, Role.COORDINATOR, Role.LAWYER, Role.TRANSLATOR, Role.ADMIN)
Applicant = Annotated[Actor, Depends(allow(Role.APPLICANT))]


@router.get("/forms")
def list_forms(_: Annotated[Actor, Depends(allow(*Role))]) -> list[dict[str, Any]]:
    return [{"id": f, "version": v} for f, v in available_forms()]


@router.get("/forms/{form_id}")
def get_form(
    form_id: str, _: Annotated[Actor, Depends(allow(*Role))], language: str = "nl"
) -> dict[str, Any]:
    """The latest version of a form in one language (`dir` tells rtl or ltr)."""
    form = load_form(form_id)
    if language not in form.languages:
        raise FormNotFound(
            f"Form '{form_id}' has no '{language}' text; languages: {', '.join(form.languages)}."
        )
    return form.localised(language)


@router.get("/kiosk/form")
def kiosk_form(db: DbSession, actor: Applicant) -> KioskView:
    """What the kiosk shows: the form in the applicant's language and what they saved."""
    case = get_case(db, _case_id(actor), actor)
    answer_set = service.answer_set_of(db, case)
    form = load_form(answer_set.form_id, answer_set.form_version) if answer_set else load_form()
    language = answer_set.language if answer_set else service.form_language(form, case)
    return KioskView(
        case_state=case.state,
        form=form.localised(language),
        answer_set=AnswerSetOut.model_validate(answer_set) if answer_set else None,
    )


@router.post("/kiosk/start")
def kiosk_start(db: DbSession, actor: Applicant) -> AnswerSetOut:
    """Start the form; the time limit (4 hours) runs from now."""
    case = get_case(db, _case_id(actor), actor)
    return AnswerSetOut.model_validate(service.start(db, case, actor))


@router.put("/kiosk/answers")
def kiosk_save(body: AnswersIn, db: DbSession, actor: Applicant) -> AnswerSetOut:
    """Save answers as the applicant goes; nothing is lost if the kiosk restarts."""
    case = get_case(db, _case_id(actor), actor)
    return AnswerSetOut.model_validate(service.save(db, case, body.answers))


@router.post("/kiosk/submit")
def kiosk_submit(db: DbSession, actor: Applicant) -> AnswerSetOut:
    """Hand in the form; every required question must have an answer."""
    case = get_case(db, _case_id(actor), actor)
    return AnswerSetOut.model_validate(service.submit(db, case, actor))


@router.get("/cases/{case_id}/answers")
def case_answers(
    case_id: uuid.UUID, db: DbSession, actor: Annotated[Actor, Depends(allow(*ANSWER_READERS))]
) -> AnswerSetOut:
    """The applicant's original answers (never changed by corrections)."""
    case = get_case(db, case_id, actor)
    answer_set = service.answer_set_of(db, case)
    if answer_set is None:
        raise FormNotStarted("This case has no answers yet.")
    return AnswerSetOut.model_validate(answer_set)


def _case_id(actor: Actor) -> uuid.UUID:
    assert actor.case_id is not None  # applicant tokens always carry their case
    return actor.case_id


__all__ = ["DEFAULT_FORM", "router"]
