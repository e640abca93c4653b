"""The planner's whole day in the browser, without the API: import a backlog file, find a
kansrijk case and invite its lawyer, invite a selection of ten, plan a session with a
room and an Arabic interpreter, book a case, send a handed-in form to an agency; an
administrator sets up an agency and a team lead's profile, and the team lead reassigns
a decision. axe on every page; a screenshot of each in test-artifacts/screenshots/."""

import random
import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.core.db import make_engine
from service.core.formatting import LOCAL_TIME
from service.models import Role
from service.models.auth import User
from service.models.cases import Case
from service.models.sessions import Booking, HearingSession
from service.models.translation import Translation
from service.workflow import CaseState
from tests.browser.conftest import LOCATION, LiveServer, assert_accessible, sign_in, snap
from tests.browser.test_sessions import seeded

AGENCY = "Vertaalbureau Dag"
TEAM = "Team Browserdag"


def backlog_file(folder: Path, lawyer: str) -> tuple[Path, list[str]]:
    """Twelve Syrian, Arabic-speaking cases (kansrijk under the policy) with a lawyer."""
    rng = random.Random()
    numbers = [f"{rng.randrange(10**9, 10**10)}" for _ in range(12)]
    applied = (utcnow() - timedelta(days=20)).date().isoformat()
    lines = [
        "v_number,applicant_name,date_of_birth,nationality,languages,date_of_application,lawyer"
    ]
    for n, number in enumerate(numbers, 1):
        lines.append(f"{number},Dagzaak Nummer{n},1990-01-{n:02d},SY,ar,{applied},{lawyer}")
    path = folder / "achterstand.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, numbers


def check(page: Page, name: str) -> None:
    assert_accessible(page)
    snap(page, name)


