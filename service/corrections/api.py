import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status

from service.auth.dependencies import allow
from service.cases.api import case_detail
from service.cases.schemas import CaseDetail
from service.cases.service import get_case
from service.core.actor import Actor
from service.core.db import DbSession
from service.core.errors import NotFound
from service.corrections import service
from service.corrections.schemas import CorrectionsIn, CorrectionsOut
from service.models.auth import Role

router = APIRouter(tags=["corrections"])
Lawyer = Annotated[Actor, Depends(allow(Role.LAWYER))]


@router.post("/cases/{case_id}/corrections", status_code=status.HTTP_201_CREATED)
def submit_corrections(
    case_id: uuid.UUID, body: CorrectionsIn, db: DbSession, actor: Lawyer
) -> CorrectionsOut:
    """The lawyer's corrections and additions to the translated form (kept beside it)."""
    case = get_case(db, case_id, actor)
    return CorrectionsOut.model_validate(service.submit(db, case, actor, body.items))


@router.post("/cases/{case_id}/no-corrections")
def no_corrections(case_id: uuid.UUID, db: DbSession, actor: Lawyer) -> CaseDetail:
    """The lawyer has nothing to correct; the file goes to decision at once."""
    case = get_case(db, case_id, actor)
    service.none_to_add(db, case, actor)
    return case_detail(case, actor)


@router.get("/cases/{case_id}/corrections")
def get_corrections(
    case_id: uuid.UUID,
    db: DbSession,
    actor: Annotated[
        Actor, Depends(allow(Role.LAWYER, Role.OFFICER, Role.COORDINATOR, Role.ADMIN))
    ],
) -> CorrectionsOut:
    case = get_case(db, case_id, actor)
    correction = service.corrections_of(db, case)
    if correction is None:
        raise NotFound("No corrections were submitted for this case.", code="no_corrections")
    return CorrectionsOut.model_validate(correction)
