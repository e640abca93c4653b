"""Browser tests: Playwright (sync API) drives Debian's Chromium, headless, against a real
app process (uvicorn) on its own fresh, migrated and seeded database.

Per xdist worker (and per plain pytest run) there is one app process on a free port, one
database and one browser; every test gets a new browser context, so no cookies leak.

Fixtures: ``live_server`` (session), ``browser`` (session), ``page`` (per test).
Helpers: ``snap(page, name)``, ``assert_accessible(page)``, ``seed_users(url)``.
Chromium missing: the tests skip locally and fail under CI=true (``HEARING_CHROMIUM``
points at another browser binary; default ``/usr/bin/chromium``). Playwright's own
downloaded browsers are never used: ``playwright install`` is not needed.
"""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.schemas import UserIn
from service.auth.second_factor import enrol_known_secret
from service.auth.service import create_user
from service.core.db import make_engine
from service.models.auth import Role
from service.models.sessions import Location
from service.sessions.schemas import LocationIn
from service.sessions.service import create_location
from service.translation.service import create_agency
from service.workflow import CaseState
from tests.conftest import require_server
from tests.factories import AGENCY as FACTORY_AGENCY
from tests.factories import Factory
from tests.helpers import TOTP_SECRET, totp_code
from tests.live import App, drop_database, fresh_database, start_app

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("HEARING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home (updates, sync, field trials) and floods
    # a machine without internet access with failing connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCALE = "nl-NL"


# --- Users -------------------------------------------------------------------------------

PASSWORD = "Browser-tests-only-7q!Kx2"  # the seeded users' password: strong, test-only
SIGN_IN_ROLES = (
    Role.PLANNER,
    Role.HOST,
    Role.LAWYER,
    Role.TRANSLATOR,
    Role.OFFICER,
    Role.COORDINATOR,
    Role.ADMIN,
    Role.PARTNER,
    Role.FORM_OWNER,
)


@dataclass(frozen=True)
class Account:
    role: str
    username: str
    password: str
    display_name: str


AGENCY = FACTORY_AGENCY  # the agency the factory sends forms to
LOCATION = "IND Browserlaan"


def user_for(role: Role) -> UserIn:
    """The seeded user of one role, with what the role belongs to."""
    return UserIn(
        username=f"{role.value}.browser",
        display_name=f"Browser {role.value.capitalize()}",
        email=f"{role.value}.browser@hearing.test",
        role=role,
        password=PASSWORD,
        agency=AGENCY if role is Role.TRANSLATOR else None,
        location=LOCATION if role is Role.HOST else None,
        specialism="lgbti" if role is Role.COORDINATOR else None,
        organisation="COA" if role is Role.PARTNER else None,
    )


def seed_users(url: str) -> dict[str, Account]:
    """One user per role that signs in with a password, committed through the service."""
    engine = make_engine(url)
    accounts: dict[str, Account] = {}
    try:
        with Session(engine) as db:
            create_agency(db, AGENCY)
            create_location(db, LocationIn(name=LOCATION, address="Browserlaan 1", kiosks=4))
            for role in SIGN_IN_ROLES:
                data = user_for(role)
                enrol_known_secret(db, create_user(db, data), TOTP_SECRET)
                accounts[role.value] = Account(
                    role=role.value,
                    username=data.username,
                    password=data.password,
                    display_name=data.display_name,
                )
            db.commit()
    finally:
        engine.dispose()
    return accounts


def seed_cases(url: str, accounts: dict[str, Account]) -> None:
    """Cases at several stages, so every start page has work to list: the browser lawyer's
    clients, seats at the browser host's location, an LGBTI file for the coordinator."""
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            factory = Factory(db)
            factory._location = db.scalar(select(Location).where(Location.name == LOCATION))
            lawyer = accounts["lawyer"].username
            names = iter(["Amal Haddad", "Reza Ahmadi", "Selam Tesfay", "Elif Yilmaz", "Omar Aziz"])
            for state in (
                CaseState.INVITED,
                CaseState.SCHEDULED,
                CaseState.IN_TRANSLATION,
                CaseState.READY_FOR_DECISION,
            ):
                factory.case_in(state, lawyer=lawyer, applicant_name=next(names))
            factory.case_in(
                CaseState.READY_FOR_DECISION,
                lawyer=lawyer,
                applicant_name=next(names),
                coordinator_motives=["lgbti"],
            )
            db.commit()
    finally:
        engine.dispose()


# --- The app process ---------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str  # e.g. http://127.0.0.1:41234 (the browser contexts' base_url)
    database_url: str
    accounts: dict[str, Account]  # by role: planner, host, lawyer, ...
    app: App

    @property
    def log(self) -> Path:
        return self.app.process.log

    def new_errors(self) -> str | None:
        return self.app.new_errors()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app in a real process (``hearing serve``) on a fresh, migrated database with
    seeded users and cases.

    Its log is checked after every test and at the end of the session: a "Traceback" or an
    HTTP 500 fails the test (or the session teardown) and shows the log excerpt.
    """
    tmp = tmp_path_factory.mktemp("live-server")
    database_url = fresh_database(tmp, "browser")
    try:
        accounts = seed_users(database_url)
        seed_cases(database_url, accounts)
        app = start_app(database_url, tmp)
        try:
            server = LiveServer(app.url, database_url, accounts, app)
            yield server
        finally:
            app.process.stop()
    finally:
        drop_database(database_url)
    excerpt = server.new_errors()
    if excerpt:
        pytest.fail(
            f"server error during the browser tests ({server.log}):\n{excerpt}", pytrace=False
        )


@pytest.fixture(autouse=True)
def _server_errors_fail_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    if "live_server" not in request.fixturenames:
        yield
        return
    if "browser" in request.fixturenames:
        request.getfixturevalue("browser")  # no Chromium: skip before starting the app
    server: LiveServer = request.getfixturevalue("live_server")
    server.new_errors()  # earlier output belongs to earlier tests
    yield
    excerpt = server.new_errors()
    if excerpt:
        pytest.fail(f"server error during this test ({server.log}):\n{excerpt}", pytrace=False)


# --- The browser -------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, once per run of this package's tests on a worker.
    Not per session: while Playwright's sync API runs, its event loop counts as running
    in the main thread, so a later test's ``asyncio.run`` would fail."""
    require_server(
        "Chromium",
        os.access(CHROMIUM, os.X_OK),
        f"no browser at {CHROMIUM} (apt-get install chromium; `bash .ci/dev test` as root "
        "installs it; HEARING_CHROMIUM sets another path)",
    )
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keeps the test's own outcome, so ``page`` can take a screenshot when it failed."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A page in a new browser context (no cookies from other tests), with ``base_url`` set
    to the live server (``page.goto("/")``) and the Dutch locale. The page runs under the
    service's real Content-Security-Policy. A failing test leaves a screenshot
    ``test-artifacts/screenshots/<test name>-failed.png``."""
    context = browser.new_context(base_url=live_server.url, locale=LOCALE)
    try:
        new_page = context.new_page()
        yield new_page
        report = request.node.stash.get(_CALL_REPORT, None)
        if report is not None and report.failed:
            try:
                snap(new_page, "failed")
            except Exception as exc:  # the test's own failure matters more
                print(f"no screenshot of the failed test: {exc}")
    finally:
        context.close()


def sign_in(page: Page, account: Account) -> None:
    """Sign in through the page's own form, as a person would: start page, link, form."""
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Inloggen").click()
    page.get_by_label("Gebruikersnaam").fill(account.username)
    page.get_by_label("Wachtwoord").fill(account.password)
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    page.get_by_label("Code", exact=True).fill(totp_code(account.username))
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


# --- Helpers -----------------------------------------------------------------------------


def _current_test_name() -> str:
    # "tests/browser/test_smoke.py::test_start_page[nl] (call)" -> "test_start_page-nl"
    current = os.environ.get("PYTEST_CURRENT_TEST", "unknown")
    name = current.rsplit(" ", 1)[0].split("::")[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


def snap(page: Page, name: str) -> Path:
    """A full-page PNG at ``test-artifacts/screenshots/<test name>-<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_current_test_name()}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def assert_accessible(page: Page) -> dict[str, Any]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page at ``page.url``; fail listing
    every serious or critical violation. Returns axe's full result (``violations``,
    ``passes``, ``incomplete``, ...) so a test can look at the minor ones too.

    axe is injected as a script, which the service's strict Content-Security-Policy (no
    inline scripts) would block. So axe runs in its own browser context with
    ``bypass_csp=True``, never in the test's page: the test's page keeps the real CSP, so
    a page that needs an inline script still fails there. The axe context loads
    ``page.url`` afresh (a GET) with the page's cookies: check a state reached by clicking
    only if that state also has its own URL. (The service keeps nothing in the browser's
    storage; the kiosk tests check that.)
    """
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is not vendored at {AXE_JS.relative_to(ROOT)}", pytrace=False)
    axe_page = _axe_page(page)
    axe_page.goto(page.url)
    result: dict[str, Any] = axe_page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})""", WCAG_TAGS
    )
    blocking = [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} serious or critical accessibility violations on {page.url}:"]
        for violation in blocking:
            targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            more = len(violation["nodes"]) - len(targets)
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"  at {'; '.join(targets)}" + (f" and {more} more" if more > 0 else "")
            )
        pytest.fail("\n".join(lines), pytrace=False)
    return result


def _axe_page(page: Page) -> Page:
    """The browser's own axe page, made once and reused (a context per check cost a
    quarter of every browser test's time), with the test page's cookies only and no
    storage left from the checks before."""
    browser = page.context.browser
    assert browser is not None
    reused: Page | None = getattr(browser, "_axe_page", None)
    if reused is None or reused.is_closed():
        context = browser.new_context(bypass_csp=True, locale=LOCALE)
        context.add_init_script(path=str(AXE_JS))  # in every document, before its own
        reused = context.new_page()
        setattr(browser, "_axe_page", reused)  # noqa: B010 - lives as long as the browser
    if reused.url.startswith("http"):  # what the app's scripts kept at the last check
        reused.evaluate("localStorage.clear(); sessionStorage.clear()")
    reused.context.clear_cookies()
    cookies = page.context.cookies()
    if cookies:
        reused.context.add_cookies(cookies)
    return reused
