"""Issue 20, part 2, in a real browser: a chain partner proposes a question, the form
owner accepts it into a draft, the agency translates the draft's texts through XLIFF, a
reworded Dutch text makes the translations stale and blocks publishing, the agency
translates again, the owner publishes, and the diff page shows the change and who
proposed it. Each role in its own browser context, signed in once; axe on every page."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from translate.storage import xliff as toolkit

from tests.browser.conftest import LOCALE, LiveServer, assert_accessible, sign_in, snap

QUESTION = "border_crossing"
WORDING = "Hoe bent u de grens overgestoken?"


@pytest.fixture
def pages(browser: Browser, live_server: LiveServer) -> Iterator[dict[str, Page]]:
    contexts = {}
    opened = {}
    try:
        for role in ("partner", "form_owner", "translator"):
            contexts[role] = browser.new_context(base_url=live_server.url, locale=LOCALE)
            opened[role] = contexts[role].new_page()
            sign_in(opened[role], live_server.accounts[role])
        yield opened
    finally:
        for context in contexts.values():
            context.close()


def translate_every_language(page: Page, draft_url: str, tmp_path: Path) -> int:
    """The agency downloads each language's XLIFF, fills the targets, uploads it."""
    done = 0
    page.goto(draft_url)
    links = page.get_by_role("link", name=re.compile("De teksten downloaden als XLIFF"))
    while links.count():
        link = links.first
        language = (link.get_attribute("href") or "").rsplit("/", 1)[-1].removesuffix(".xlf")
        with page.expect_download() as download:
            link.click()
        store = toolkit.xlifffile.parsestring(Path(download.value.path()).read_bytes())
        for unit in store.getunits():
            unit.target = f"[{language}] {unit.source}"
        path = tmp_path / f"{language}-{done}.xlf"
        path.write_bytes(bytes(store))
        page.locator(f"form[action$='/translations/{language}'] input[type=file]").set_input_files(
            str(path)
        )
        page.locator(f"form[action$='/translations/{language}'] button").click()
        expect(page.get_by_role("status")).to_contain_text("Opgeslagen")
        done += 1
    return done


def test_propose_accept_translate_stale_publish_and_compare(
    pages: dict[str, Page], tmp_path: Path
) -> None:
    partner, owner, agency = pages["partner"], pages["form_owner"], pages["translator"]

    # The partner proposes a new question.
    expect(partner.locator("h1")).to_have_text("Voorstellen voor het formulier")
    assert_accessible(partner)
    partner.get_by_label("Wat stelt u voor?").select_option("add")
    partner.get_by_label("Onderdeel").select_option("journey")
    partner.get_by_label("Code van de vraag").fill(QUESTION)
    partner.get_by_label("Tekst in het Nederlands").fill(WORDING)
    partner.get_by_label("Reden").fill("Helpt de beslismedewerker de reis te plaatsen.")
    partner.get_by_role("button", name="Voorstel versturen").click()
    expect(partner.get_by_role("status")).to_contain_text("naar de formuliereigenaar gestuurd")
    proposal_url = partner.url
    assert_accessible(partner)

    # The owner accepts it into a draft version.
    owner.goto("/form-owner")
    assert_accessible(owner)
    owner.get_by_role("link", name=QUESTION).first.click()
    owner.get_by_role("button", name="Opnemen in de conceptversie").click()
    expect(owner.locator("[data-status]")).to_contain_text("Opgenomen in een concept")
    partner.goto(proposal_url)
    expect(partner.locator("main table")).to_contain_text("Browser Form_owner")
    snap(partner, "accepted")

    # The agency translates the draft's texts, language by language.
    agency.goto("/agency/form-texts")
    expect(agency.locator("h1")).to_have_text("Teksten van het formulier om te vertalen")
    assert_accessible(agency)
    agency.locator("main table a").first.click()
    draft_url = agency.url
    assert_accessible(agency)
    assert translate_every_language(agency, draft_url, tmp_path) == 5

    # The owner rewords the Dutch text: the translations are stale, publishing refused.
    owner.goto(draft_url)
    owner.get_by_label("Tekst", exact=True).select_option(
        f"sections.journey.questions.{QUESTION}.label"
    )
    owner.get_by_label("Nieuwe Nederlandse tekst").fill("Hoe en waar bent u de grens overgestoken?")
    owner.get_by_role("button", name="Tekst opslaan").click()
    expect(owner.locator("[data-state='stale']").first).to_be_visible()
    assert_accessible(owner)
    snap(owner, "stale")
    owner.goto("/form-owner")
    owner.get_by_role("button", name="Deze versie publiceren").click()
    expect(owner.locator("[data-refusal='draft_incomplete']")).to_be_visible()
    assert_accessible(owner)

    # Translated again, the version is published.
    assert translate_every_language(agency, draft_url, tmp_path) == 5
    owner.goto("/form-owner")
    owner.get_by_role("button", name="Deze versie publiceren").click()
    expect(owner.get_by_role("status")).to_contain_text("De versie is gepubliceerd")

    # The diff page shows the new question and who proposed it.
    owner.get_by_role("link", name="Wat is er veranderd tussen twee versies").click()
    owner.get_by_label("Eerdere versie").select_option("3")
    owner.get_by_label("Latere versie").select_option("4")
    owner.get_by_role("button", name="Vergelijken").click()
    row = owner.locator(f"tr[data-question='{QUESTION}']")
    expect(row).to_contain_text("Toegevoegd")
    expect(row).to_contain_text("Hoe en waar bent u de grens overgestoken?")
    expect(row).to_contain_text("COA (Browser Partner)")
    assert_accessible(owner)
    snap(owner, "diff")
