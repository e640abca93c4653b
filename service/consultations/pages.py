"""The adviser's pages: the coordinator (LGBTI, conversion) and the hard-cases team
answer consultations on their own pages."""

import uuid
from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.cases.schemas import CaseOut
from service.consultations import service
from service.consultations.access import AdviserPage, AdvisersAccountPage, CoordinatorPage
from service.consultations.schemas import AdviceIn
from service.core.actions import Refusal, attempt, parse_form
from service.core.actor import Actor
from service.core.i18n import language_of
from service.core.web import page_router, render, see_other
from service.decisions import queries
from service.models.cases import Case
from service.models.decisions import ConsultationTopic

router = page_router()


@router.get("/coordinator", response_class=HTMLResponse)
def coordinator_start(request: Request, db: Session, actor: CoordinatorPage) -> HTMLResponse:
    """Requests for the coordinator's advice, and files raising their motive unadvised."""
    waiting = [(CaseOut.present(c, actor), r) for c, r in service.waiting_for(db, actor)]
    return render(request, "coordinator/start.html", {"waiting": waiting}, actor=actor)


def _advice_page(
    request: Request,
    db: Session,
    case: Case,
    actor: Actor,
    values: dict[str, Any] | None = None,
    refusal: Refusal | None = None,
) -> HTMLResponse:
    rows = service.consultations_of(db, case.id)
    answerable = [
        c
        for c in rows
        if c.advice is None and service.may_answer(db, actor, ConsultationTopic(c.motive))
    ]
    unasked = actor.specialism if actor.specialism in case.coordinator_motives else None
    context = {
        "case": CaseOut.present(case, actor),
        "layers": queries.layers_of(db, case.id),
        "consultations": rows,
        "answerable": answerable,
        "unasked": unasked if not answerable else None,
        "errors": refusal.errors(language_of(request), "advice") if refusal else {},
        "values": values or {},
    }
    status = refusal.status if refusal else 200
    return render(request, "coordinator/advice.html", context, actor=actor, status_code=status)


@router.get(
    "/advice/cases/{case_id}",
    response_class=HTMLResponse,
    dependencies=[audited("consultation.page")],
)
def advice_page(
    request: Request, db: Session, case: AdvisersAccountPage, actor: AdviserPage
) -> HTMLResponse:
    """The file as the adviser needs it: the answers with every layer, and the question.
    A coordinator reads it only where the case raises their motive."""
    return _advice_page(request, db, case, actor)


@router.post(
    "/advice/cases/{case_id}",
    response_class=HTMLResponse,
    dependencies=[audited("consultation.answer")],
)
def give_advice(
    request: Request,
    db: Session,
    case: AdvisersAccountPage,
    actor: AdviserPage,
    advice: Annotated[str, Form(max_length=5000)] = "",
    consultation_id: Annotated[uuid.UUID | None, Form()] = None,
) -> Response:
    """Answer a request (``consultation_id``) or advise unasked on the coordinator's motive:
    ``service.advise``, as the API's answer and consultation routes."""
    values = {"advice": advice, "consultation_id": consultation_id}
    done = attempt(db, lambda: service.advise(db, case, actor, parse_form(AdviceIn, values)))
    if isinstance(done, Refusal):
        return _advice_page(request, db, case, actor, values, done)
    return see_other("/coordinator" if actor.is_("coordinator") else "/officer")
