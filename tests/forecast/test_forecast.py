"""The forecast read from a built database: its defaults and where they came from, a
session a week more moving the date, the Dutch page, who may see it, and how fast it is
over the whole backlog. (Both doors: test_doors_agree.py.)"""

from datetime import timedelta
from typing import Any

import pytest

from service.forecast import service
from service.forecast.queries import WEEKS_MEASURED
from service.models import Role
from service.translation.service import create_agency
from service.workflow import CaseState
from tests.helpers import API, ok, sign_in

HTML = {"accept": "text/html"}


def by_name(result: Any) -> dict[str, Any]:
    return {i.name: i for i in result.inputs}


def test_the_defaults_are_what_the_database_measured(db, world):
    result = service.forecast(db, world["planner"].actor, {})
    inputs = by_name(result)
    assert result.stock == {
        "invitation": 2,
        "session": 3,
        "translation": 0,
        "corrections": 0,
        "decision": 0,
    }
    # Six invitations were answered: five consents (the decided ones too), one decline.
    assert inputs["consent"].value == pytest.approx(83.3)
    assert inputs["consent"].source == "5 of 6 invitations closed in the last 8 weeks."
    zevenaar = str(world["zevenaar"].id)
    assert inputs[f"sessions-{zevenaar}"].value == 1.0
    assert inputs[f"sessions-{zevenaar}"].source == (
        "12 sessions in the last 8 weeks and the 4 planned ahead."
    )
    assert inputs[f"seats-{zevenaar}"].value == 15
    assert inputs[f"agency-{world['agency'].id}"].value == 40
    team = next(r for r in result.resources if r.name == "Team Zwolle")
    team_id = team.key.split(":")[1]
    assert inputs[f"team-{team_id}"].value == pytest.approx(2 / WEEKS_MEASURED)
    assert inputs[f"team-{team_id}"].source == "2 decisions in the last 8 weeks."
    # Nothing translated or corrected in the window by these cases' own clocks? The
    # decided ones were: their medians are measured (same instant: 0 days).
    assert "median" in inputs["translation_days"].source.lower()
    assert inputs["kansrijk"].value == 100.0  # Syrian cases: kansrijk


def test_one_more_session_a_week_at_zevenaar_brings_the_date_forward(db, world):
    actor = world["planner"].actor
    zevenaar = str(world["zevenaar"].id)
    measured = service.forecast(db, actor, {})
    team = next(r for r in measured.resources if r.step == "decision")
    others = [r.key[9:] for r in measured.resources if r.step == "session" and r.name != "Zevenaar"]
    assert others  # the factory's own location, where the decided cases had their seat
    # Few seats only at Zevenaar, many decisions: the sessions hold the stock up.
    few = {f"seats-{zevenaar}": "1", "consent": "100", f"team-{team.key[5:]}": "100"}
    few |= {f"sessions-{key}": "0" for key in others}
    slow = service.forecast(db, actor, few)
    faster = service.forecast(db, actor, few | {f"sessions-{zevenaar}": "2"})
    assert slow.bottleneck == "session"
    assert faster.finished_on < slow.finished_on
    # More forms at the agency do not help while the seats hold it up.
    agency = str(world["agency"].id)
    elsewhere = service.forecast(db, actor, few | {f"agency-{agency}": "400"})
    assert elsewhere.finished_on == slow.finished_on


def test_the_planner_finds_it_from_the_start_page_in_dutch(client, world):
    sign_in(client, world["planner"].user.username)
    start = client.get("/planner", headers=HTML).text
    assert 'href="/planner/forecast"' in start
    page = client.get("/planner/forecast", headers=HTML)
    assert page.status_code == 200
    html = page.text
    for dutch in ("Capaciteitsprognose", "Invoer", "Prognose tonen", "Sessies per week in"):
        assert dutch in html, dutch
    # Each default with where it came from, in Dutch.
    assert "Gemeten: 83,3. 5 van 6 uitnodigingen afgesloten in de laatste 8 weken." in html
    assert "Gemeten: 40. De wekelijkse capaciteit die met het bureau is afgesproken" in html
    # The chart is an SVG whose text stays text, with its table for screen readers.
    assert "<svg" in html
    assert "<text" in html
    caption = '<caption class="utrecht-table__caption">Zaken per stap aan het eind van elke week'
    assert caption in html
    assert '<th class="utrecht-table__header-cell" scope="row">' in html
    # Without JavaScript: a plain GET form, so a scenario is an address to bookmark.
    assert '<form method="get" action="/planner/forecast"' in html
    assert "<script" not in html.split("</head>")[1]
    assert "Capacity forecast" not in html


