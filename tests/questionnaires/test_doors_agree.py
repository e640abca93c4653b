"""Saving answers and a form whose time is up: the kiosk pages and the API are two doors
onto the same service functions, so the same input stores the same and is refused the
same (issue 15)."""

import ast
import html
import inspect
from datetime import timedelta

import pytest

from service.core.clock import utcnow
from service.core.settings import PROJECT_ROOT
from service.eligibility.policy import load_policy
from service.eligibility.service import screen_case
from service.models import Role
from service.questionnaires import service as questionnaires
from service.workflow import CaseState
from tests.helpers import API, assert_problem
from tests.questionnaires.test_kiosk_pages import HTML, POLICY, complete_for, post
from tests.questionnaires.test_kiosk_sections import started

NAME = "أمل حداد"
BAD_DATE = "32-13-1990"


@pytest.fixture
def two_applicants(client, db, factory):
    """Two kansrijk Syrian applicants with their form started in Arabic: one at the
    kiosk pages (signed in by cookie; the section page's html), one through the API
    (its bearer headers)."""
    cases = []
    for _ in range(2):
        case = factory.case(nationality="SY", languages=["ar"])
        screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(POLICY))
        driver = factory.driver()
        driver.drive(case, CaseState.CHECKED_IN)
        cases.append((case, driver.kiosk_codes[case.v_number]))
    (page_case, code), (api_case, _code) = cases
    section = started(client, code)
    api = factory.applicant_headers(api_case)
    assert client.post(f"{API}/kiosk/start", headers=api).status_code == 200
    return page_case, section.text, api_case, api


def stored(db, case) -> dict:
    db.expire_all()
    return questionnaires.answer_set_of(db, case).answers


def test_a_section_with_one_invalid_answer_keeps_the_others_through_both_doors(
    client, db, two_applicants
):
    page_case, section_html, api_case, api = two_applicants
    typed = {"full_name": NAME, "date_of_birth": BAD_DATE}

    page = post(client, "/kiosk/sections/identity", section_html, {**typed, "action": "next"})
    answered = client.put(f"{API}/kiosk/sections/identity", headers=api, json={"answers": typed})

    assert stored(db, page_case) == stored(db, api_case) == {"full_name": NAME}
    # The API saves and lists what it left out (200); the page shows the same beside the
    # fields, with what was typed, as the 422 of a form to correct.
    assert answered.status_code == 200, answered.text
    report = answered.json()
    assert report["answers"] == {"full_name": NAME}
    assert list(report["problems"]) == ["date_of_birth"]
    assert {"place_of_birth", "languages_spoken"} <= set(report["missing"])
    assert page.status_code == 422
    for key, message in {**report["problems"], **report["missing"]}.items():
        assert f'id="q-{key}-error"' in page.text
        assert html.escape(message) in page.text  # the same words, in Arabic
    assert f'value="{BAD_DATE}"' in page.text


def test_the_whole_form_save_keeps_the_valid_answers_too(client, db, two_applicants):
    _page_case, _html, api_case, api = two_applicants
    typed = {"full_name": NAME, "date_of_birth": BAD_DATE, "no_such_question": "x"}
    answered = client.put(f"{API}/kiosk/answers", headers=api, json={"answers": typed})
    assert answered.status_code == 200, answered.text
    assert set(answered.json()["problems"]) == {"date_of_birth", "no_such_question"}
    assert stored(db, api_case) == {"full_name": NAME}


def test_a_valid_section_is_stored_the_same_through_both_doors(client, db, two_applicants):
    page_case, section_html, api_case, api = two_applicants
    typed = {"full_name": NAME, "other_names": "أمولة", "date_of_birth": "17-04-1991"}
    post(client, "/kiosk/sections/identity", section_html, {**typed, "action": "next"})
    answered = client.put(f"{API}/kiosk/sections/identity", headers=api, json={"answers": typed})
    assert answered.json()["problems"] == {}
    assert stored(db, page_case) == stored(db, api_case) == typed


def test_answers_outside_the_section_are_refused_as_a_whole(client, db, two_applicants):
    _page_case, _html, api_case, api = two_applicants
    foreign = {"full_name": NAME, "reasons_account": "..."}
    answered = client.put(f"{API}/kiosk/sections/identity", headers=api, json={"answers": foreign})
    assert_problem(answered, 422, "invalid_answers")
    assert stored(db, api_case) == {}
    unknown = client.put(f"{API}/kiosk/sections/nowhere", headers=api, json={"answers": {}})
    assert_problem(unknown, 404, "form_not_found")


