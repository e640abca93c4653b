"""The kiosk pages: code, own consent, sections without JavaScript, autosave, resume on a
new code, review and submit, nothing after submit, time-up, decline."""

import re
from datetime import timedelta

import pytest

from service.auth.service import new_kiosk_code
from service.core.clock import utcnow
from service.eligibility.policy import load_policy
from service.eligibility.service import screen_case
from service.models import Role
from service.questionnaires import service as questionnaires
from service.questionnaires.kiosk_texts import kiosk_gettext
from service.workflow import CaseState
from tests.helpers import csrf_of

POLICY = "ind-2026"
HTML = {"accept": "text/html"}


@pytest.fixture
def checked_in(db, factory):
    """A kansrijk case screened under ind-2026, checked in; (case, kiosk code)."""
    case = factory.case(nationality="SY", languages=["ar"])
    screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(POLICY))
    driver = factory.driver()
    driver.drive(case, CaseState.CHECKED_IN)
    return case, driver.kiosk_codes[case.v_number]


def sign_in_at_kiosk(client, code: str, lang: str = "ar"):
    page = client.get(f"/kiosk?lang={lang}", headers=HTML)
    assert page.status_code == 200
    return client.post(
        "/kiosk",
        data={"code": code, "lang": lang, "csrf_token": csrf_of(page.text)},
        headers=HTML,
        follow_redirects=True,
    )


def post(client, path: str, page_html: str, data: dict, **kwargs):
    return client.post(
        path, data={**data, "csrf_token": csrf_of(page_html)}, headers=HTML, **kwargs
    )


def test_the_whole_kiosk_without_javascript(client, db, checked_in):
    case, code = checked_in
    consent = sign_in_at_kiosk(client, code)
    assert 'dir="rtl"' in consent.text
    assert 'lang="ar"' in consent.text
    assert "هل توافق أنت بنفسك" in consent.text  # the consent question in Arabic
    first = post(
        client,
        "/kiosk/consent",
        consent.text,
        {"lang": "ar", "choice": "yes"},
        follow_redirects=True,
    )
    assert first.url.path == "/kiosk/sections/identity"
    answer_set = questionnaires.answer_set_of(db, case)
    assert answer_set.form_id == "written-hearing"
    assert answer_set.form_version == 3
    assert answer_set.form_hash == questionnaires.form_of(answer_set).content_hash
    assert answer_set.consented_at is not None

    # A bad date is refused beside the field, in Arabic; the valid answers are kept.
    refused = post(
        client,
        "/kiosk/sections/identity",
        first.text,
        {
            "identity_full_name": "x",
            "full_name": "أمل حداد",
            "date_of_birth": "32-13-1990",
            "place_of_birth": "حلب، سوريا",
            "languages_spoken": "العربية",
            "action": "next",
        },
    )
    assert refused.status_code == 422
    assert "اكتب تاريخًا مثل" in refused.text
    assert 'aria-describedby="q-date_of_birth-hint q-date_of_birth-error"' in refused.text
    db.expire_all()
    saved = questionnaires.answer_set_of(db, case).answers
    assert saved["full_name"] == "أمل حداد"
    assert "date_of_birth" not in saved

    documents = post(
        client,
        "/kiosk/sections/identity",
        refused.text,
        {
            "full_name": "أمل حداد",
            "date_of_birth": "1991",
            "date_of_birth.approx": "1",
            "place_of_birth": "حلب، سوريا",
            "languages_spoken": "العربية",
            "action": "next",
        },
        follow_redirects=True,
    )
    assert documents.url.path == "/kiosk/sections/documents"
    # A yes opens the follow-up group on the same page (no JavaScript needed).
    again = post(
        client,
        "/kiosk/sections/documents",
        documents.text,
        {"has_documents": "yes", "has_documents.shown": "1", "action": "next"},
        follow_redirects=True,
    )
    assert again.url.path == "/kiosk/sections/documents"
    assert 'name="documents.0.kind"' in again.text
    family = post(
        client,
        "/kiosk/sections/documents",
        again.text,
        {
            "has_documents": "yes",
            "has_documents.shown": "1",
            "documents.0.kind": "passport",
            "documents.0.kind.shown": "1",
            "documents.0.whereabouts": "given_to_ind",
            "documents.0.whereabouts.shown": "1",
            "action": "next",
        },
        follow_redirects=True,
    )
    assert family.url.path == "/kiosk/sections/family"
    db.expire_all()
    answers = questionnaires.answer_set_of(db, case).answers
    assert answers["date_of_birth"] == "~1991"
    assert answers["documents"] == [{"kind": "passport", "whereabouts": "given_to_ind"}]

    # Autosave (what the script sends) keeps an answer as it is typed.
    saved = post(
        client,
        "/kiosk/autosave/family",
        family.text,
        {"marital_status": "single", "marital_status.shown": "1", "children_count": "0"},
    )
    assert saved.json() == {"saved": True, "problems": {}}

    # The browser dies: the host issues a new code; the applicant resumes right there.
    client.cookies.clear()
    booking = factory_booking(db, case)
    resumed = sign_in_at_kiosk(client, new_kiosk_code(db, booking))
    assert resumed.url.path == "/kiosk/sections/family"
    assert 'value="0"' in resumed.text

    # Fill the rest through the service (as saved) and hand in from the review page.
    db.expire_all()
    given = questionnaires.answer_set_of(db, case).answers
    rest = {k: v for k, v in complete_for(answer_set).items() if k not in given}
    questionnaires.save(db, case.id, rest)
    review = client.get("/kiosk/review", headers=HTML)
    assert "أمل حداد" in review.text
    assert "حوالي 1991" in review.text
    finished = post(client, "/kiosk/submit", review.text, {}, follow_redirects=True)
    assert finished.url.path == "/kiosk/done"
    db.expire_all()
    assert case.state is CaseState.SUBMITTED
    # Signed out: Back (any kiosk page) shows nothing of the applicant.
    back = client.get("/kiosk/sections/family", headers=HTML, follow_redirects=True)
    assert back.url.path == "/kiosk"
    assert "أمل" not in back.text
    assert back.headers["cache-control"] == "no-store"


