from collections.abc import Sequence

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.consultations import service
from service.consultations.access import (
    Adviser,
    AnswerableConsultation,
    Coordinator,
    CoordinatorsCase,
    ReadersAccount,
    Requester,
    RequestersCase,
)
from service.consultations.schemas import (
    AnswerIn,
    ConsultationIn,
    ConsultationOut,
    ConsultationRequestIn,
)
from service.core.routing import UnitOfWorkRoute

router = APIRouter(tags=["decisions"], route_class=UnitOfWorkRoute)


@router.post(
    "/cases/{case_id}/consultations",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("consultation.record")],
)
def consult(
    case: CoordinatorsCase, body: ConsultationIn, db: Session, actor: Coordinator
) -> ConsultationOut:
    """Record the LGBTI or conversion coordinator's advice (needed before deciding)."""
    consultation = service.record_consultation(db, case, actor, body.motive, body.advice)
    return ConsultationOut.model_validate(consultation)


@router.get("/cases/{case_id}/consultations", dependencies=[audited("consultations.read")])
def list_consultations(case: ReadersAccount, db: Session) -> Sequence[ConsultationOut]:
    return [ConsultationOut.model_validate(c) for c in service.consultations_of(db, case.id)]


@router.post(
    "/cases/{case_id}/consultation-requests",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("consultation.request")],
)
def request_consultation(
    case: RequestersCase, body: ConsultationRequestIn, db: Session, actor: Requester
) -> ConsultationOut:
    """Ask the matching coordinator or the hard-cases team; the decision waits for it."""
    return ConsultationOut.model_validate(service.request(db, case, actor, body))


@router.get("/consultations/waiting")
def waiting(db: Session, actor: Adviser) -> Sequence[ConsultationOut]:
    """Requests the caller may answer."""
    return [ConsultationOut.model_validate(c) for _, c in service.waiting_for(db, actor) if c]


@router.post(
    "/consultations/{consultation_id}/answer", dependencies=[audited("consultation.answer")]
)
def answer(
    consultation: AnswerableConsultation, body: AnswerIn, db: Session, actor: Adviser
) -> ConsultationOut:
    """The matching adviser answers a request."""
    return ConsultationOut.model_validate(service.answer(db, consultation, actor, body.advice))
