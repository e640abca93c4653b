"""An officer takes the next file, reads its layers, asks the LGBTI coordinator, who answers
on her own page; the officer decides on the form and a senior approves (four eyes). Every
page passes axe; screenshots under test-artifacts/screenshots/."""

from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.db import make_engine
from service.corrections import service as corrections
from service.corrections.schemas import CorrectionItemIn, CorrectionsIn, Typed
from service.dev.driver import lawyer_of
from service.models import Role
from service.models.cases import Case
from service.models.corrections import ItemKind
from service.models.decisions import Decision
from service.models.questionnaires import AnswerSet
from service.translation.items import answer_items
from service.workflow import CaseState
from tests.browser.conftest import Account, LiveServer, assert_accessible, sign_in, snap
from tests.factories import Factory
from tests.helpers import PASSWORD


def _seed(url: str) -> tuple[Account, Account, str]:
    """A novice officer (first months: four eyes) who may take Yemeni files only, a
    senior, and one complete Yemeni LGBTI file with a lawyer's correction."""
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            factory = Factory(db)
            novice = factory.officer(
                "novice",
                nationalities=["YE"],
                lgbti_experience=True,
                started_on=date.today() - timedelta(days=20),
            )
            senior = factory.officer("senior", senior=True)
            case = factory.case_in(
                CaseState.WITH_LAWYER,
                nationality="YE",
                languages=["ar"],
                coordinator_motives=["lgbti"],
                applicant_name="Samir Al-Hakimi",
            )
            answers = db.scalars(select(AnswerSet).where(AnswerSet.case_id == case.id)).one()
            first = answer_items(answers)[0].key
            item = CorrectionItemIn(
                kind=ItemKind.TRANSLATION, answer_key=first, text="Spelled Al-Hakimi."
            )
            corrections.submit(db, lawyer_of(case), case, Typed(None, CorrectionsIn(items=[item])))
            db.commit()
            accounts = tuple(
                Account("officer", p.user.username, PASSWORD, p.user.display_name)
                for p in (novice, senior)
            )
            return accounts[0], accounts[1], case.v_number
    finally:
        engine.dispose()


def _state(url: str, v_number: str) -> tuple[str, Decision | None]:
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            case = db.scalars(select(Case).where(Case.v_number == v_number)).one()
            return case.state, db.scalar(select(Decision).where(Decision.case_id == case.id))
    finally:
        engine.dispose()


def test_take_consult_decide_and_approve(page: Page, live_server: LiveServer) -> None:
    novice, senior, v_number = _seed(live_server.database_url)

    sign_in(page, novice)
    expect(page.locator("h1")).to_have_text("Beslisvoorraad")
    assert_accessible(page)
    page.get_by_role("button", name="Volgende dossier oppakken").click()
    expect(page.locator("h1")).to_have_text(f"Dossier {v_number}")
    main = page.get_by_role("main")
    # Every layer, marked and attributed.
    expect(main).to_contain_text("Antwoord van de aanvrager")
    expect(main).to_contain_text("Vertaling")
    expect(main).to_contain_text("Correctie van de advocaat")
    expect(main).to_contain_text("Spelled Al-Hakimi.")
    assert_accessible(page)
    snap(page, "workbench")
    workbench = page.url

    page.get_by_label("Lhbti-coördinator").check()
    page.get_by_label("Uw vraag").fill("Hoe weeg ik de brief van de partner?")
    page.get_by_role("button", name="Advies vragen").click()
    expect(main).to_contain_text("De beslissing wacht op advies van")

    page.context.clear_cookies()
    sign_in(page, live_server.accounts["coordinator"])
    page.get_by_role("link", name=v_number).click()
    expect(page.locator("h1")).to_contain_text(v_number)
    expect(page.get_by_role("main")).to_contain_text("Hoe weeg ik de brief van de partner?")
    assert_accessible(page)
    snap(page, "advice")
    page.get_by_label("Advies", exact=True).fill("Open vragen gesteld; de brief is specifiek.")
    page.get_by_role("button", name="Advies versturen").click()
    expect(page.locator("h1")).to_have_text("Consultaties")

    page.context.clear_cookies()
    sign_in(page, novice)
    page.goto(workbench)
    page.get_by_label("Beslissen op het formulier").check()
    page.get_by_label("Motivering").fill("Consistent en gedetailleerd relaas.")
    page.get_by_label("Inwilliging").check()
    page.get_by_label("Hoe verklaringen van derden zijn gewogen").fill(
        "De brief van de partner is concreet en bevestigt de relatie: gewicht toegekend."
    )
    page.get_by_role("button", name="Beslissing vastleggen").click()
    expect(page.locator(".utrecht-pre-heading")).to_contain_text("Bij een senior ter beoordeling")
    assert _state(live_server.database_url, v_number) == ("in_review", None)

    page.context.clear_cookies()
    sign_in(page, senior)
    page.goto("/officer/reviews")
    assert_accessible(page)
    page.get_by_role("link", name=v_number).click()
    expect(page.get_by_role("main")).to_contain_text("De brief van de partner is concreet")
    page.get_by_label("Goedkeuren: de beslissing wordt definitief").check()
    page.get_by_role("button", name="Oordeel vastleggen").click()
    expect(page.get_by_role("main")).to_contain_text("Er wachten geen beslissingen op beoordeling.")
    snap(page, "approved")
    state, decision = _state(live_server.database_url, v_number)
    assert state == "decided_on_form"
    assert decision is not None
    assert decision.kind == "grant"
    assert decision.reviewed_by_id is not None


def _claimed_file(url: str) -> tuple[Account, str]:
    """An officer holding one complete file."""
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            factory = Factory(db)
            officer = factory.person(Role.OFFICER)  # the claimant of case_in
            case = factory.case_in(CaseState.CLAIMED)
            db.commit()
            account = Account("officer", officer.user.username, PASSWORD, "")
            return account, f"/officer/cases/{case.id}"
    finally:
        engine.dispose()


def test_the_decision_form_shows_the_chosen_outcome_and_room_for_a_motivation(
    page: Page, live_server: LiveServer
) -> None:
    officer, bench = _claimed_file(live_server.database_url)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, officer)
    page.goto(bench)
    form = page.locator("form.app-decision")
    on_form = form.locator(".app-when--form")
    hearing = form.locator(".app-when--hearing")
    expect(on_form).to_be_hidden()  # no outcome chosen: neither outcome's fields
    expect(hearing).to_be_hidden()
    page.get_by_label("Beslissen op het formulier").check()
    expect(on_form).to_be_visible()
    expect(hearing).to_be_hidden()
    page.get_by_label("Een nader gehoor is nodig").check()
    expect(hearing).to_be_visible()
    expect(on_form).to_be_hidden()
    # The motivation box takes the panel's width and a dozen lines or more.
    motivation = form.locator("textarea#reason").bounding_box()
    panel = form.bounding_box()
    assert motivation is not None
    assert panel is not None
    assert motivation["width"] >= panel["width"] * 0.95, (motivation, panel)
    assert motivation["height"] >= 12 * 22, motivation
    assert_accessible(page)
    snap(page, "decision-form")