def factory_booking(db, case):
    from service.sessions.service import active_booking_for

    booking = active_booking_for(db, case.id)
    assert booking is not None
    return booking


def complete_for(answer_set):
    from service.dev.driver import complete_answers

    return complete_answers(questionnaires.form_of(answer_set))


def test_nothing_can_change_after_submit_through_api_or_pages(client, db, factory, checked_in):
    case, _code = checked_in
    applicant = factory.applicant_headers(case)
    questionnaires.start(db, case, factory.person(Role.PLANNER).actor, "ar")
    answer_set = questionnaires.answer_set_of(db, case)
    questionnaires.save(db, case.id, complete_for(answer_set))
    questionnaires.submit(db, case, factory.person(Role.PLANNER).actor)
    before = dict(questionnaires.answer_set_of(db, case).answers)
    # The kiosk token ended with the hand-in; even a token issued afterwards changes nothing.
    change = {"answers": {"full_name": "X"}}
    ended = client.put("/api/v1/kiosk/answers", json=change, headers=applicant)
    assert ended.status_code == 401
    later = factory.applicant_headers(case)
    refused = client.put("/api/v1/kiosk/answers", json=change, headers=later)
    assert refused.status_code == 409
    # Nor does a code: the form has left the kiosk.
    page = sign_in_at_kiosk(client, new_kiosk_code(db, factory_booking(db, case)))
    assert page.status_code == 422
    assert page.url.path == "/kiosk"
    db.expire_all()
    assert questionnaires.answer_set_of(db, case).answers == before


def test_at_the_time_limit_the_form_is_handed_in_as_saved(client, db, factory, checked_in):
    case, code = checked_in
    page = sign_in_at_kiosk(client, code)
    post(client, "/kiosk/consent", page.text, {"lang": "ar", "choice": "yes"})
    questionnaires.save(db, case.id, {"full_name": "Amal"})
    answer_set = questionnaires.answer_set_of(db, case)
    answer_set.deadline_at = utcnow() - timedelta(seconds=1)
    db.flush()
    over = client.get("/kiosk/sections/identity", headers=HTML, follow_redirects=True)
    assert over.url.path == "/kiosk/done"
    assert "انتهى الوقت" in over.text
    db.expire_all()
    answer_set = questionnaires.answer_set_of(db, case)
    assert answer_set.auto_submitted
    assert answer_set.answers == {"full_name": "Amal"}
    assert case.state is CaseState.SUBMITTED


