"""Issue 20, parts 1 and 3, in a real browser. Unit 1F opens a case's attention points,
dismisses one with a reason and raises a signal from another (the case leaves the written
track); the planner selects a newly registered applicant for the written registration
interview and the registration officer opens a prepared file. axe on every page."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.settings import get_settings
from service.models import Role
from service.models.attention import AttentionPoint, PointStatus
from service.models.cases import Case
from service.registration import service as registration
from service.translation import service as translation
from service.workflow import CaseState
from tests.attention.conftest import ORGANISATION_NL, PRISON_NL, publish_list, translated
from tests.browser.conftest import LOCALE, Account, LiveServer, assert_accessible, sign_in
from tests.conftest import unique_v_number
from tests.factories import Factory
from tests.live import App, engine_for, seeded, start_app

FACTORY_PASSWORD = "correct horse battery staple"  # tests.factories' users sign in with it
# The suite's policy (taskforce-2020) has no registration interview; the shipped one has.
REGISTRATION_POLICY = "ind-2026"


def account(factory: Factory, role: Role, name: str) -> Account:
    """A factory user who signs in through the pages (password and the tests' TOTP)."""
    user = factory.person(role, name).user
    return Account(role.value, user.username, FACTORY_PASSWORD, user.display_name)


@contextmanager
def registration_policy() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEARING_ELIGIBILITY_POLICY", REGISTRATION_POLICY)
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def registration_app(
    live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[App]:
    """A second app process on the live database, under the policy that has the written
    registration interview (the planner's selection asks the server's policy)."""
    tmp = tmp_path_factory.mktemp("registration-app")
    app = start_app(live_server.database_url, tmp, HEARING_ELIGIBILITY_POLICY=REGISTRATION_POLICY)
    try:
        yield app
    finally:
        app.process.stop()
    excerpt = app.new_errors()
    if excerpt:
        pytest.fail(f"server error in the registration app:\n{excerpt}", pytrace=False)


@pytest.fixture
def registration_page(browser: Browser, registration_app: App) -> Iterator[Page]:
    context = browser.new_context(base_url=registration_app.url, locale=LOCALE)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def seeded_work(live_server: LiveServer) -> dict[str, object]:
    """In the live database: a case with two attention points (one a place, one an
    organisation), a newly registered applicant and a prepared registration file."""
    with engine_for(live_server.database_url) as engine, seeded(engine) as factory:
        db = factory.db
        unit = account(factory, Role.UNIT_1F, "browser")
        publish_list(db, factory.person(Role.UNIT_1F, "keeper").actor)
        dutch = f"Ik woonde bij {PRISON_NL}; mijn broer vocht bij het {ORGANISATION_NL}."
        flagged, _ = translated(factory, "لا شيء", dutch)
        newcomer = factory.case(v_number=f"V{unique_v_number()}")
        planner = factory.person(Role.PLANNER).actor
        prepared = factory.case(v_number=f"V{unique_v_number()}")
        with registration_policy():
            registration.select_case(db, prepared, planner)
            factory.driver().drive(prepared, CaseState.IN_TRANSLATION)
            job = translation.translation_of(db, prepared)
            assert job is not None
            texts = {i.key: f"AANMELDING {i.key}" for i in translation.source_items(db, job)}
            translation.deliver(db, job, factory.person(Role.TRANSLATOR).actor, texts)
        assert prepared.state is CaseState.REGISTRATION_PREPARED
        work = {
            "unit": unit,
            "flagged": flagged.id,
            "flagged_v": flagged.v_number,
            "newcomer": newcomer.v_number,
            "prepared": prepared.v_number,
        }
    return work  # committed: the app processes see it


def stored(live_server: LiveServer, case_id: uuid.UUID) -> tuple[str, list[str]]:
    with engine_for(live_server.database_url) as engine, Session(engine) as db:
        case = db.get_one(Case, case_id)
        statuses = db.scalars(
            select(AttentionPoint.status)
            .where(AttentionPoint.case_id == case_id)
            .order_by(AttentionPoint.status)
        ).all()
        return case.state, list(statuses)


def test_unit_1f_dismisses_one_point_and_raises_a_signal_from_another(
    page: Page, live_server: LiveServer, seeded_work: dict
) -> None:
    sign_in(page, seeded_work["unit"])
    page.goto("/unit1f")
    assert_accessible(page)
    points = page.get_by_role("link", name=seeded_work["flagged_v"])
    expect(points).to_have_count(2)
    points.first.click()
    assert_accessible(page)
    page.get_by_label("Waarom dit geen signaal is").fill("Woonplaats, geen detentie.")
    page.get_by_role("button", name="Terzijde leggen").click()
    expect(page.locator("main dl")).to_contain_text("Terzijde gelegd: Woonplaats, geen detentie.")

    page.goto("/unit1f")
    page.get_by_role("link", name=seeded_work["flagged_v"]).click()
    page.get_by_label("Soort signaal").select_option("1f")
    page.get_by_label("Waarom dit een signaal is").fill("Broer in een gewapende groep.")
    page.get_by_role("button", name="Signaal melden").click()
    expect(page.locator("main dl")).to_contain_text("Signaal gemeld")
    assert stored(live_server, seeded_work["flagged"]) == (
        CaseState.EXCLUDED,
        [PointStatus.DISMISSED, PointStatus.SIGNALLED],
    )
    page.goto("/attention/report")
    assert_accessible(page)


def test_planner_selects_and_the_registration_officer_opens_the_prepared_file(
    registration_page: Page, live_server: LiveServer, seeded_work: dict
) -> None:
    page = registration_page
    sign_in(page, live_server.accounts["planner"])
    page.goto("/planner/registration-interview")
    assert_accessible(page)
    newcomer = seeded_work["newcomer"]
    page.get_by_role("button", name=f"Kiezen {newcomer}").click()
    expect(page.get_by_role("status")).to_contain_text(newcomer)
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server.accounts["officer"])
    page.goto("/officer/registration-files")
    assert_accessible(page)
    page.get_by_role("link", name=seeded_work["prepared"]).click()
    expect(page.locator("h1")).to_contain_text("Voorbereid dossier voor het aanmeldgehoor")
    expect(page.locator("main")).to_contain_text("AANMELDING")
    assert_accessible(page)
