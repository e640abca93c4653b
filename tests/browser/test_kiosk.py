"""The kiosk in a real browser: a host checks an applicant in, the applicant fills the form
in Arabic, the browser dies mid-way, the applicant resumes on a new code and hands in;
Back then shows nothing. Every kiosk page passes axe in Arabic, Tigrinya and Dutch."""

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.second_factor import enrol_known_secret
from service.auth.service import create_user, new_kiosk_code
from service.core.clock import utcnow
from service.core.db import make_engine
from service.eligibility.policy import load_policy
from service.eligibility.service import screen_case
from service.models import Case, Role
from service.models.questionnaires import AnswerSet
from service.models.sessions import Booking, Location
from service.sessions.schemas import LocationIn
from service.sessions.service import active_booking_for, book, create_location
from service.workflow import CaseState
from tests.browser.conftest import (
    PASSWORD,
    LiveServer,
    assert_accessible,
    snap,
    user_for,
)
from tests.factories import Factory
from tests.helpers import TOTP_SECRET, totp_code

POLICY = "ind-2026"
WINDOW = timedelta(minutes=240)  # a session's default window


KIOSK_LOCATION = "IND Kioskstraat"  # its own location and host: other tests' seat lists
KIOSK_HOST = "host.kiosk"  # stay as they are


def kiosk_location(db: Session) -> Location:
    """This file's location, with its own host (made once per live server)."""
    found = db.scalar(select(Location).where(Location.name == KIOSK_LOCATION))
    if found is not None:
        return found
    location = create_location(
        db, LocationIn(name=KIOSK_LOCATION, address="Kioskstraat 1", kiosks=8)
    )
    host = user_for(Role.HOST).model_copy(
        update={
            "username": KIOSK_HOST,
            "email": "host.kiosk@hearing.test",
            "location": KIOSK_LOCATION,
        }
    )
    enrol_known_secret(db, create_user(db, host), TOTP_SECRET)
    return location


def seed_scheduled_case(
    server: LiveServer,
    name: str,
    language: str,
    window_left: timedelta | None = None,
    policy: str = POLICY,
) -> tuple[str, str]:
    """A kansrijk case under ``policy`` booked at the browser host's location:
    (case id, booking id). ``window_left``: the session's window ends that soon."""
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as db:
            factory = Factory(db)
            factory._location = kiosk_location(db)
            case = factory.case(nationality="SY", languages=[language], applicant_name=name)
            planner = factory.person(Role.PLANNER).actor
            screen_case(db, case, planner, load_policy(policy))
            if window_left is None:
                factory.driver().drive(case, CaseState.SCHEDULED)
            else:
                factory.driver().drive(case, CaseState.CONSENTED)
                hearing = factory.session(language)
                book(db, hearing, case, planner)
                # Time passes: the session has been running until its window nearly ends.
                hearing.starts_at = utcnow() + window_left - WINDOW
            booking = active_booking_for(db, case.id)
            assert booking is not None
            ids = (str(case.id), str(booking.id))
            db.commit()
    finally:
        engine.dispose()
    return ids


def identity_on_document(server: LiveServer, booking_id: str) -> dict[str, str | None]:
    """What the host reads from the applicant's identity document."""
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as db:
            booking = db.get_one(Booking, uuid.UUID(booking_id))
            case = db.get_one(Case, booking.case_id)
            born = case.date_of_birth.isoformat() if case.date_of_birth else None
            return {
                "applicant_name": case.applicant_name,
                "date_of_birth": born,
                "v_number": case.v_number,
            }
    finally:
        engine.dispose()


_host_tokens: dict[str, str] = {}


