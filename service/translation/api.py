import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, status

from service.auth.dependencies import allow
from service.cases.service import get_case
from service.core.actor import Actor
from service.core.db import DbSession
from service.models.auth import Role
from service.translation import service
from service.translation.exceptions import TranslationNotFound
from service.translation.schemas import TranslationIn, TranslationOut, TranslationRequestIn

router = APIRouter(tags=["translation"])
PLANNERS = (Role.PLANNER, Role.ADMIN)


@router.post("/cases/{case_id}/translation", status_code=status.HTTP_201_CREATED)
def request_translation(
    case_id: uuid.UUID,
    body: TranslationRequestIn,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(*PLANNERS))],
) -> TranslationOut:
    """Send the submitted form to a translation agency with an agreed term."""
    case = get_case(db, case_id, actor)
    return TranslationOut.model_validate(
        service.request(db, case, actor, body.agency, body.due_days)
    )


@router.get("/translations")
def list_translations(
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(Role.TRANSLATOR, *PLANNERS))],
    open_only: bool = True,
) -> Sequence[TranslationOut]:
    """A translator sees only their own agency's work."""
    return [TranslationOut.model_validate(t) for t in service.assigned_to(db, actor, open_only)]


@router.get("/translations/{translation_id}")
def get_translation(
    translation_id: uuid.UUID,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(Role.TRANSLATOR, *PLANNERS))],
) -> TranslationOut:
    return TranslationOut.model_validate(service.get_translation(db, translation_id, actor))


@router.put("/translations/{translation_id}")
def deliver(
    translation_id: uuid.UUID,
    body: TranslationIn,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(Role.TRANSLATOR))],
) -> TranslationOut:
    """Deliver the Dutch translation; the form then goes to the lawyer."""
    translation = service.get_translation(db, translation_id, actor)
    service.deliver(db, translation, actor, body.answers_nl)
    return TranslationOut.model_validate(translation)


@router.get("/cases/{case_id}/translation")
def case_translation(
    case_id: uuid.UUID,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(Role.OFFICER, Role.COORDINATOR, Role.LAWYER, *PLANNERS))],
) -> TranslationOut:
    case = get_case(db, case_id, actor)
    translation = service.translation_of(db, case)
    if translation is None:
        raise TranslationNotFound("This case has not been sent for translation.")
    return TranslationOut.model_validate(translation)
