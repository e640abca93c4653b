"""In a real browser: an administrator makes an account; its user sets a password with
the one-time link and enrols the second factor (QR code page, recovery codes); every
page on the way passes axe."""

import pyotp
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LOCALE, LiveServer, assert_accessible, sign_in, snap

NEW_PASSWORD = "zeven blauwe kraanvogels boven het ijsselmeer"


def test_a_new_account_from_creation_to_second_factor(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    sign_in(page, live_server.accounts["admin"])
    page.get_by_role("link", name="Nieuw account").click()
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("alert")).to_contain_text("Vul de naam van de persoon in.")
    assert_accessible(page)
    page.get_by_label("Naam", exact=True).fill("Nieuwe Planner")
    page.get_by_label("Gebruikersnaam").fill("planner.browser.nieuw")
    page.get_by_label("Rol").select_option("planner")
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.locator("h1")).to_have_text("Account aangemaakt")
    snap(page, "link")
    link = page.locator("code.app-secret").inner_text()

    newcomer = browser.new_context(base_url=live_server.url, locale=LOCALE).new_page()
    try:
        newcomer.goto(link)
        assert_accessible(newcomer)
        newcomer.get_by_label("Nieuw wachtwoord").fill(NEW_PASSWORD)
        newcomer.get_by_role("button", name="Wachtwoord instellen").click()
        expect(newcomer.get_by_role("status")).to_contain_text("nieuwe wachtwoord is ingesteld")
        newcomer.get_by_label("Gebruikersnaam").fill("planner.browser.nieuw")
        newcomer.get_by_label("Wachtwoord").fill(NEW_PASSWORD)
        newcomer.get_by_role("main").get_by_role("button", name="Inloggen").click()
        expect(newcomer.locator("h1")).to_have_text("Stel uw tweede factor in")
        expect(newcomer.get_by_role("img", name="QR-code")).to_be_visible()
        assert_accessible(newcomer)
        snap(newcomer, "enrol")
        key = newcomer.locator("code.app-secret").inner_text().replace(" ", "")
        newcomer.get_by_label("Code", exact=True).fill(pyotp.TOTP(key).now())
        newcomer.get_by_role("button", name="Bevestigen").click()
        expect(newcomer.locator("h1")).to_have_text("Uw herstelcodes")
        expect(newcomer.locator(".app-recovery-codes li")).to_have_count(10)
        snap(newcomer, "recovery-codes")
        newcomer.get_by_role("link", name="Ik heb de codes bewaard, verder").click()
        expect(newcomer.locator("h1")).to_have_text("Planning")
    finally:
        newcomer.context.close()

    page.goto("/admin")
    page.get_by_role("link", name="Nieuwe Planner").click()
    expect(page.get_by_text("Ingesteld; nog 10 herstelcodes over")).to_be_visible()
    assert_accessible(page)
    snap(page, "account")


def test_the_code_page_is_accessible_and_keyboard_friendly(
    page: Page, live_server: LiveServer
) -> None:
    account = live_server.accounts["coordinator"]
    page.goto("/sign-in")
    page.get_by_label("Gebruikersnaam").fill(account.username)
    page.get_by_label("Wachtwoord").fill(account.password)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Vul uw code in")
    code = page.get_by_label("Code", exact=True)
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    code.fill("000000")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("De code klopt niet")
    assert_accessible(page)
    snap(page, "code-error")
