"""The written registration interview on the pages: the planner selects newly registered
applicants (and sees the figures), the registration officer reads the prepared files."""

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core.actions import Refusal, attempt
from service.core.actor import Actor
from service.core.i18n import language_of
from service.core.web import page_router, render, see_other
from service.registration import queries, service
from service.registration.access import (
    OfficersCasePage,
    PlannerPage,
    PlannersCasePage,
    RegistrationOfficerPage,
)
from service.registration.schemas import FiguresOut, RegistrationFileOut

router = page_router()

PLANNER_PAGE = "/planner/registration-interview"


def _planner_page(
    request: Request, db: Session, actor: Actor, refusal: Refusal | None = None
) -> HTMLResponse:
    context = {
        "cases": queries.selectable(db),
        "figures": FiguresOut.present(queries.figures(db)),
        "errors": refusal.errors(language_of(request), "cases") if refusal else {},
        "selected": request.query_params.get("selected", ""),
    }
    status = refusal.status if refusal else 200
    return render(request, "planner/registration.html", context, actor=actor, status_code=status)


@router.get(PLANNER_PAGE, response_class=HTMLResponse)
def planner_page(request: Request, db: Session, actor: PlannerPage) -> HTMLResponse:
    """Newly registered applicants to select for the written registration interview, and
    how many took it and how long it took."""
    return _planner_page(request, db, actor)


@router.post(
    PLANNER_PAGE + "/{case_id}",
    response_class=HTMLResponse,
    dependencies=[audited("registration.select")],
)
def select_case(
    request: Request, db: Session, case: PlannersCasePage, actor: PlannerPage
) -> Response:
    """Select one applicant (``service.select_case``, the API's own)."""
    outcome = attempt(db, lambda: service.select_case(db, case, actor))
    if isinstance(outcome, Refusal):
        return _planner_page(request, db, actor, outcome)
    return see_other(f"{PLANNER_PAGE}?selected={outcome.v_number}")


@router.get("/officer/registration-files", response_class=HTMLResponse)
def prepared_files(request: Request, db: Session, actor: RegistrationOfficerPage) -> HTMLResponse:
    """The prepared files for the aanmeldgehoor, newest first."""
    files = [RegistrationFileOut.present(f, c) for f, c in queries.prepared_files(db)]
    return render(request, "officer/registration_files.html", {"files": files}, actor=actor)


@router.get(
    "/officer/registration-files/{case_id}",
    response_class=HTMLResponse,
    dependencies=[audited("registration_file.page")],
)
def prepared_file(
    request: Request, db: Session, case: OfficersCasePage, actor: RegistrationOfficerPage
) -> HTMLResponse:
    """One prepared file: each answer as given and in Dutch. No decision is taken on it."""
    found = RegistrationFileOut.present(service.prepared_file(db, case), case)
    return render(request, "officer/registration_file.html", {"file": found}, actor=actor)