def test_the_planners_whole_day_in_pages(page: Page, live_server: LiveServer, tmp_path: Path):
    accounts = live_server.accounts
    backlog, numbers = backlog_file(tmp_path, accounts["lawyer"].username)
    with seeded(live_server) as factory:
        consented = factory.case_in(CaseState.CONSENTED, applicant_name="Nour Darwish")
        handed_in = factory.case_in(CaseState.SUBMITTED, applicant_name="Samir Khalil")
        ready = factory.case_in(CaseState.READY_FOR_DECISION, applicant_name="Lina Haddad")
        colleague = factory.officer("dagcollega", team=TEAM)
        colleague_name = colleague.user.display_name

    # --- the administrator: an agency and a team lead's profile -----------------------------
    sign_in(page, accounts["admin"])
    page.goto("/admin/agencies")
    page.get_by_label("Naam", exact=True).fill(AGENCY)
    page.get_by_label("Formulieren die het per week kan vertalen", exact=True).fill("15")
    page.get_by_role("button", name="Bureau toevoegen").click()
    expect(page.get_by_role("status").first).to_contain_text("opgeslagen")
    check(page, "admin-agencies")
    page.goto("/admin/officers")
    check(page, "admin-officers")
    page.get_by_role("link", name=accounts["officer"].display_name).click()
    page.get_by_label("Team", exact=True).fill(TEAM)
    page.get_by_label("Begindatum").fill("2016-03-01")
    page.get_by_label("Teamleider").check()
    page.get_by_role("button", name="Profiel opslaan").click()
    page.wait_for_load_state()
    check(page, "admin-officer-saved")
    page.context.clear_cookies()

    # --- the planner: import the backlog ------------------------------------------------------
    sign_in(page, accounts["planner"])
    check(page, "start")
    page.goto("/planner/import")
    page.get_by_label("Bestand met zaken").set_input_files(str(backlog))
    page.get_by_role("button", name="Bestand inlezen").click()
    expect(page.get_by_role("status").first).to_contain_text("12 ingelezen", timeout=30_000)
    check(page, "import-done")

    # --- find a kansrijk case and invite its lawyer ------------------------------------------
    page.goto("/planner/cases")
    page.get_by_label("V-nummer of naam").fill("dagzaak")
    page.get_by_label("Spoor").select_option("replacing")
    page.get_by_role("button", name="Zaken tonen").click()
    expect(page.get_by_role("status").first).to_contain_text("Gevonden zaken: 12")
    check(page, "list-kansrijk")
    first = sorted(numbers)[0]
    page.get_by_role("link", name=first).click()
    expect(page.locator("h1")).to_contain_text(first)
    page.get_by_role("button", name="Uitnodigen via de advocaat").click()
    expect(page.get_by_role("status").first).to_contain_text("De uitnodiging is naar de advocaat")
    check(page, "case-invited")

    # --- invite a selection of ten ----------------------------------------------------------
    page.goto("/planner/cases?q=dagzaak&state=screened")
    expect(page.get_by_role("status").first).to_contain_text("Gevonden zaken: 11")
    for number in sorted(numbers)[1:11]:
        page.get_by_label(f"{number} kiezen").check()
    page.get_by_role("button", name="Uitnodigingen bekijken").click()
    check(page, "selection-preview")
    page.get_by_role("button", name="10 uitnodigingen versturen").click()
    expect(page.get_by_role("status").first).to_contain_text("10 van 10 zaken uitgenodigd.")
    check(page, "selection-invited")

    # --- a room, then a session with it and an Arabic interpreter ---------------------------
    page.goto("/planner/locations")
    check(page, "locations")
    page.get_by_role("link", name=LOCATION).click()
    page.get_by_label("Naam van de zaal").fill("Zaal Dag")
    page.get_by_label("Plaatsen (kiosken)").fill("8")
    page.get_by_role("button", name="Zaal toevoegen").click()
    expect(page.get_by_role("table")).to_contain_text("Zaal Dag")
    check(page, "location-rooms")
    page.get_by_role("link", name="Hier een sessie plannen").click()
    day = (utcnow() + timedelta(days=9)).astimezone(LOCAL_TIME).date().isoformat()
    page.get_by_label("Zaal", exact=True).select_option(label=f"{LOCATION} · Zaal Dag")
    page.get_by_label("Datum").fill(day)
    page.get_by_label("Begint om").fill("09:30")
    page.get_by_label("Plaatsen", exact=True).fill("20")  # more than the room: refused
    page.get_by_label("Taal van de groep").select_option("ar")
    page.get_by_label("Taal van de tolk").select_option("ar")
    page.get_by_label("vrouw", exact=True).check()
    page.get_by_label("Naam van de tolk").fill("Samira Haddad")
    page.get_by_role("button", name="Sessie plannen").click()
    expect(page.locator("#error-summary")).to_contain_text("De zaal heeft 8 plaatsen")
    expect(page.get_by_label("Naam van de tolk")).to_have_value("Samira Haddad")
    check(page, "session-refused")
    page.get_by_label("Plaatsen", exact=True).fill("8")
    page.get_by_role("button", name="Sessie plannen").click()
    expect(page.locator("h1")).to_contain_text("Sessie")
    expect(page.locator("#interpreters + p")).to_contain_text("Arabisch (vrouw)")
    check(page, "session")

    # --- book a consented case -----------------------------------------------------------------
    page.get_by_label("Een zaak inplannen met het V-nummer").fill(consented.v_number)
    page.get_by_role("button", name="Inplannen", exact=True).click()
    expect(page.get_by_role("table").first).to_contain_text(consented.v_number)
    check(page, "session-booked")

    # --- send a handed-in form to the agency ---------------------------------------------------
    page.goto("/planner/translations")
    page.locator(f'input[name="case_id"][value="{handed_in.id}"]').check()
    page.get_by_label(re.compile(f"^{AGENCY}:")).check()
    check(page, "translations")
    page.get_by_role("button", name="Aangevinkte formulieren versturen").click()
    expect(page.get_by_role("status").first).to_contain_text("1 van 1 formulieren verstuurd.")
    check(page, "translation-sent")
    page.goto("/planner/decisions")
    expect(page.locator("main")).to_contain_text(TEAM)
    check(page, "decisions")
    page.context.clear_cookies()

    # --- the team lead reassigns a decision within the team -----------------------------------
    sign_in(page, accounts["officer"])
    page.goto("/officer/team")
    form = page.locator(f'form[action="/officer/cases/{ready.id}/reassign"]')
    form.get_by_label(f"Medewerker voor {ready.v_number}").select_option(label=colleague_name)
    check(page, "team")
    form.get_by_role("button", name="Opnieuw toewijzen").click()
    expect(page.get_by_role("table").first).to_contain_text(ready.v_number)

    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as db:
            cases = db.scalars(select(Case).where(Case.v_number.in_(numbers))).all()
            states = sorted(c.state for c in cases)
            assert states.count(CaseState.INVITED) == 11
            hearing = db.scalar(
                select(HearingSession).join(Booking).where(Booking.case_id == consented.id)
            )
            assert hearing is not None
            assert hearing.room_id is not None
            job = db.scalar(select(Translation).where(Translation.case_id == handed_in.id))
            assert job is not None
            decided_by = db.get_one(Case, ready.id).claimed_by_id
            assert db.get_one(User, decided_by).role == Role.OFFICER
            assert decided_by == colleague.user.id
    finally:
        engine.dispose()