def time_is_up(db, *cases) -> None:
    for case in cases:
        questionnaires.save(db, case.id, {"full_name": NAME})
        questionnaires.answer_set_of(db, case).deadline_at = utcnow() - timedelta(seconds=1)
    db.flush()


def handed_in_as_saved(db, case) -> bool:
    db.expire_all()
    answer_set = questionnaires.answer_set_of(db, case)
    return (
        case.state is CaseState.SUBMITTED
        and answer_set.auto_submitted
        and answer_set.answers == {"full_name": NAME}
    )


def test_a_form_whose_time_is_up_is_handed_in_by_either_door(client, db, two_applicants):
    page_case, section_html, api_case, api = two_applicants
    time_is_up(db, page_case, api_case)

    later = {"full_name": "later"}
    page = post(client, "/kiosk/sections/identity", section_html, later, follow_redirects=False)
    refused = client.put(f"{API}/kiosk/answers", headers=api, json={"answers": {"x": None}})

    assert page.status_code == 303
    assert page.headers["location"].startswith("/kiosk/done?outcome=time")
    # The API refuses the save with the same outcome: handed in, nothing more taken.
    assert_problem(refused, 409, "form_closed")
    assert handed_in_as_saved(db, page_case)
    assert handed_in_as_saved(db, api_case)
    assert questionnaires.overdue_forms(db) == []  # nothing left for the sweep


def test_reading_a_form_whose_time_is_up_hands_it_in_through_either_door(
    client, db, two_applicants
):
    page_case, _html, api_case, api = two_applicants
    time_is_up(db, page_case, api_case)

    page = client.get("/kiosk/review", headers=HTML, follow_redirects=False)
    view = client.get(f"{API}/kiosk/form", headers=api)

    assert page.headers["location"].startswith("/kiosk/done?outcome=time")
    assert view.status_code == 200, view.text
    assert view.json()["case_state"] == "submitted"
    assert view.json()["answer_set"]["auto_submitted"] is True
    assert handed_in_as_saved(db, page_case)
    assert handed_in_as_saved(db, api_case)


def test_the_rule_for_what_is_kept_is_the_services_not_the_pages():
    """The pages parse the posted fields and show the outcome; which answers are kept,
    and when a form is closed or handed in, is decided in questionnaires/service.py."""
    pages = ast.parse((PROJECT_ROOT / "service/questionnaires/pages.py").read_text())
    names = {n.id for n in ast.walk(pages) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(pages) if isinstance(n, ast.Attribute)}
    rules = {"answer_problems", "validate_answers", "keep_valid", "auto_submit", "utcnow"}
    assert names & rules == set()
    # The service takes answers, not a function of the page's to call back.
    parameters = inspect.signature(questionnaires.save_section).parameters
    assert "read" not in parameters
    assert list(parameters) == ["db", "case_id", "section_id", "answers", "typed_by"]


def hand_in_by_page(client):
    review = client.get("/kiosk/review", headers=HTML)
    return post(client, "/kiosk/submit", review.text, {}, follow_redirects=False)


def test_handing_in_with_answers_missing_is_refused_by_both_doors(client, db, two_applicants):
    page_case, _html, api_case, api = two_applicants

    page = hand_in_by_page(client)
    refused = client.post(f"{API}/kiosk/submit", headers=api)

    assert page.status_code == 422
    assert_problem(refused, 422, "invalid_answers")
    assert 'href="/kiosk/sections/identity' in page.text  # the way back to what is missing
    assert page_case.state is api_case.state is CaseState.IN_PROGRESS


def test_a_complete_form_is_handed_in_the_same_through_both_doors(client, db, two_applicants):
    page_case, _html, api_case, api = two_applicants
    for case in (page_case, api_case):
        answer_set = questionnaires.answer_set_of(db, case)
        questionnaires.save(db, case.id, complete_for(answer_set))

    page = hand_in_by_page(client)
    handed_in = client.post(f"{API}/kiosk/submit", headers=api)

    assert page.headers["location"].startswith("/kiosk/done?outcome=submitted")
    assert handed_in.status_code == 200, handed_in.text
    db.expire_all()
    for case in (page_case, api_case):
        answer_set = questionnaires.answer_set_of(db, case)
        assert (case.state, answer_set.auto_submitted) == (CaseState.SUBMITTED, False)
