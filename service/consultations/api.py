import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy.orm import Session

from service.audit.access import about_case, audited
from service.auth.access import allow
from service.cases.access import readable_account, readable_case
from service.consultations import access, service
from service.consultations.schemas import (
    AnswerIn,
    ConsultationIn,
    ConsultationOut,
    ConsultationRequestIn,
)
from service.core.actor import Actor
from service.core.routing import UnitOfWorkRoute

router = APIRouter(tags=["decisions"], route_class=UnitOfWorkRoute)


@router.post(
    "/cases/{case_id}/consultations",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("consultation.record")],
)
def consult(
    case_id: uuid.UUID,
    body: ConsultationIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.COORDINATORS))],
) -> ConsultationOut:
    """Record the LGBTI or conversion coordinator's advice (needed before deciding)."""
    case = readable_case(db, case_id, actor)
    return ConsultationOut.model_validate(
        service.record_consultation(db, case, actor, body.motive, body.advice)
    )


@router.get("/cases/{case_id}/consultations", dependencies=[audited("consultations.read")])
def list_consultations(
    case_id: uuid.UUID,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.READERS))],
) -> Sequence[ConsultationOut]:
    case = readable_account(db, case_id, actor, "consultation")
    return [ConsultationOut.model_validate(c) for c in service.consultations_of(db, case.id)]


@router.post(
    "/cases/{case_id}/consultation-requests",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("consultation.request")],
)
def request_consultation(
    case_id: uuid.UUID,
    body: ConsultationRequestIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.REQUESTERS))],
) -> ConsultationOut:
    """Ask the matching coordinator or the hard-cases team; the decision waits for it."""
    case = readable_case(db, case_id, actor)
    return ConsultationOut.model_validate(
        service.request(db, case, actor, body.topic, body.question)
    )


@router.get("/consultations/waiting")
def waiting(
    db: Session, actor: Annotated[Actor, Depends(allow(*access.ADVISERS))]
) -> Sequence[ConsultationOut]:
    """Requests the caller may answer."""
    return [ConsultationOut.model_validate(c) for _, c in service.waiting_for(db, actor) if c]


@router.post(
    "/consultations/{consultation_id}/answer", dependencies=[audited("consultation.answer")]
)
def answer(
    consultation_id: uuid.UUID,
    body: AnswerIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.ADVISERS))],
) -> ConsultationOut:
    """The matching adviser answers a request."""
    consultation = service.consultation_by_id(db, consultation_id)
    about_case(consultation.case_id)
    return ConsultationOut.model_validate(service.answer(db, consultation, actor, body.advice))
