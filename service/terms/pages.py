"""The planner's terms: what runs out when, and extending one case's term."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.core.actions import Refusal, attempt, parse_form
from service.core.actor import Actor
from service.core.i18n import N_, gettext_for, language_of
from service.core.web import page_router, render, see_other
from service.models.cases import Case
from service.models.terms import Term, TermStep
from service.terms import access, queries, service
from service.terms.schemas import ExtensionIn, TermOut

router = page_router()

STEP_LABELS: dict[TermStep, str] = {
    TermStep.INVITATION_REPLY: N_("Lawyer's reply to the invitation"),
    TermStep.TRANSLATION: N_("Translation"),
    TermStep.CORRECTIONS: N_("Lawyer's corrections and additions"),
    TermStep.DECISION: N_("Decision"),
    TermStep.TARGET: N_("Whole procedure (six weeks)"),
}
# What to do, beside the field the form's input was refused for (``parse_form``'s say).
FIELD_WORDS = {
    "step": N_("Choose the term to extend."),
    "working_days": N_("Enter a whole number of working days from 1 to 20."),
    "reason": N_("Give the reason for the extension (at least 3 characters)."),
}
TERM_ENDED = N_("This term is not running any more; reload the page.")


@router.get("/planner/terms", response_class=HTMLResponse)
def running_terms(request: Request, db: Session, actor: access.ExtenderPage) -> HTMLResponse:
    rows = [(TermOut.present(term), v_number) for term, v_number in queries.running(db)]
    context = {"rows": rows, "STEP_LABELS": STEP_LABELS}
    return render(request, "planner/terms.html", context, actor=actor)


@router.get("/planner/cases/{case_id}/terms", response_class=HTMLResponse)
def case_terms(
    case: access.ExtendableCasePage, request: Request, db: Session, actor: access.ExtenderPage
) -> HTMLResponse:
    return _case_page(request, db, case, actor)


async def extension_form(request: Request) -> dict[str, str]:
    """The extension form's fields as typed (``ExtensionIn`` parses them)."""
    form = await request.form()
    return {name: str(form.get(name) or "") for name in ExtensionIn.model_fields}


@router.post("/planner/cases/{case_id}/terms", response_class=HTMLResponse)
def extend_case_term(
    case: access.ExtendableCasePage,
    request: Request,
    db: Session,
    actor: access.ExtenderPage,
    form: Annotated[dict[str, str], Depends(extension_form)],
) -> Response:
    """The API's extension, from the page's form."""

    def extend() -> Term:
        return service.extend(db, actor, case, parse_form(ExtensionIn, form, say=FIELD_WORDS))

    extended = attempt(db, extend)
    if isinstance(extended, Refusal):
        return _case_page(request, db, case, actor, form, extended)
    return see_other(f"/planner/cases/{case.id}/terms?extended=true")


def _errors(request: Request, refusal: Refusal) -> dict[str, str]:
    """The refusal in the page's words beside the fields."""
    gettext = gettext_for(language_of(request))
    if refusal.code == "no_open_term":
        return {"step": gettext(TERM_ENDED)}
    return refusal.errors(language_of(request), "step")


def _case_page(
    request: Request,
    db: Session,
    case: Case,
    actor: Actor,
    form: dict[str, str] | None = None,
    refusal: Refusal | None = None,
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
        "form": form or {},
        "refusal": refusal,
        "errors": _errors(request, refusal) if refusal else {},
        "extended": request.query_params.get("extended") == "true",
        "STEP_LABELS": STEP_LABELS,
    }
    status = refusal.status if refusal else 200
    return render(request, "planner/case_terms.html", context, actor=actor, status_code=status)
