"""The planner opens the capacity forecast from the start page, makes the sessions at
Zevenaar the bottleneck, adds a session a week there and sees the finish date move
earlier; a bad input comes back in Dutch beside its field with what was typed. Every
page passes axe; screenshots are saved."""

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from service.models.sessions import Location
from service.workflow import CaseState
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, snap
from tests.browser.test_sessions import seeded

WEEKS = re.compile(r"over (\d+) weken")


def weeks_shown(page: Page) -> int:
    summary = page.locator("#forecast-summary")
    expect(summary).to_contain_text("zijn klaar op")
    found = WEEKS.search(summary.inner_text())
    assert found, summary.inner_text()
    return int(found.group(1))


def test_the_planner_adds_a_session_a_week_and_sees_the_forecast_move(
    page: Page, live_server: LiveServer
) -> None:
    with seeded(live_server) as factory:
        zevenaar = Location(name="Zevenaar", address="Bevrijdingsstraat 1")
        factory.db.add(zevenaar)
        factory.db.flush()
        factory.session("ar", seats=10, starts_in=timedelta(days=8), location=zevenaar)
        for _ in range(6):
            factory.case_in(CaseState.CONSENTED)

    sign_in(page, live_server.accounts["planner"])
    page.get_by_role("link", name="Capaciteitsprognose: wanneer de voorraad klaar is").click()
    expect(page.locator("h1")).to_have_text("Capaciteitsprognose")
    expect(page.get_by_label("Sessies per week in Zevenaar")).to_be_visible()
    expect(page.locator("svg.app-chart")).to_be_visible()
    assert_accessible(page)
    snap(page, "measured")

    # Only Zevenaar seats applicants, one a week: the sessions hold the stock up.
    for field in page.locator("input[name^='sessions-']").all():
        field.fill("0")
    # Translation and decisions keep up, whatever the live server's other cases (other
    # tests', the demo data's) measured for them.
    for field in page.locator("input[name^='agency-'], input[name^='team-']").all():
        field.fill("1000")
    page.get_by_label("Sessies per week in Zevenaar").fill("1")
    page.get_by_label("Plaatsen per sessie in Zevenaar").fill("1")
    page.get_by_role("button", name="Prognose tonen").click()
    expect(page.locator("#forecast-summary")).to_contain_text(
        "Knelpunt: Wacht op een plaats in een sessie."
    )
    before = weeks_shown(page)
    assert "sessions-" in page.url  # the scenario is in the address: it can be bookmarked
    snap(page, "one-session")

    # One more session a week at Zevenaar.
    page.get_by_label("Sessies per week in Zevenaar").fill("2")
    page.get_by_role("button", name="Prognose tonen").click()
    expect(page.get_by_label("Sessies per week in Zevenaar")).to_have_value("2")
    after = weeks_shown(page)
    assert after < before, (before, after)
    assert_accessible(page)
    snap(page, "two-sessions")

    # A bad input: refused beside the field, in Dutch, what was typed kept.
    page.get_by_label("Advocaten die instemmen (%)").fill("veel")
    page.get_by_role("button", name="Prognose tonen").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#consent-error")).to_have_text(
        "Vul een percentage in van 0 tot 100, zoals 42 of 42,5."
    )
    expect(page.get_by_label("Advocaten die instemmen (%)")).to_have_value("veel")
    expect(page.get_by_label("Sessies per week in Zevenaar")).to_have_value("2")
    assert_accessible(page)
    snap(page, "refused")
