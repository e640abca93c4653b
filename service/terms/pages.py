"""The planner's terms: what runs out when, and extending one case's term."""

import uuid
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from service.auth.access import signed_in
from service.cases.access import readable_case
from service.core.actor import Actor
from service.core.i18n import N_, gettext_for, language_of
from service.core.web import page_router, render, see_other
from service.models.cases import Case
from service.models.terms import TermStep
from service.terms import access, queries, service
from service.terms.exceptions import NoOpenTerm
from service.terms.schemas import ExtensionIn, TermOut

router = page_router()

STEP_LABELS: dict[TermStep, str] = {
    TermStep.INVITATION_REPLY: N_("Lawyer's reply to the invitation"),
    TermStep.TRANSLATION: N_("Translation"),
    TermStep.CORRECTIONS: N_("Lawyer's corrections and additions"),
    TermStep.DECISION: N_("Decision"),
    TermStep.TARGET: N_("Whole procedure (six weeks)"),
}


@router.get("/planner/terms", response_class=HTMLResponse)
def running_terms(
    request: Request, db: Session, actor: Annotated[Actor, Depends(signed_in(*access.EXTENDERS))]
) -> HTMLResponse:
    rows = [(TermOut.present(term), v_number) for term, v_number in queries.running(db)]
    context = {"rows": rows, "STEP_LABELS": STEP_LABELS}
    return render(request, "planner/terms.html", context, actor=actor)


@router.get("/planner/cases/{case_id}/terms", response_class=HTMLResponse)
def case_terms(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Annotated[Actor, Depends(signed_in(*access.EXTENDERS))],
) -> HTMLResponse:
    case = readable_case(db, case_id, actor)
    return _case_page(request, db, case, actor, {}, {})


@router.post("/planner/cases/{case_id}/terms", response_class=HTMLResponse)
def extend_case_term(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Annotated[Actor, Depends(signed_in(*access.EXTENDERS))],
    step: Annotated[str, Form(max_length=40)] = "",
    working_days: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    case = readable_case(db, case_id, actor)
    gettext = gettext_for(language_of(request))
    form = {"step": step, "working_days": working_days, "reason": reason}
    errors: dict[str, str] = {}
    try:
        data = ExtensionIn.model_validate(form)
    except ValidationError as exc:
        fields = {str(error["loc"][0]) for error in exc.errors()}
        if "step" in fields:
            errors["step"] = gettext("Choose the term to extend.")
        if "working_days" in fields:
            errors["working_days"] = gettext("Enter a whole number of working days from 1 to 20.")
        if "reason" in fields:
            errors["reason"] = gettext("Give the reason for the extension (at least 3 characters).")
    else:
        try:
            service.extend(db, case, data.step, data.working_days, data.reason, actor)
        except NoOpenTerm:
            errors["step"] = gettext("This term is not running any more; reload the page.")
        else:
            return see_other(f"/planner/cases/{case.id}/terms?extended=true")
    return _case_page(request, db, case, actor, form, errors, status_code=422)


def _case_page(
    request: Request,
    db: Session,
    case: Case,
    actor: Actor,
    form: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    gettext = gettext_for(language_of(request))
    terms = [TermOut.present(term) for term in service.terms_of(db, case.id)]
    running = [t.step for t in terms if t.closed_at is None]
    context = {
        "case": case,
        "terms": terms,
        "extendable": running,
        "step_options": [("", gettext("Choose a term"))]
        + [(step.value, gettext(STEP_LABELS[step])) for step in running],
        "form": form,
        "errors": errors,
        "extended": request.query_params.get("extended") == "true",
        "STEP_LABELS": STEP_LABELS,
    }
    return render(request, "planner/case_terms.html", context, actor=actor, status_code=status_code)
