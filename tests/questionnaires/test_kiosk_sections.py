"""Saving a kiosk section (issue 15's browser walk): required answers are checked when a
section is saved, beside the fields, without stopping the applicant; a part opened from
the review goes straight back to it; the pages load the script that focuses the error
summary."""

import re

import pytest

from service.eligibility.policy import load_policy
from service.eligibility.service import screen_case
from service.models import Role
from service.questionnaires import service as questionnaires
from service.workflow import CaseState
from tests.questionnaires.test_kiosk_pages import (
    HTML,
    POLICY,
    complete_for,
    post,
    sign_in_at_kiosk,
)

PLEASE_ANSWER_AR = "يرجى الإجابة عن هذا السؤال."  # "Please answer this question."
GO_ON_LATER_AR = "يمكنك المتابعة الآن"  # "You can go on now ..."


@pytest.fixture
def checked_in(db, factory):
    """A kansrijk case screened under ind-2026, checked in; (case, kiosk code)."""
    case = factory.case(nationality="SY", languages=["ar"])
    screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(POLICY))
    driver = factory.driver()
    driver.drive(case, CaseState.CHECKED_IN)
    return case, driver.kiosk_codes[case.v_number]


def started(client, code: str):
    consent = sign_in_at_kiosk(client, code)
    return post(
        client,
        "/kiosk/consent",
        consent.text,
        {"lang": "ar", "choice": "yes"},
        follow_redirects=True,
    )


def go(client, path: str, page_html: str, data: dict):
    """Post without following the redirect (where it goes is what is tested)."""
    return post(client, path, page_html, data, follow_redirects=False)


def told_missing(html: str) -> list[str]:
    return re.findall(r'name="missing_shown" value="([^"]+)"', html)


def test_blank_required_answers_are_shown_beside_the_fields_once_then_the_applicant_goes_on(
    client, db, checked_in
):
    case, code = checked_in
    identity = started(client, code)
    typed = {"full_name": "أمل حداد", "other_names": "أمولة", "action": "next"}
    checked = post(client, "/kiosk/sections/identity", identity.text, typed)
    # Not a refusal: what was given is saved, the page says which answers are missing.
    assert checked.status_code == 200
    assert "/kiosk/sections/identity" in checked.text
    for key in ("date_of_birth", "place_of_birth", "languages_spoken"):
        assert f'id="q-{key}-error"' in checked.text
        assert re.search(f'aria-describedby="[^"]*q-{key}-error"', checked.text)
    assert 'id="q-full_name-error"' not in checked.text
    assert checked.text.count(PLEASE_ANSWER_AR) >= 3
    assert GO_ON_LATER_AR in checked.text
    assert 'id="error-summary"' in checked.text
    assert 'value="أمل حداد"' in checked.text  # nothing typed is lost
    assert 'value="أمولة"' in checked.text
    assert told_missing(checked.text) == ["date_of_birth", "place_of_birth", "languages_spoken"]
    db.expire_all()
    saved = questionnaires.answer_set_of(db, case).answers
    assert saved == {"full_name": "أمل حداد", "other_names": "أمولة"}

    # Going on with the same blanks: not stopped again.
    data = {**typed, "missing_shown": told_missing(checked.text)}
    went_on = go(client, "/kiosk/sections/identity", checked.text, data)
    assert went_on.status_code == 303
    assert went_on.headers["location"] == "/kiosk/sections/documents"


def test_a_new_blank_is_told_even_after_others_were(client, db, checked_in):
    _case, code = checked_in
    identity = started(client, code)
    data = {
        "full_name": "",
        "date_of_birth": "1991",
        "place_of_birth": "حلب",
        "languages_spoken": "العربية",
        "missing_shown": ["languages_spoken"],  # told before; full_name was given then
        "action": "next",
    }
    checked = post(client, "/kiosk/sections/identity", identity.text, data)
    assert checked.status_code == 200
    assert 'id="q-full_name-error"' in checked.text


def test_invalid_and_missing_answers_are_shown_together_and_the_valid_ones_kept(
    client, db, checked_in
):
    case, code = checked_in
    identity = started(client, code)
    data = {"full_name": "أمل حداد", "date_of_birth": "32-13-1990", "action": "next"}
    refused = post(client, "/kiosk/sections/identity", identity.text, data)
    assert refused.status_code == 422
    assert 'id="q-date_of_birth-error"' in refused.text
    assert 'id="q-place_of_birth-error"' in refused.text
    assert 'value="32-13-1990"' in refused.text  # shown again as typed
    db.expire_all()
    assert questionnaires.answer_set_of(db, case).answers == {"full_name": "أمل حداد"}


def test_going_back_does_not_check_for_blanks(client, checked_in):
    _case, code = checked_in
    identity = started(client, code)
    post(client, "/kiosk/sections/identity", identity.text, {"action": "next"})
    documents = client.get("/kiosk/sections/documents", headers=HTML)
    back = go(client, "/kiosk/sections/documents", documents.text, {"action": "back"})
    assert back.status_code == 303
    assert back.headers["location"] == "/kiosk/sections/identity"


def test_a_part_changed_from_the_review_goes_straight_back_to_it(client, db, checked_in):
    case, code = checked_in
    started(client, code)
    answer_set = questionnaires.answer_set_of(db, case)
    questionnaires.save(db, case.id, complete_for(answer_set))
    review = client.get("/kiosk/review", headers=HTML)
    assert 'href="/kiosk/sections/family?return=review"' in review.text

    family = client.get("/kiosk/sections/family?return=review", headers=HTML)
    assert 'action="/kiosk/sections/family?return=review"' in family.text
    assert 'value="review"' in family.text  # "Save and check your answers"
    assert 'name="action" value="next"' not in family.text
    data = {"marital_status": "single", "marital_status.shown": "1", "children_count": "4"}
    back = go(
        client, "/kiosk/sections/family?return=review", family.text, {**data, "action": "next"}
    )
    assert back.status_code == 303
    assert back.headers["location"] == "/kiosk/review"
    db.expire_all()
    assert questionnaires.answer_set_of(db, case).answers["children_count"] == 4

    # A blank required answer on the way back is told once, still on the way to the review.
    family = client.get("/kiosk/sections/family?return=review", headers=HTML)
    blank = {"marital_status.shown": "1", "children_count": "4", "action": "review"}
    checked = post(client, "/kiosk/sections/family?return=review", family.text, blank)
    assert checked.status_code == 200
    assert 'action="/kiosk/sections/family?return=review"' in checked.text
    blank["missing_shown"] = told_missing(checked.text)
    again = go(client, "/kiosk/sections/family?return=review", checked.text, blank)
    assert again.headers["location"] == "/kiosk/review"
    # The review's summary of what is missing links back the same way.
    review = client.get("/kiosk/review", headers=HTML)
    refused = post(client, "/kiosk/submit", review.text, {})
    assert refused.status_code == 422
    assert 'href="/kiosk/sections/family?return=review#q-marital_status"' in refused.text


def test_kiosk_pages_load_the_script_that_focuses_the_error_summary(client, checked_in):
    _case, code = checked_in
    for page in (client.get("/kiosk?lang=ar", headers=HTML), started(client, code)):
        assert '<script src="/static/js/app.js" defer></script>' in page.text
    script = client.get("/static/js/app.js")
    assert script.status_code == 200
    assert 'getElementById("error-summary")' in script.text