@pytest.mark.parametrize(("role", "status"), [(Role.COORDINATOR, 200), (Role.ADMIN, 200)])
def test_the_coordinator_and_the_administrator_may_look_too(client, factory, role, status):
    extra = {"specialism": "lgbti"} if role == Role.COORDINATOR else {}
    person = factory.person(role, "forecast", **extra)
    ok(client.get(f"{API}/forecast", headers=person.headers), status)


@pytest.mark.parametrize("role", [Role.LAWYER, Role.OFFICER, Role.HOST])
def test_others_may_not(client, factory, role):
    person = factory.person(role)
    assert client.get(f"{API}/forecast", headers=person.headers).status_code == 403


def test_the_backlog_of_15348_cases_is_forecast_within_a_second(db, factory):
    """The Taskforce's whole backlog in the stock (inserted in bulk: the forecast reads
    counts), one location, agency and team: measured end to end through the service."""
    import uuid
    from datetime import date
    from time import perf_counter

    from sqlalchemy import insert

    from service.core.crypto import seal_value
    from service.models.cases import Case

    states = [CaseState.SCREENED] * 9000 + [CaseState.CONSENTED] * 4000
    states += [CaseState.IN_TRANSLATION] * 1348 + [CaseState.READY_FOR_DECISION] * 1000
    ids = [uuid.uuid4() for _ in states]
    rows = [
        {
            "id": ids[n],
            "applicant_name": seal_value(Case.applicant_name, ids[n], ""),
            "vulnerability_notes": seal_value(Case.vulnerability_notes, ids[n], ""),
            "v_number": f"{9_000_000_000 + n:010d}",
            "nationality": "SY",
            "languages": ["ar"],
            "date_of_application": date(2020, 3, 1),
            "state": state,
            "track": "replacing" if n % 5 else "preparatory",
            "literacy": "known",
        }
        for n, state in enumerate(states)
    ]
    db.execute(insert(Case), rows)
    for week in range(12):  # a session of 200 a week
        factory.session(seats=200, starts_in=timedelta(weeks=week - 8, days=1))
    create_agency(db, "Bureau Zuid", capacity_per_week=300)
    factory.officer(team="Team Den Bosch")
    planner = factory.person(Role.PLANNER)
    started = perf_counter()
    measured = service.forecast(db, planner.actor, {})
    timings = [perf_counter() - started]
    team = next(r.key[5:] for r in measured.resources if r.step == "decision")
    started = perf_counter()
    faster = service.forecast(db, planner.actor, {f"team-{team}": "250"})
    timings.append(perf_counter() - started)
    assert sum(measured.stock.values()) == 15_348
    # One officer (an assumed 5 a week) does not get through it in ten years: the
    # slowest forecast, all 520 weeks simulated. With 250 decisions a week it is done.
    assert not measured.finished
    assert measured.bottleneck == "decision"
    assert faster.finished
    print(f"forecast of 15,348 cases: {timings[0]:.3f} s (520 weeks), {timings[1]:.3f} s")
    assert max(timings) < 1.0, timings


def test_the_coordinator_finds_it_on_their_start_page_and_a_lawyer_does_not_get_it(client, factory):
    from service.auth.pages import START_PAGES

    coordinator = factory.person(Role.COORDINATOR, "lgbti", specialism="lgbti")
    sign_in(client, coordinator.user.username)
    start = client.get(START_PAGES[Role.COORDINATOR], headers=HTML).text
    assert 'href="/planner/forecast"' in start
    assert client.get("/planner/forecast", headers=HTML).status_code == 200
    client.cookies.clear()
    lawyer = factory.person(Role.LAWYER)
    sign_in(client, lawyer.user.username)
    assert client.get("/planner/forecast", headers=HTML).status_code == 403