def test_the_autosave_refuses_in_the_order_the_kiosk_checks(client, db, checked_in):
    """What the page's script learns when nothing is kept, first things first: a form
    whose time is up is handed in as saved (409), before the section or who typed is
    looked at; a part of the form that does not exist is 404; answers said to be typed by
    a helper nobody allowed are refused with the reason in the applicant's language."""
    case, code = checked_in
    page = sign_in_at_kiosk(client, code)
    first = post(client, "/kiosk/consent", page.text, {"lang": "ar", "choice": "yes"})
    assert first.url.path == "/kiosk/sections/identity"
    token = csrf_of(first.text)

    def autosave(section: str, fields: dict[str, str]):
        return client.post(f"/kiosk/autosave/{section}", data={**fields, "csrf_token": token})

    assert autosave("identity", {"full_name": "Amal"}).json() == {"saved": True, "problems": {}}
    helper = {"full_name": "X", "typed_by": "helper"}
    assert autosave("nowhere", {"full_name": "X"}).status_code == 404
    assert autosave("nowhere", helper).status_code == 404
    refused = autosave("identity", helper)
    assert refused.status_code == 422
    nobody = "Nobody may type for you here. Ask the host."
    assert refused.json() == {"saved": False, "error": kiosk_gettext("ar")(nobody)}
    answer_set = questionnaires.answer_set_of(db, case)
    answer_set.deadline_at = utcnow() - timedelta(seconds=1)
    db.flush()
    late = autosave("nowhere", helper)
    assert late.status_code == 409
    assert late.json()["code"] == "form_closed"
    db.expire_all()
    answer_set = questionnaires.answer_set_of(db, case)
    assert answer_set.auto_submitted
    assert answer_set.answers == {"full_name": "Amal"}
    assert case.state is CaseState.SUBMITTED


def test_declining_at_the_kiosk_ends_the_written_track(client, db, checked_in):
    case, code = checked_in
    page = sign_in_at_kiosk(client, code, lang="ti")
    assert "ባዕልኹም ነቶም ሕቶታት" in page.text
    said_no = post(
        client, "/kiosk/consent", page.text, {"lang": "ti", "choice": "no"}, follow_redirects=True
    )
    assert said_no.url.path == "/kiosk/done"
    assert "ኣይፋል ኢልኩም" in said_no.text
    db.expire_all()
    assert case.state is CaseState.WITHDRAWN
    assert questionnaires.answer_set_of(db, case) is None


def test_a_wrong_code_is_refused_in_the_chosen_language(client):
    refused = sign_in_at_kiosk(client, "ZZZZ-ZZZZ", lang="fa")
    assert refused.status_code == 422
    assert "این کد کار نمی‌کند" in refused.text
    assert re.search(r'aria-describedby="code-hint code-error"', refused.text)


def test_the_planner_sees_what_is_unreviewed(client, factory):
    from tests.helpers import sign_in

    planner = factory.person(Role.PLANNER)
    sign_in(client, planner.user.username)
    page = client.get("/planner/forms", headers=HTML)
    assert page.status_code == 200
    assert "written-hearing@2" in page.text
    assert "ar, fa, tr, ti" in page.text


def test_the_code_page_signs_out_whoever_was_at_the_kiosk(client, checked_in):
    _case, code = checked_in
    consent = sign_in_at_kiosk(client, code)
    assert consent.url.path == "/kiosk/consent"
    client.get("/kiosk", headers=HTML)  # the next person's start page
    gone = client.get("/kiosk/consent", headers=HTML, follow_redirects=False)
    assert gone.status_code == 303
    assert gone.headers["location"].startswith("/kiosk")
    assert "هل توافق" not in client.get("/kiosk/consent", headers=HTML).text
