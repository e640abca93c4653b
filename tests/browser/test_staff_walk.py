"""Issue 15.2 in the browser: the agency's job named by V-number, language and due date,
each field labelled with its question and the form's own Dutch filled in; the lawyer
reads the invitation's reply deadline and opens a message from "Mijn berichten". Every
page passes axe; screenshots are saved."""

from playwright.sync_api import Page, expect

from service.workflow import CaseState
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, snap
from tests.browser.test_translation_and_lawyer import seeded


def test_the_agency_sees_its_job_by_v_number_and_the_known_dutch_filled_in(
    page: Page, live_server: LiveServer
) -> None:
    _, v_number = seeded(live_server, CaseState.IN_TRANSLATION, applicant_name="Hana Girma")
    sign_in(page, live_server.accounts["translator"])
    jobs = page.get_by_role("table", name="Openstaande opdrachten")
    expect(jobs).to_contain_text(v_number)
    jobs.get_by_role("link", name=v_number).click()
    expect(page.locator("h1")).to_have_text(f"Vertaalopdracht {v_number}")
    expect(page.locator("main")).to_contain_text("Arabisch · uiterlijk")

    page.get_by_role("link", name="Vragen en antwoorden naast elkaar openen").click()
    expect(page.locator("h1")).to_have_text(f"Vertalen {v_number}")
    yes_no = page.get_by_label(
        "Nederlandse vertaling van: Heeft u familieleden in Nederland of in een ander "
        "Europees land?"
    )
    expect(yes_no).to_have_value("Ja")
    expect(
        page.get_by_label("Nederlandse vertaling van: Bent u getrouwd of heeft u een partner?")
    ).to_have_value("Niet getrouwd en geen partner")
    expect(page.get_by_label("Nederlandse vertaling van: Wat is uw volledige naam?")).to_have_value(
        ""
    )
    assert_accessible(page)
    snap(page, "translate")


def test_the_lawyer_reads_the_reply_deadline_and_opens_a_message(
    page: Page, live_server: LiveServer
) -> None:
    lawyer = live_server.accounts["lawyer"]
    _, v_number = seeded(
        live_server, CaseState.INVITED, lawyer=lawyer.username, applicant_name="Rami Aziz"
    )
    sign_in(page, lawyer)
    page.get_by_role("link", name=f"Antwoorden voor {v_number}").click()
    expect(page.locator("main")).to_contain_text("Antwoord uiterlijk ")
    assert_accessible(page)
    snap(page, "invitation")

    page.goto("/messages")
    subject = f"Uitnodiging voor schriftelijk horen, zaak {v_number}"
    page.get_by_role("link", name=subject).click()
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("main")).to_contain_text(v_number)
    assert_accessible(page)
    snap(page, "message")
    page.get_by_role("link", name="Terug naar mijn berichten").click()
    expect(page.locator("h1")).to_have_text("Mijn berichten")
