"""Browser tests of issue 9: the agency downloads a job as XLIFF, uploads the translation
and sees the job done; the lawyer consents, later reads the translation side by side and
sends a correction; a lawyer declines with a reason from the list (issue 18). Each test
seeds its own case in the live app's database."""

import uuid
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from translate.storage import xliff as toolkit

from service.core.db import make_engine
from service.models.cases import Case
from service.workflow import CaseState
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, snap
from tests.factories import Factory


def seeded(live_server: LiveServer, state: CaseState, **fields) -> tuple[uuid.UUID, str]:
    """A new case in ``state`` in the live app's database; its id and V-number."""
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as db:
            case = Factory(db).case_in(state, **fields)
            db.commit()
            return case.id, case.v_number
    finally:
        engine.dispose()


def drive(live_server: LiveServer, case_id: uuid.UUID, state: CaseState) -> None:
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as db:
            case = db.scalar(select(Case).where(Case.id == case_id))
            assert case is not None
            Factory(db).driver().drive(case, state)
            db.commit()
    finally:
        engine.dispose()


def test_the_agency_downloads_uploads_and_sees_the_job_done(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    case_id, _ = seeded(live_server, CaseState.IN_TRANSLATION, applicant_name="Yonas Kidane")
    sign_in(page, live_server.accounts["translator"])
    expect(page.locator("h1")).to_have_text("Vertaalopdrachten")
    assert_accessible(page)
    page.locator("main table a").last.click()
    expect(page.locator("h1")).to_contain_text("Vertaalopdracht")
    assert_accessible(page)
    snap(page, "job")

    with page.expect_download() as download:
        page.get_by_role("link", name="Opdracht downloaden als XLIFF").click()
    store = toolkit.xlifffile.parsestring(Path(download.value.path()).read_bytes())
    for unit in store.getunits():
        unit.target = f"Vertaling van {unit.xmlelement.get('id')}"
    translated = tmp_path / "vertaald.xlf"
    translated.write_bytes(bytes(store))

    page.get_by_label("Vertaald XLIFF-bestand").set_input_files(str(translated))
    page.get_by_role("button", name="Vertaling uploaden").click()
    expect(page.get_by_role("status")).to_contain_text("De vertaling is ontvangen")
    expect(page.locator("table[aria-labelledby='done']")).to_be_visible()
    assert_accessible(page)
    snap(page, "done")
    assert case_id


def test_a_refused_upload_lists_its_problems(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    seeded(live_server, CaseState.IN_TRANSLATION, applicant_name="Saba Tesfay")
    sign_in(page, live_server.accounts["translator"])
    page.locator("main table a").last.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Opdracht downloaden als XLIFF").click()
    untranslated = tmp_path / "leeg.xlf"
    untranslated.write_bytes(Path(download.value.path()).read_bytes())
    page.get_by_label("Vertaald XLIFF-bestand").set_input_files(str(untranslated))
    page.get_by_role("button", name="Vertaling uploaden").click()
    expect(page.get_by_role("alert")).to_contain_text("not translated")
    snap(page, "refused")


def test_the_lawyer_declines_with_a_reason_from_the_list(
    page: Page, live_server: LiveServer
) -> None:
    lawyer = live_server.accounts["lawyer"]
    _case_id, v_number = seeded(live_server, CaseState.INVITED, lawyer=lawyer.username)
    sign_in(page, lawyer)
    page.get_by_role("link", name=f"Antwoorden voor {v_number}").click()
    page.get_by_label("Nee, mijn cliënt weigert").check()
    page.get_by_label("Opmerking voor de IND (niet verplicht)").fill("Cliënt twijfelt nog")
    page.get_by_role("button", name="Antwoord versturen").click()
    # No reason chosen: said beside the reasons, nothing typed lost.
    expect(page.locator("#decline_reason-error")).to_have_text("Kies waarom uw cliënt weigert.")
    expect(page.get_by_label("Nee, mijn cliënt weigert")).to_be_checked()
    expect(page.get_by_label("Opmerking voor de IND (niet verplicht)")).to_have_value(
        "Cliënt twijfelt nog"
    )
    assert_accessible(page)
    snap(page, "no-reason")
    page.get_by_label("De gezondheid van de cliënt").check()
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.locator("main")).to_contain_text("Geweigerd door de advocaat")


def test_the_lawyer_consents_then_reads_side_by_side_and_sends_a_correction(
    page: Page, live_server: LiveServer
) -> None:
    lawyer = live_server.accounts["lawyer"]
    case_id, v_number = seeded(
        live_server, CaseState.INVITED, lawyer=lawyer.username, applicant_name="Nour Khalil"
    )
    sign_in(page, lawyer)
    page.get_by_role("link", name=f"Antwoorden voor {v_number}").click()
    expect(page.locator("h1")).to_have_text("Uitnodiging beantwoorden")
    assert_accessible(page)
    page.get_by_label("Ja, mijn cliënt stemt in").check()
    page.get_by_label("Taalbehoeften van uw cliënt (niet verplicht)").fill("Arabisch (Syrisch)")
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.locator("main")).to_contain_text("Toestemming gegeven, nog in te plannen")
    expect(page.locator("main")).to_contain_text("Data en wie aan zet is")
    assert_accessible(page)
    snap(page, "consented")

    # Later: the session, the form and the translation happen (driven by the services).
    drive(live_server, case_id, CaseState.WITH_LAWYER)
    page.reload()
    page.get_by_role("link", name="De vertaling naast het origineel lezen").click()
    expect(page.locator("main")).to_contain_text("Nederlandse vertaling")
    assert_accessible(page)
    snap(page, "side-by-side")

    page.get_by_label("Correctie bij antwoord 1 (niet verplicht)").fill(
        "Lees: Aleppo, niet Damascus."
    )
    page.get_by_role("button", name="Correcties en aanvullingen opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("Opgeslagen")
    expect(page.locator("main")).to_contain_text("Lees: Aleppo, niet Damascus.")
    page.get_by_role("button", name="Correcties en aanvullingen versturen").click()
    expect(page.locator("main")).to_contain_text("Correcties ontvangen")
    assert_accessible(page)
    snap(page, "sent")

    # The dossier page: "being prepared" until the background job has rendered it.
    page.get_by_role("link", name="Het dossier (PDF)").click()
    expect(page.get_by_role("status")).to_contain_text("Het dossier")
    assert_accessible(page)
    download = page.get_by_role("link", name="Dossier downloaden (PDF)")
    if download.count():
        with page.expect_download() as pdf:
            download.click()
        assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    snap(page, "dossier")
