"""Every role signs in and out in a real browser; forms without a CSRF token are refused;
error pages are readable; every page passes axe (no serious or critical violation)."""

import re

import pytest
from playwright.sync_api import Page, expect

from service.auth.pages import START_PAGES
from tests.browser.conftest import SIGN_IN_ROLES, LiveServer, assert_accessible, sign_in, snap

# What each role's start page is called (its <h1>).
HEADINGS = {
    "planner": "Planning",
    "host": "Sessies",
    "lawyer": "Mijn cliënten",
    "translator": "Vertaalopdrachten",
    "officer": "Beslisvoorraad",
    "coordinator": "Consultaties",
    "admin": "Accounts",
    "partner": "Voorstellen voor het formulier",
    "form_owner": "Versies en voorstellen van het formulier",
}


@pytest.mark.parametrize("role", [r.value for r in SIGN_IN_ROLES])
def test_each_role_signs_in_sees_its_work_and_signs_out(
    page: Page, live_server: LiveServer, role: str
) -> None:
    sign_in(page, live_server.accounts[role])
    expect(page).to_have_url(live_server.url + START_PAGES[role])
    expect(page.locator("h1")).to_have_text(HEADINGS[role])
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert_accessible(page)
    snap(page, "start")

    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(live_server.url + "/sign-in?signed_out=true")
    expect(page.get_by_role("status")).to_contain_text("U bent uitgelogd.")
    page.goto(START_PAGES[role])
    expect(page).to_have_url(f"{live_server.url}/sign-in?next={START_PAGES[role]}")


def test_the_start_pages_list_the_work(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.accounts["lawyer"])
    expect(page.get_by_role("table").first).to_contain_text("Amal Haddad")  # awaiting reply

    page.context.clear_cookies()
    sign_in(page, live_server.accounts["host"])
    page.locator("main table a").first.click()
    expect(page.locator("h1")).to_have_text("Plaatsenlijst")
    # The seat, not the name the host checks against the document (issue 15.2).
    seat = page.locator("main table tbody tr").first
    expect(seat.locator("th")).to_have_text(re.compile(r"^Plaats \d+$"))
    expect(seat).to_contain_text(re.compile(r"B-[0-9A-F]{6}"))
    expect(page.locator("main table")).not_to_contain_text("Reza Ahmadi")
    assert_accessible(page)
    snap(page, "seat-list")

    page.context.clear_cookies()
    sign_in(page, live_server.accounts["coordinator"])
    expect(page.locator("main table tbody tr")).to_have_count(1)  # the LGBTI file only


def test_sign_in_errors_are_at_the_fields_and_read_first(page: Page) -> None:
    page.goto("/sign-in")
    assert_accessible(page)
    snap(page, "empty")
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Vul uw gebruikersnaam in.")
    expect(summary).to_be_focused()  # a screen reader reads the problems first
    username = page.get_by_label("Gebruikersnaam")
    expect(username).to_have_attribute("aria-invalid", "true")
    expect(username).to_have_attribute("aria-describedby", "username-error")
    assert_accessible(page)
    snap(page, "errors")
    page.get_by_role("link", name="Vul uw wachtwoord in.").click()
    expect(page.get_by_label("Wachtwoord")).to_be_focused()


def test_a_form_post_without_its_csrf_token_is_refused(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.accounts["officer"])
    page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.locator("h1")).to_have_text("Dit formulier kon niet worden verstuurd")
    expect(page.locator("main code")).to_have_text("csrf_rejected")
    assert_accessible(page)
    snap(page, "refused")
    page.goto("/officer")
    expect(page.locator("h1")).to_have_text("Beslisvoorraad")  # the session was not ended


def test_error_pages_are_readable_and_accessible(page: Page, live_server: LiveServer) -> None:
    response = page.goto("/no-such-page")
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Pagina niet gevonden")
    assert_accessible(page)
    snap(page, "not-found")

    sign_in(page, live_server.accounts["lawyer"])
    response = page.goto("/planner")
    assert response is not None
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Dit mag u niet doen")
    assert_accessible(page)
    snap(page, "forbidden")


def test_english_and_the_keyboard(page: Page, live_server: LiveServer) -> None:
    page.goto("/")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Written hearing")
    assert_accessible(page)
    snap(page, "english")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_the_api_docs_work_offline(page: Page) -> None:
    """Swagger UI comes from the service itself: no request leaves the machine."""
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "data:"))
            else None
        ),
    )
    page.goto("/docs")
    # Swagger UI renders the whole schema (300+ KB) before it shows an operation: on a
    # loaded 2-CPU machine that takes longer than expect's default 5 s.
    expect(page.get_by_text("POST/api/v1/auth/token").first).to_be_visible(timeout=20_000)
    assert not outside
    snap(page, "docs")
