"""The adviser's pages: the coordinator (LGBTI, conversion) and the hard-cases team
answer consultations on their own pages."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.auth.access import signed_in
from service.cases.access import readable_account
from service.cases.schemas import CaseOut
from service.consultations import access, service
from service.consultations.exceptions import ConsultationNotFound
from service.core.actor import Actor
from service.core.errors import DomainError
from service.core.web import page_router, render, see_other
from service.decisions import queries
from service.models.cases import Case
from service.models.decisions import ConsultationTopic

router = page_router()
Adviser = Annotated[Actor, Depends(signed_in(*access.ADVISERS))]


@router.get("/coordinator", response_class=HTMLResponse)
def coordinator_start(
    request: Request,
    db: Session,
    actor: Annotated[Actor, Depends(signed_in(*access.COORDINATORS))],
) -> HTMLResponse:
    """Requests for the coordinator's advice, and files raising their motive unadvised."""
    waiting = [(CaseOut.present(c, actor), r) for c, r in service.waiting_for(db, actor)]
    return render(request, "coordinator/start.html", {"waiting": waiting}, actor=actor)


def _context(
    db: Session,
    case: Case,
    actor: Actor,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    rows = service.consultations_of(db, case.id)
    answerable = [
        c
        for c in rows
        if c.advice is None and service.may_answer(db, actor, ConsultationTopic(c.motive))
    ]
    unasked = actor.specialism if actor.specialism in case.coordinator_motives else None
    return {
        "case": CaseOut.present(case, actor),
        "layers": queries.layers_of(db, case.id),
        "consultations": rows,
        "answerable": answerable,
        "unasked": unasked if not answerable else None,
        "errors": errors or {},
        "values": values or {},
    }


@router.get(
    "/advice/cases/{case_id}",
    response_class=HTMLResponse,
    dependencies=[audited("consultation.page")],
)
def advice_page(case_id: uuid.UUID, request: Request, db: Session, actor: Adviser) -> HTMLResponse:
    """The file as the adviser needs it: the answers with every layer, and the question.
    A coordinator reads it only where the case raises their motive."""
    case = readable_account(db, case_id, actor, "consultation")
    return render(request, "coordinator/advice.html", _context(db, case, actor), actor=actor)


def _after(actor: Actor) -> str:
    return "/coordinator" if actor.is_("coordinator") else "/officer"


@router.post(
    "/advice/cases/{case_id}",
    response_class=HTMLResponse,
    dependencies=[audited("consultation.answer")],
)
def give_advice(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Adviser,
    advice: Annotated[str, Form(max_length=5000)] = "",
    consultation_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Answer a request (``consultation_id``) or advise unasked on the coordinator's motive."""
    case = readable_account(db, case_id, actor, "consultation")
    values = {"advice": advice}
    if len(advice.strip()) < 3:
        errors = {"advice": "Write the advice (at least 3 characters)."}
        return render(
            request,
            "coordinator/advice.html",
            _context(db, case, actor, errors, values),
            actor=actor,
            status_code=422,
        )
    try:
        if consultation_id:
            consultation = service.consultation_by_id(db, uuid.UUID(consultation_id))
            if consultation.case_id != case.id:
                raise ConsultationNotFound("That consultation belongs to another file.")
            service.answer(db, consultation, actor, advice)
        else:
            service.record_consultation(db, case, actor, str(actor.specialism), advice)
    except (DomainError, ValueError) as exc:
        detail = exc.detail if isinstance(exc, DomainError) else "Unknown consultation."
        status = exc.status if isinstance(exc, DomainError) else 422
        return render(
            request,
            "coordinator/advice.html",
            _context(db, case, actor, {"advice": detail}, values),
            actor=actor,
            status_code=status,
        )
    return see_other(_after(actor))
