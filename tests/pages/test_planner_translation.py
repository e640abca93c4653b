"""Sending forms to a translation agency on pages: one case from its page or a selection
from the translations page, with each agency's room this week and the due date shown,
refusals beside the field, a report per case, and nothing sent twice; the planning
wishes (location, interpreter's gender) on the case page."""

import re

from sqlalchemy import select

from service.models.sessions import PlanningPreference
from service.models.translation import Translation
from service.translation.service import create_agency
from service.workflow import CaseState
from tests.helpers import csrf_of
from tests.pages.test_planner_cases import HTML, planner_browser, post


def test_one_case_is_sent_from_its_page_and_a_full_agency_is_refused_beside_the_field(factory, db):
    case = factory.case_in(CaseState.SUBMITTED)
    full = create_agency(db, "Vol Bureau", capacity_per_week=0)
    roomy = factory.agency()
    browser = planner_browser(factory)
    page = f"/planner/cases/{case.id}"
    shown = browser.get(page, headers=HTML)
    assert f'action="{page}/translation"' in shown.text
    assert re.search(r"Vol Bureau: 0 van 0 formulieren vrij deze week, klaar \d", shown.text)

    refused = post(browser, page, f"{page}/translation", {"agency": full.name})
    assert refused.status_code == 409  # the refusal's own status, as the API's
    assert 'id="agency-error"' in refused.text
    assert "geen ruimte meer" in refused.text
    assert db.scalar(select(Translation).where(Translation.case_id == case.id)) is None

    sent = post(browser, page, f"{page}/translation", {"agency": roomy.name, "due_days": "5"})
    assert sent.status_code == 303
    db.refresh(case)
    assert case.state is CaseState.IN_TRANSLATION
    job = db.scalar(select(Translation).where(Translation.case_id == case.id))
    assert job is not None
    assert job.agency_id == roomy.id


def test_a_selection_is_sent_once_with_a_report_per_case(factory, db):
    ready = [factory.case_in(CaseState.SUBMITTED) for _ in range(3)]
    agency = factory.agency()
    browser = planner_browser(factory)
    listing = browser.get("/planner/translations", headers=HTML)
    assert all(c.v_number in listing.text for c in ready)
    assert "formulieren vrij deze week" in listing.text

    none_ticked = post(
        browser, "/planner/translations", "/planner/translations/send", {"agency": agency.name}
    )
    assert none_ticked.status_code == 422
    assert 'href="#case_id"' in none_ticked.text
    no_agency = post(
        browser,
        "/planner/translations",
        "/planner/translations/send",
        {"case_id": [str(ready[0].id)], "due_days": "99"},
    )
    assert 'id="agency-error"' in no_agency.text
    assert 'id="due_days-error"' in no_agency.text
    assert 'value="99"' in no_agency.text
    assert re.search(rf'value="{ready[0].id}"\s+checked', no_agency.text)

    full = create_agency(db, "Vol Bureau", capacity_per_week=0)
    ticked = {"case_id": [str(c.id) for c in ready[:2]], "agency": full.name}
    to_full = post(browser, "/planner/translations", "/planner/translations/send", ticked)
    assert to_full.status_code == 409  # nothing could go there: the choice is refused
    assert 'id="agency-error"' in to_full.text
    assert "geen ruimte meer" in to_full.text
    assert db.scalar(select(Translation).where(Translation.case_id == ready[0].id)) is None

    data = {
        "csrf_token": csrf_of(listing.text),
        "case_id": [str(c.id) for c in ready],
        "agency": agency.name,
    }
    sent = browser.post("/planner/translations/send", data=data, headers=HTML)
    assert sent.status_code == 200
    assert "3 van 3 formulieren verstuurd." in sent.text
    again = browser.post("/planner/translations/send", data=data, headers=HTML)
    assert "0 van 3 formulieren verstuurd." in again.text
    for case in ready:
        jobs = db.scalars(select(Translation).where(Translation.case_id == case.id)).all()
        assert len(jobs) == 1


def test_the_planning_wishes_are_saved_on_the_case_page(factory, db):
    case = factory.case_in(CaseState.CONSENTED)
    location = factory.location()
    browser = planner_browser(factory)
    page = f"/planner/cases/{case.id}"
    saved = post(
        browser,
        page,
        f"{page}/planning-preference",
        {"location_id": str(location.id), "interpreter_gender": "female"},
    )
    assert saved.status_code == 303
    preference = db.get(PlanningPreference, case.id)
    assert preference is not None
    assert (preference.location_id, preference.interpreter_gender) == (location.id, "female")
    odd = post(browser, page, f"{page}/planning-preference", {"interpreter_gender": "x"})
    assert odd.status_code == 422
    assert 'id="interpreter_gender-error"' in odd.text
