import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.auth.access import allow
from service.cases.access import readable_account, readable_case
from service.cases.schemas import CaseDetail
from service.core.actor import Actor
from service.core.errors import NotFound
from service.core.routing import UnitOfWorkRoute
from service.corrections import access, service
from service.corrections.schemas import CorrectionsIn, CorrectionsOut

router = APIRouter(tags=["corrections"], route_class=UnitOfWorkRoute)
Lawyer = Annotated[Actor, Depends(allow(*access.SENDERS))]


@router.post(
    "/cases/{case_id}/corrections",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("corrections.submit")],
)
def submit_corrections(
    case_id: uuid.UUID, body: CorrectionsIn, db: Session, actor: Lawyer
) -> CorrectionsOut:
    """The lawyer's corrections and additions to the translated form (kept beside it)."""
    case = readable_case(db, case_id, actor)
    return CorrectionsOut.model_validate(service.submit(db, case, actor, body.items))


@router.post("/cases/{case_id}/no-corrections", dependencies=[audited("corrections.waive")])
def no_corrections(case_id: uuid.UUID, db: Session, actor: Lawyer) -> CaseDetail:
    """The lawyer has nothing to correct; the file goes to decision at once."""
    case = readable_case(db, case_id, actor)
    service.none_to_add(db, case, actor)
    return CaseDetail.present(case, actor)


@router.get("/cases/{case_id}/corrections", dependencies=[audited("corrections.read")])
def get_corrections(
    case_id: uuid.UUID,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.READERS))],
) -> CorrectionsOut:
    case = readable_account(db, case_id, actor, "corrections")
    correction = service.corrections_of(db, case)
    if correction is None:
        raise NotFound("No corrections were submitted for this case.", code="no_corrections")
    return CorrectionsOut.model_validate(correction)