def host_token(page: Page, server: LiveServer) -> str:
    """The host signs in to the API (password and second factor) once per live server; the
    token is good for hours (a code is good once: signing in for every check-in waited
    for new time steps). The host is made with this file's location: on a fresh test
    worker that may not have happened yet."""
    if server.url in _host_tokens:
        return _host_tokens[server.url]
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as db:
            kiosk_location(db)
            db.commit()
    finally:
        engine.dispose()
    answer = page.request.post(
        "/api/v1/auth/token",
        data={"username": KIOSK_HOST, "password": PASSWORD, "code": totp_code(KIOSK_HOST)},
    )
    assert answer.ok, answer.text()
    _host_tokens[server.url] = str(answer.json()["access_token"])
    return _host_tokens[server.url]


def host_checks_in(page: Page, server: LiveServer, booking_id: str, token: str = "") -> str:
    """The host (at this location) checks the applicant in over the API: the kiosk code."""
    token = token or host_token(page, server)
    response = page.request.post(
        f"/api/v1/bookings/{booking_id}/check-in",
        data={"applicant_consent_confirmed": True, **identity_on_document(server, booking_id)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.ok, response.text()
    return str(response.json()["kiosk_code"])


def reissue_code(server: LiveServer, case_id: str) -> str:
    """The host gives a new code (issue 8b builds the button; the service is the same)."""
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as db:
            booking = active_booking_for(db, uuid.UUID(case_id))
            assert booking is not None
            code = new_kiosk_code(db, booking)
            db.commit()
    finally:
        engine.dispose()
    return code


def stored(server: LiveServer, case_id: str) -> tuple[CaseState, AnswerSet | None]:
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as db:
            case = db.get_one(Case, uuid.UUID(case_id))
            answer_set = db.scalar(select(AnswerSet).where(AnswerSet.case_id == case.id))
            if answer_set is not None:
                db.expunge(answer_set)
            return CaseState(case.state), answer_set
    finally:
        engine.dispose()


def enter_code(page: Page, code: str, language: str) -> None:
    page.goto(f"/kiosk?lang={language}")
    page.locator("#code").fill(code)
    page.locator("form[action='/kiosk'] button[type=submit]").click()
    page.wait_for_load_state()


def next_part(page: Page) -> None:
    page.locator("button[name=action][value=next]").click()
    page.wait_for_load_state()


def choose(page: Page, name: str, value: str) -> None:
    page.locator(f"input[name='{name}'][value='{value}']").check()


MIRRORED = "matrix(-1, 0, 0, 1, 0, 0)"


def arrow_transform(page: Page) -> str:
    """How the Start button's arrow is drawn (mirrored in right-to-left)."""
    return str(
        page.locator("form[action='/kiosk'] .kiosk-arrow-forward").evaluate(
            "element => getComputedStyle(element).transform"
        )
    )


def option_style(page: Page, name: str, value: str) -> tuple[str, str, str]:
    """A choice's row as drawn: (background, border colour, label weight)."""
    row = page.locator(f".kiosk-option:has(input[name='{name}'][value='{value}'])")
    style = row.evaluate(
        "row => { const s = getComputedStyle(row);"
        " const l = getComputedStyle(row.querySelector('label'));"
        " return [s.backgroundColor, s.borderTopColor, l.fontWeight]; }"
    )
    return style[0], style[1], style[2]


def test_arabic_applicant_resumes_on_a_new_code_and_hands_in(
    browser: Browser, live_server: LiveServer, page: Page
) -> None:
    case_id, booking_id = seed_scheduled_case(live_server, "أمل حداد", "ar")
    code = host_checks_in(page, live_server, booking_id)

    kiosk = browser.new_context(base_url=live_server.url, locale="ar")
    applicant = kiosk.new_page()
    enter_code(applicant, code, "ar")
    expect(applicant.locator("html")).to_have_attribute("dir", "rtl")
    expect(applicant).to_have_url(f"{live_server.url}/kiosk/consent?lang=ar")
    snap(applicant, "ar-consent")
    applicant.locator("button[name=choice][value=yes]").click()
    expect(applicant).to_have_url(f"{live_server.url}/kiosk/sections/identity")
    expect(applicant.locator("[data-countdown]")).to_have_text(re.compile(r"^\d:\d\d:\d\d$"))

    applicant.locator("#q-full_name").fill("أمل حداد")
    applicant.locator("#q-date_of_birth").fill("1991")
    applicant.locator("#q-date_of_birth-approx").check()
    applicant.locator("#q-place_of_birth").fill("حلب، سوريا")
    applicant.locator("#q-languages_spoken").fill("العربية، الكردية")
    snap(applicant, "ar-identity")
    next_part(applicant)

    expect(applicant).to_have_url(f"{live_server.url}/kiosk/sections/documents")
    choose(applicant, "has_documents", "yes")
    next_part(applicant)  # the follow-up group appears on the same page
    choose(applicant, "documents.0.kind", "passport")
    choose(applicant, "documents.0.whereabouts", "given_to_ind")
    snap(applicant, "ar-documents")
    next_part(applicant)

    expect(applicant).to_have_url(f"{live_server.url}/kiosk/sections/family")
    choose(applicant, "marital_status", "married")
    applicant.locator("#q-children_count").fill("2")
    # Autosave: the script sends it as it is typed, no button pressed.
    expect(applicant.locator("[data-autosave-status]")).to_contain_text("تم الحفظ")
    # The chosen option is plain to see: its row tinted and framed, its label bold.
    assert option_style(applicant, "marital_status", "married") == (
        "rgb(220, 227, 234)",
        "rgb(21, 66, 115)",
        "700",
    )
    assert option_style(applicant, "marital_status", "single")[0] == "rgba(0, 0, 0, 0)"
    dot = applicant.locator("input[name=marital_status][value=married]").evaluate(
        "radio => getComputedStyle(radio).backgroundImage"
    )
    assert dot.startswith("radial-gradient(circle, rgb(21, 66, 115) 0px"), dot  # a filled dot
    assert_accessible(applicant)  # as saved: the chosen option included
    snap(applicant, "ar-chosen-option")
    kiosk.close()  # the browser dies mid-way

    state, answer_set = stored(live_server, case_id)
    assert state is CaseState.IN_PROGRESS
    assert answer_set is not None
    assert answer_set.answers["children_count"] == 2
    assert answer_set.answers["date_of_birth"] == "~1991"

    second = browser.new_context(base_url=live_server.url, locale="ar")
    applicant = second.new_page()
    enter_code(applicant, reissue_code(live_server, case_id), "ar")
    expect(applicant).to_have_url(f"{live_server.url}/kiosk/sections/family")
    expect(applicant.locator("#q-children_count")).to_have_value("2")
    expect(applicant.locator("input[name=marital_status][value=married]")).to_be_checked()
    next_part(applicant)

    applicant.locator("#q-left_country_on").fill("03-2019")
    applicant.locator("#q-arrived_netherlands_on").fill("11-2019")
    next_part(applicant)
    applicant.locator("#q-reasons_account").fill("غادرت بسبب الحرب والاعتقالات في حيّنا.")
    applicant.locator("#q-reasons_trigger").fill("تم استدعائي للخدمة العسكرية.")
    choose(applicant, "trouble_with_others", "no")
    next_part(applicant)
    applicant.locator("#q-return_fear").fill("أخاف أن يتم اعتقالي.")
    next_part(applicant)
    choose(applicant, "health_problems", "no")
    next_part(applicant)
    applicant.locator("button[name=action][value=review]").click()
    expect(applicant).to_have_url(f"{live_server.url}/kiosk/review")
    expect(applicant.locator("main")).to_contain_text("حوالي 1991")
    snap(applicant, "ar-review")
    # Change an answer from the review: one save and the applicant is back at the review.
    applicant.locator("a[href='/kiosk/sections/family?return=review']").click()
    applicant.locator("#q-children_count").fill("3")
    applicant.locator("button[name=action][value=review]").click()
    expect(applicant).to_have_url(f"{live_server.url}/kiosk/review")
    applicant.locator("form[action='/kiosk/submit'] button").click()
    expect(applicant).to_have_url(f"{live_server.url}/kiosk/done?outcome=submitted&lang=ar")
    snap(applicant, "ar-done")

    state, answer_set = stored(live_server, case_id)
    assert state is CaseState.SUBMITTED
    assert answer_set is not None
    assert not answer_set.auto_submitted
    assert answer_set.answers["full_name"] == "أمل حداد"
    assert answer_set.answers["documents"] == [{"kind": "passport", "whereabouts": "given_to_ind"}]
    assert answer_set.answers["children_count"] == 3  # changed from the review

    # Back after submit: the browser must fetch again (no-store), and the session is over.
    applicant.go_back()
    applicant.wait_for_load_state()
    assert "أمل" not in applicant.content()
    assert applicant.url.startswith(f"{live_server.url}/kiosk")
    assert applicant.evaluate("localStorage.length + sessionStorage.length") == 0
    second.close()


@pytest.mark.parametrize("language", ["ar", "ti", "nl"])
def test_every_kiosk_page_is_accessible(
    browser: Browser, live_server: LiveServer, page: Page, language: str
) -> None:
    names = {"ar": "عمر عزيز", "ti": "ሰላም ተስፋይ", "nl": "Omar Aziz"}
    case_id, booking_id = seed_scheduled_case(live_server, names[language], language)
    code = host_checks_in(page, live_server, booking_id)
    kiosk = browser.new_context(base_url=live_server.url, locale=language)
    applicant = kiosk.new_page()
    applicant.goto(f"/kiosk?lang={language}")
    assert_accessible(applicant)
    snap(applicant, f"{language}-code")
    # "Start" points the way the text reads: mirrored in Arabic only.
    assert (arrow_transform(applicant) == MIRRORED) is (language == "ar")
    enter_code(applicant, code, language)
    assert_accessible(applicant)
    applicant.locator("button[name=choice][value=yes]").click()
    applicant.wait_for_load_state()
    # Every section, as it first appears, and once with errors shown.
    applicant.locator("#q-date_of_birth").fill("32-13-1990")
    next_part(applicant)
    expect(applicant.locator("#q-date_of_birth")).to_have_attribute("aria-invalid", "true")
    snap(applicant, f"{language}-errors")
    applicant.locator("#q-date_of_birth").fill("1990")
    next_part(applicant)
    while True:
        assert_accessible(applicant)
        snap(applicant, f"{language}-{applicant.url.rsplit('/', 1)[-1]}")
        if applicant.locator("button[name=action][value=next]").count() == 0:
            break
        next_part(applicant)
    applicant.locator("button[name=action][value=review]").click()
    applicant.wait_for_load_state()
    assert_accessible(applicant)
    snap(applicant, f"{language}-review")
    applicant.locator("form[action='/kiosk/submit'] button").click()  # required missing
    applicant.wait_for_load_state()
    expect(applicant.locator("#error-summary")).to_be_visible()
    expect(applicant.locator("#error-summary")).to_be_focused()  # read out first
    snap(applicant, f"{language}-hand-in-refused")
    kiosk.close()
    assert stored(live_server, case_id)[0] is CaseState.IN_PROGRESS
    page.goto(f"/kiosk/done?outcome=submitted&lang={language}")
    assert_accessible(page)
    snap(page, f"{language}-done")


def test_the_kiosk_works_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    page_context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    helper = page_context.new_page()
    case_id, booking_id = seed_scheduled_case(live_server, "Elif Yilmaz", "tr")
    code = host_checks_in(helper, live_server, booking_id)
    enter_code(helper, code, "tr")
    helper.locator("button[name=choice][value=yes]").click()
    helper.locator("#q-full_name").fill("Elif Yilmaz")
    next_part(helper)
    # Saved, and the blank required answers are told beside their fields (once).
    expect(helper).to_have_url(f"{live_server.url}/kiosk/sections/identity")
    expect(helper.locator("#q-date_of_birth-error")).to_be_visible()
    expect(helper.locator("#q-full_name")).to_have_value("Elif Yilmaz")
    next_part(helper)
    expect(helper).to_have_url(f"{live_server.url}/kiosk/sections/documents")
    assert stored(live_server, case_id)[1].answers["full_name"] == "Elif Yilmaz"  # type: ignore[union-attr]
    page_context.close()


def test_at_the_end_of_the_window_the_countdown_hands_the_form_in(
    browser: Browser, live_server: LiveServer, page: Page
) -> None:
    token = host_token(page, live_server)  # first: a second-factor code may wait for its time step
    case_id, booking_id = seed_scheduled_case(
        live_server, "ሰላም ተስፋይ", "ti", window_left=timedelta(seconds=25)
    )
    code = host_checks_in(page, live_server, booking_id, token)
    kiosk = browser.new_context(base_url=live_server.url, locale="ti")
    applicant = kiosk.new_page()
    enter_code(applicant, code, "ti")
    applicant.locator("button[name=choice][value=yes]").click()
    expect(applicant.locator("[data-countdown]")).to_have_text(re.compile(r"^0:00:[0-2]\d$"))
    applicant.locator("#q-full_name").fill("ሰላም ተስፋይ")
    expect(applicant.locator("[data-autosave-status]")).to_contain_text("ተዓቂቡ")
    # No button pressed: at zero the page goes on by itself, and the server hands it in.
    expect(applicant).to_have_url(
        f"{live_server.url}/kiosk/done?outcome=time&lang=ti", timeout=40_000
    )
    snap(applicant, "ti-time-over")
    state, answer_set = stored(live_server, case_id)
    assert state is CaseState.SUBMITTED
    assert answer_set is not None
    assert answer_set.auto_submitted
    assert answer_set.answers == {"full_name": "ሰላም ተስፋይ"}
    kiosk.close()


def test_keyboard_only_and_zoomed_to_200_percent(
    browser: Browser, live_server: LiveServer, page: Page
) -> None:
    _case_id, booking_id = seed_scheduled_case(live_server, "رضا احمدی", "fa")
    code = host_checks_in(page, live_server, booking_id)
    # 200 % zoom of a 1280 px wide screen: the page gets 640 CSS pixels.
    kiosk = browser.new_context(
        base_url=live_server.url, locale="fa", viewport={"width": 640, "height": 800}
    )
    applicant = kiosk.new_page()
    applicant.goto("/kiosk?lang=fa")
    applicant.keyboard.press("Tab")  # the skip link comes first
    expect(applicant.locator(".nl-skip-link")).to_be_focused()
    applicant.locator("#code").focus()
    applicant.keyboard.type(code)
    applicant.keyboard.press("Enter")
    expect(applicant).to_have_url(f"{live_server.url}/kiosk/consent?lang=fa")
    yes = applicant.locator("button[name=choice][value=yes]")
    while not yes.evaluate("element => element === document.activeElement"):
        applicant.keyboard.press("Tab")
    applicant.keyboard.press("Enter")
    expect(applicant).to_have_url(f"{live_server.url}/kiosk/sections/identity")
    for path in ("/kiosk/sections/identity", "/kiosk/sections/family", "/kiosk/review"):
        applicant.goto(path)
        overflow = applicant.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 200 % zoom ({overflow} px)"
        snap(applicant, f"fa-zoom-{path.rsplit('/', 1)[-1]}")
    # Big touch targets: every button at least 44 by 44 CSS pixels (WCAG 2.5.5).
    applicant.goto("/kiosk/sections/family")
    sizes = applicant.locator("main button").evaluate_all(
        "buttons => buttons.map(b => [b.offsetWidth, b.offsetHeight])"
    )
    assert all(w >= 44 and h >= 44 for w, h in sizes), sizes
    kiosk.close()
