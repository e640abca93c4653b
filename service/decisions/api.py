import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from service.auth.dependencies import allow
from service.cases.api import case_detail, case_summary
from service.cases.schemas import CaseDetail, CaseOut
from service.cases.service import get_case
from service.core.actor import Actor
from service.core.db import DbSession
from service.decisions import service
from service.decisions.schemas import ConsultationIn, ConsultationOut, DecisionIn, DecisionOut
from service.models.auth import Role

router = APIRouter(tags=["decisions"])
Officer = Annotated[Actor, Depends(allow(Role.OFFICER))]


@router.get("/decision-queue")
def decision_queue(
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(Role.OFFICER, Role.ADMIN))],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Sequence[CaseOut]:
    """Complete files ready for decision, longest waiting first."""
    return [case_summary(c, actor) for c in service.queue(db, limit)]


@router.post("/cases/{case_id}/claim")
def claim(case_id: uuid.UUID, db: DbSession, actor: Officer) -> CaseDetail:
    case = get_case(db, case_id, actor)
    service.claim(db, case, actor)
    return case_detail(case, actor)


@router.post("/cases/{case_id}/release")
def release(case_id: uuid.UUID, db: DbSession, actor: Officer) -> CaseDetail:
    case = get_case(db, case_id, actor)
    service.release(db, case, actor)
    return case_detail(case, actor)


@router.post("/cases/{case_id}/decision", status_code=status.HTTP_201_CREATED)
def decide(case_id: uuid.UUID, body: DecisionIn, db: DbSession, actor: Officer) -> DecisionOut:
    """Decide on the form (kansrijk only) or order a physical hearing (nader gehoor)."""
    case = get_case(db, case_id, actor)
    return DecisionOut.model_validate(service.decide(db, case, actor, body.outcome, body.reason))


@router.post("/cases/{case_id}/consultations", status_code=status.HTTP_201_CREATED)
def consult(
    case_id: uuid.UUID,
    body: ConsultationIn,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(Role.COORDINATOR))],
) -> ConsultationOut:
    """Record the LGBTI or conversion coordinator's consultation (needed before deciding)."""
    case = get_case(db, case_id, actor)
    return ConsultationOut.model_validate(
        service.record_consultation(db, case, actor, body.motive, body.advice)
    )


@router.get("/cases/{case_id}/consultations")
def list_consultations(
    case_id: uuid.UUID,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(Role.OFFICER, Role.COORDINATOR, Role.ADMIN))],
) -> Sequence[ConsultationOut]:
    case = get_case(db, case_id, actor)
    return [ConsultationOut.model_validate(c) for c in service.consultations_of(db, case)]
