"""A kiosk sign-in (the API's bearer token and the page's cookie, both a kiosk token)
lives no longer than the applicant's turn at the kiosk: a new code from the host, a
hand-in (API or page), the end of the session window and the case leaving the form
state end every earlier kiosk token of the case at once."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from service.core.clock import utcnow
from service.eligibility.policy import load_policy
from service.eligibility.service import screen_case
from service.models import ApiToken, HearingSession, Role
from service.questionnaires import service as questionnaires
from service.workflow import CaseState
from tests.helpers import API, assert_problem, ok
from tests.questionnaires.test_kiosk_pages import HTML, POLICY, complete_for, post

FORM = f"{API}/kiosk/form"


@pytest.fixture
def at_kiosk(db, factory):
    """A kansrijk case checked in at a session; (case, booking)."""
    case = factory.case(nationality="SY", languages=["ar"])
    screen_case(db, case, factory.person(Role.PLANNER).actor, load_policy(POLICY))
    factory.driver().drive(case, CaseState.CHECKED_IN)
    return case, factory.booking(case)


def new_code(client, factory, booking) -> str:
    host = factory.person(Role.HOST)
    return ok(client.post(f"{API}/bookings/{booking.id}/kiosk-code", headers=host.headers))[
        "kiosk_code"
    ]


def api_sign_in(client, code: str) -> dict[str, str]:
    token = ok(client.post(f"{API}/kiosk/login", json={"code": code}))["access_token"]
    return {"Authorization": f"Bearer {token}"}


def page_sign_in(client, code: str):
    """The kiosk page's sign-in: afterwards the client holds the kiosk cookie."""
    page = client.get("/kiosk?lang=ar", headers=HTML)
    return post(client, "/kiosk", page.text, {"code": code, "lang": "ar"}, follow_redirects=True)


def page_signed_in(client, path: str = "/kiosk/consent") -> bool:
    """Whether the kiosk cookie still opens a kiosk page (else: back to the code page)."""
    page = client.get(path, headers=HTML, follow_redirects=False)
    assert page.status_code in (200, 303), page.text
    return page.status_code == 200


def api_signed_in(client, headers: dict[str, str]) -> bool:
    response = client.get(FORM, headers=headers)
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


def test_a_new_code_ends_the_earlier_kiosk_sign_ins(client, factory, at_kiosk):
    _case, booking = at_kiosk
    assert page_sign_in(client, new_code(client, factory, booking)).url.path == "/kiosk/consent"
    assert page_signed_in(client)

    # The kiosk crashed: the host hands out a new code. The page's cookie ends with it.
    api = api_sign_in(client, new_code(client, factory, booking))
    assert api_signed_in(client, api)
    assert not page_signed_in(client)

    # And again: the API's bearer token ends too.
    new_code(client, factory, booking)
    assert not api_signed_in(client, api)


def test_handing_in_through_the_api_ends_every_kiosk_token(client, db, factory, at_kiosk):
    case, booking = at_kiosk
    api = api_sign_in(client, new_code(client, factory, booking))
    other = factory.applicant_headers(case)  # any other token of the case
    ok(client.post(f"{API}/kiosk/start", headers=api))
    answers = complete_for(questionnaires.answer_set_of(db, case))
    ok(client.put(f"{API}/kiosk/answers", json={"answers": answers}, headers=api))
    ok(client.post(f"{API}/kiosk/submit", headers=api))

    # The answers are no longer readable with the token that handed them in, nor any other.
    assert not api_signed_in(client, api)
    assert not api_signed_in(client, other)


def test_handing_in_on_the_page_ends_every_kiosk_token(client, db, factory, at_kiosk):
    case, booking = at_kiosk
    consent = page_sign_in(client, new_code(client, factory, booking))
    post(client, "/kiosk/consent", consent.text, {"lang": "ar", "choice": "yes"})
    other = factory.applicant_headers(case)  # a token the page's hand-in does not hold
    questionnaires.save(db, case.id, complete_for(questionnaires.answer_set_of(db, case)))
    review = client.get("/kiosk/review", headers=HTML)
    done = post(client, "/kiosk/submit", review.text, {}, follow_redirects=True)
    assert done.url.path == "/kiosk/done"

    assert not page_signed_in(client, "/kiosk/review")
    assert not api_signed_in(client, other)


@pytest.mark.parametrize("door", ["api", "page"])
def test_the_end_of_the_session_window_ends_the_kiosk_token(client, db, factory, at_kiosk, door):
    _case, booking = at_kiosk
    code = new_code(client, factory, booking)
    if door == "api":
        api = api_sign_in(client, code)
        signed_in = lambda: api_signed_in(client, api)  # noqa: E731
    else:
        page_sign_in(client, code)
        signed_in = lambda: page_signed_in(client)  # noqa: E731
    session = db.get_one(HearingSession, booking.session_id)
    window_end = session.starts_at + timedelta(minutes=session.duration_minutes)
    token = db.scalars(
        select(ApiToken).where(ApiToken.case_id == booking.case_id, ApiToken.revoked_at.is_(None))
    ).one()
    assert token.expires_at == window_end
    assert signed_in()

    # The session is over.
    with time_machine.travel(window_end + timedelta(seconds=1), tick=False):
        assert not signed_in()


def test_no_code_outlives_the_session_window(client, db, factory, at_kiosk):
    _case, booking = at_kiosk
    session = db.get_one(HearingSession, booking.session_id)
    # The window closes in five minutes: a code issued now is good for five, not fifteen.
    session.starts_at = utcnow() - timedelta(minutes=session.duration_minutes - 5)
    db.flush()
    new_code(client, factory, booking)
    window_end = session.starts_at + timedelta(minutes=session.duration_minutes)
    (live,) = [c for c in booking_codes(db, booking) if c.revoked_at is None]
    assert live.expires_at == window_end


