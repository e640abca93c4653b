"""The planner screens (or re-screens) a case, a selection of cases, or every case still
waiting, on a page: the same service functions as the API's screening routes."""

import uuid
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from service.cases.access import readable_case
from service.cases.pages import render_case
from service.core.actions import Refusal, attempt
from service.core.i18n import N_, gettext_for, language_of
from service.core.web import page_router, render, see_other
from service.eligibility import service
from service.eligibility.access import ScreenableCasePage, ScreenerPage
from service.models.eligibility import ScreeningOutcome

router = page_router()


@router.post("/planner/cases/{case_id}/screening")
def screen_case(
    case: ScreenableCasePage, request: Request, db: Session, actor: ScreenerPage
) -> Response:
    """Screen (or re-screen) the case (``service.screen_case``, as the API's route does);
    a refusal shows the case page again, saying why beside its screenings."""
    screened = attempt(db, lambda: service.screen_case(db, case, actor))
    if not isinstance(screened, Refusal):
        return see_other(f"/planner/cases/{case.id}?done=screened")
    why = gettext_for(language_of(request))(NOT_SCREENED.get(screened.code, screened.message))
    errors = {"screenings": why}
    return render_case(request, db, case, actor, errors=errors, status_code=screened.status)


@router.post("/planner/screenings/run")
def screen_all_imported(request: Request, db: Session, actor: ScreenerPage) -> Response:
    """Screen every case still waiting in ``imported``."""
    counts = service.screen_imported(db, actor)
    return see_other(f"/planner/cases?outcome=eligible&screened={sum(counts.values())}")


# The outcome of a screening and why a case of a selection was not screened, for the page.
SCREENING_LABELS = {
    ScreeningOutcome.ELIGIBLE_REPLACING: N_("Eligible, kansrijk: the form may replace the hearing"),
    ScreeningOutcome.ELIGIBLE_PREPARATORY: N_("Eligible, kansarm: the form prepares the hearing"),
    ScreeningOutcome.EXCLUDED: N_("Excluded from the written hearing"),
}
NOT_SCREENED = {
    "form_already_taken": N_("Not screened: the applicant already filled in the form."),
    "illegal_transition": N_("Not screened: the case is past screening."),
}
MAX_SELECTION = 200


@router.post("/planner/screenings/selection")
def screen_selection(
    request: Request,
    db: Session,
    actor: ScreenerPage,
    case_id: Annotated[list[uuid.UUID], Form(max_length=MAX_SELECTION)] = [],  # noqa: B006
) -> Response:
    """Screen (again) the ticked cases against the current policy; the outcome per case,
    with the policy version, or why a case was not screened."""
    if not case_id:
        return see_other("/planner/cases")
    cases = [readable_case(db, one, actor) for one in dict.fromkeys(case_id)]
    outcomes = service.screen_selection(db, cases, actor)
    context = {"outcomes": outcomes, "LABELS": SCREENING_LABELS, "NOT_SCREENED": NOT_SCREENED}
    return render(request, "planner/screening_result.html", context, actor=actor)
