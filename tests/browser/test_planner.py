"""The planner finds a case in the list, opens its page and invites its lawyer, then
invites a selection after a preview; every page passes axe; screenshots are saved."""

from playwright.sync_api import Page, expect

from service.workflow import CaseState
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, snap
from tests.browser.test_sessions import seeded


def test_the_planner_finds_a_case_opens_it_and_invites_the_lawyer(
    page: Page, live_server: LiveServer
) -> None:
    lawyer = live_server.accounts["lawyer"].username
    with seeded(live_server) as factory:
        one = factory.case_in(CaseState.SCREENED, applicant_name="Yara Mansour", lawyer=lawyer)
        others = [
            factory.case_in(CaseState.SCREENED, applicant_name=f"Karim Saleh {n}", lawyer=lawyer)
            for n in ("Een", "Twee")
        ]

    sign_in(page, live_server.accounts["planner"])
    assert_accessible(page)
    snap(page, "planner-start")
    page.get_by_role("link", name="Alle zaken: zoeken en filteren").click()
    expect(page.locator("h1")).to_have_text("Zaken")
    page.get_by_label("V-nummer of naam").fill("yara mansour")
    page.get_by_role("button", name="Zaken tonen").click()
    expect(page.get_by_role("status").first).to_contain_text("Gevonden zaken: 1")
    assert_accessible(page)
    snap(page, "case-list")

    page.get_by_role("link", name=one.v_number).click()
    expect(page.locator("h1")).to_contain_text(one.v_number)
    assert_accessible(page)
    snap(page, "case-page")
    page.get_by_label("Werkdagen voor het antwoord van de advocaat").fill("99")
    page.get_by_role("button", name="Uitnodigen via de advocaat").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.get_by_label("Werkdagen voor het antwoord van de advocaat")).to_have_value("99")
    assert_accessible(page)
    snap(page, "case-page-refused")
    page.get_by_label("Werkdagen voor het antwoord van de advocaat").fill("5")
    page.get_by_role("button", name="Uitnodigen via de advocaat").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "De uitnodiging is naar de advocaat gestuurd."
    )
    snap(page, "case-page-invited")

    page.goto("/planner/cases?state=screened&q=karim+saleh")
    for case in others:
        page.get_by_label(f"{case.v_number} kiezen").check()
    page.get_by_role("button", name="Uitnodigingen bekijken").click()
    expect(page.locator("h1")).to_have_text("Controleer de uitnodigingen voor het versturen")
    assert_accessible(page)
    snap(page, "invite-preview")
    page.get_by_role("button", name="2 uitnodigingen versturen").click()
    expect(page.get_by_role("status").first).to_contain_text("2 van 2 zaken uitgenodigd.")
    assert_accessible(page)
    snap(page, "invite-result")