def booking_codes(db, booking):
    from service.models import KioskCode

    return db.scalars(select(KioskCode).where(KioskCode.booking_id == booking.id)).all()


def test_the_case_leaving_the_form_state_ends_the_kiosk_token(client, db, factory, at_kiosk):
    case, booking = at_kiosk
    consent = page_sign_in(client, new_code(client, factory, booking))
    post(client, "/kiosk/consent", consent.text, {"lang": "ar", "choice": "yes"})
    api = factory.applicant_headers(case)
    assert page_signed_in(client, "/kiosk/review")
    assert api_signed_in(client, api)

    # The lawyer withdraws consent while the applicant is at the kiosk.
    lawyer = factory.person(Role.LAWYER)
    withdrawn = client.post(
        f"{API}/cases/{case.id}/withdraw",
        json={"reason": "consent withdrawn"},
        headers=lawyer.headers,
    )
    ok(withdrawn)
    assert not page_signed_in(client, "/kiosk/review")
    assert not api_signed_in(client, api)


def test_no_code_signs_in_once_the_form_has_left_the_kiosk(client, db, factory, at_kiosk):
    case, booking = at_kiosk
    unused = new_code(client, factory, booking)  # handed over, not typed in yet
    applicant = factory.applicant_headers(case)
    ok(client.post(f"{API}/kiosk/start", headers=applicant))
    answers = complete_for(questionnaires.answer_set_of(db, case))
    ok(client.put(f"{API}/kiosk/answers", json={"answers": answers}, headers=applicant))
    ok(client.post(f"{API}/kiosk/submit", headers=applicant))

    refused = client.post(f"{API}/kiosk/login", json={"code": unused})
    assert_problem(refused, 401, "kiosk_code_invalid")
    host = factory.person(Role.HOST)
    again = client.post(f"{API}/bookings/{booking.id}/kiosk-code", headers=host.headers)
    assert_problem(again, 409, "not_at_the_kiosk")


def test_the_time_limit_ends_the_kiosk_token(client, db, factory, at_kiosk):
    case, booking = at_kiosk
    api = api_sign_in(client, new_code(client, factory, booking))
    ok(client.post(f"{API}/kiosk/start", headers=api))
    answer_set = questionnaires.answer_set_of(db, case)
    answer_set.deadline_at = utcnow() - timedelta(seconds=1)
    db.flush()
    assert questionnaires.auto_submit(db, case.id)  # the sweep hands the form in
    assert not api_signed_in(client, api)


def test_at_the_window_end_the_countdown_still_says_the_form_was_handed_in(
    client, db, factory, at_kiosk
):
    case, booking = at_kiosk
    consent = page_sign_in(client, new_code(client, factory, booking))
    post(client, "/kiosk/consent", consent.text, {"lang": "ar", "choice": "yes"})
    questionnaires.save(db, case.id, {"full_name": "Amal"})
    # Time left: the countdown's page carries on with the form.
    early = client.get("/kiosk/time-up?lang=ar", headers=HTML, follow_redirects=False)
    assert early.headers["location"] == "/kiosk/continue?lang=ar"

    session = db.get_one(HearingSession, booking.session_id)
    window_end = session.starts_at + timedelta(minutes=session.duration_minutes)
    with time_machine.travel(window_end + timedelta(seconds=1), tick=False):
        # The sign-in has run out with the window; the countdown's last call still hands
        # in what was saved and says so (before the sweep does), and shows nothing else.
        assert not page_signed_in(client, "/kiosk/review")
        over = client.get("/kiosk/time-up?lang=ar", headers=HTML, follow_redirects=True)
    assert over.url.path == "/kiosk/done"
    assert over.url.params["outcome"] == "time"
    assert "Amal" not in over.text
    db.expire_all()
    answer_set = questionnaires.answer_set_of(db, case)
    assert answer_set.auto_submitted
    assert answer_set.answers == {"full_name": "Amal"}
    assert case.state is CaseState.SUBMITTED
    # Nothing left to say: the next call is the code page.
    again = client.get("/kiosk/time-up?lang=ar", headers=HTML, follow_redirects=False)
    assert again.headers["location"] == "/kiosk?lang=ar"


def test_a_kiosk_page_opened_as_the_window_closes_still_says_the_form_was_handed_in(
    client, db, factory, at_kiosk
):
    """The countdown's /kiosk/time-up can answer "carry on" a moment before the window
    closes; the page it then opens finds the sign-in ended. That page goes through
    /kiosk/time-up too (CI once ended on the code page instead)."""
    case, booking = at_kiosk
    consent = page_sign_in(client, new_code(client, factory, booking))
    post(client, "/kiosk/consent", consent.text, {"lang": "ar", "choice": "yes"})
    questionnaires.save(db, case.id, {"full_name": "Amal"})
    session = db.get_one(HearingSession, booking.session_id)
    window_end = session.starts_at + timedelta(minutes=session.duration_minutes)
    with time_machine.travel(window_end + timedelta(seconds=1), tick=False):
        ended = client.get("/kiosk/continue?lang=ar", headers=HTML, follow_redirects=False)
        assert ended.headers["location"].startswith("/kiosk/time-up")
        over = client.get("/kiosk/continue?lang=ar", headers=HTML, follow_redirects=True)
    assert over.url.path == "/kiosk/done"
    assert over.url.params["outcome"] == "time"
    db.expire_all()
    assert questionnaires.answer_set_of(db, case).auto_submitted


def test_a_stranger_without_a_kiosk_cookie_still_gets_the_code_page(client):
    page = client.get("/kiosk/continue?lang=ar", headers=HTML, follow_redirects=False)
    assert page.headers["location"].startswith("/kiosk?next=")
