import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.auth.access import allow
from service.cases.access import readable_account, readable_case
from service.cases.schemas import CaseDetail, CaseOut
from service.core.actor import Actor
from service.core.routing import UnitOfWorkRoute
from service.decisions import access, service
from service.decisions.schemas import ConsultationIn, ConsultationOut, DecisionIn, DecisionOut

router = APIRouter(tags=["decisions"], route_class=UnitOfWorkRoute)
Officer = Annotated[Actor, Depends(allow(*access.OFFICERS))]


@router.get("/decision-queue")
def decision_queue(
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.QUEUE_READERS))],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Sequence[CaseOut]:
    """Complete files ready for decision, longest waiting first."""
    return [CaseOut.present(c, actor) for c in service.queue(db, limit)]


@router.post("/cases/{case_id}/claim", dependencies=[audited("case.claim")])
def claim(case_id: uuid.UUID, db: Session, actor: Officer) -> CaseDetail:
    case = readable_case(db, case_id, actor)
    service.claim(db, case, actor)
    return CaseDetail.present(case, actor)


@router.post("/cases/{case_id}/release", dependencies=[audited("case.release")])
def release(case_id: uuid.UUID, db: Session, actor: Officer) -> CaseDetail:
    case = readable_case(db, case_id, actor)
    service.release(db, case, actor)
    return CaseDetail.present(case, actor)


@router.post(
    "/cases/{case_id}/decision",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("decision.record")],
)
def decide(case_id: uuid.UUID, body: DecisionIn, db: Session, actor: Officer) -> DecisionOut:
    """Decide on the form (kansrijk only) or order a physical hearing (nader gehoor)."""
    case = readable_case(db, case_id, actor)
    return DecisionOut.model_validate(service.decide(db, case, actor, body.outcome, body.reason))


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
    """Record the LGBTI or conversion coordinator's consultation (needed before deciding)."""
    case = readable_case(db, case_id, actor)
    return ConsultationOut.model_validate(
        service.record_consultation(db, case, actor, body.motive, body.advice)
    )


@router.get("/cases/{case_id}/consultations", dependencies=[audited("consultations.read")])
def list_consultations(
    case_id: uuid.UUID,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.CONSULTATION_READERS))],
) -> Sequence[ConsultationOut]:
    case = readable_account(db, case_id, actor, "consultation")
    return [ConsultationOut.model_validate(c) for c in service.consultations_of(db, case)]
