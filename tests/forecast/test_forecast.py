"""The forecast read from a built database: its defaults and where they came from, the
doors (API and page) agreeing, bad input refused in Dutch beside the field, and who may
see it."""

import re
from datetime import timedelta
from typing import Any

import pytest

from service.core.clock import utcnow
from service.forecast import service
from service.forecast.queries import WEEKS_MEASURED, WEEKS_PLANNED_AHEAD
from service.models import Role
from service.models.sessions import Location
from service.translation.service import create_agency
from service.workflow import CaseState
from tests.helpers import API, assert_problem, ok, sign_in

HTML = {"accept": "text/html"}


@pytest.fixture
def world(db: Any, factory: Any) -> dict[str, Any]:
    """Two cases to invite, three consented, one declined, two decided by Team Zwolle;
    Zevenaar with a session a week of 15 seats; one agency of 40 forms a week."""
    screened = [factory.case_in(CaseState.SCREENED) for _ in range(2)]
    consented = [factory.case_in(CaseState.CONSENTED) for _ in range(3)]
    factory.case_in(CaseState.DECLINED)
    decided = [factory.case_in(CaseState.DECIDED_ON_FORM) for _ in range(2)]
    officer = factory.officer(team="Team Zwolle")
    zevenaar = Location(name="Zevenaar", address="Test")
    db.add(zevenaar)
    db.flush()
    weeks = WEEKS_MEASURED + WEEKS_PLANNED_AHEAD
    for week in range(weeks):
        factory.session(
            seats=15,
            location=zevenaar,
            starts_in=timedelta(weeks=week - WEEKS_MEASURED, days=1),
        )
    # The factory's agency takes anything; the forecast's own has an agreed capacity.
    factory.agency().active = False
    agency = create_agency(db, "Vertaalbureau Noord", capacity_per_week=40)
    db.flush()
    return {
        "screened": screened,
        "consented": consented,
        "decided": decided,
        "officer": officer,
        "zevenaar": zevenaar,
        "agency": agency,
        "planner": factory.person(Role.PLANNER),
    }


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


def test_the_api_and_the_page_give_the_same_forecast(client, db, world):
    zevenaar = str(world["zevenaar"].id)
    query = {f"sessions-{zevenaar}": "2,5", "consent": "60"}
    body = ok(client.get(f"{API}/forecast", params=query, headers=world["planner"].headers))
    assert body == service.forecast(db, world["planner"].actor, query).model_dump(mode="json")
    assert body["query"] == {"consent": "60.0", f"sessions-{zevenaar}": "2.5"}
    sign_in(client, world["planner"].user.username)
    page = client.get("/planner/forecast", params=query, headers=HTML)
    assert page.status_code == 200, page.text
    finished = body["finished_on"]
    assert finished
    from datetime import date

    from service.core.formatting import local_date

    assert local_date(date.fromisoformat(finished), "nl") in page.text
    assert "Knelpunt" in page.text
    # The form keeps the scenario: Dutch decimals in the fields.
    assert re.search(rf'id="sessions-{zevenaar}"[^>]*value="2,5"', page.text)
    assert 'value="60"' in page.text


@pytest.mark.parametrize(
    ("name", "value", "dutch"),
    [
        ("consent", "veel", "Vul een percentage in van 0 tot 100"),
        ("consent", "120", "Vul een percentage in van 0 tot 100"),
        ("reply_days", "2,5", "Vul een heel aantal dagen in van 0 tot 365"),
        ("sessions", "-1", "Vul een aantal sessies in van 0 tot 50"),
    ],
)
def test_a_bad_input_is_refused_alike_with_the_message_beside_the_field(
    client, world, name, value, dutch
):
    field = f"sessions-{world['zevenaar'].id}" if name == "sessions" else name
    api = client.get(f"{API}/forecast", params={field: value}, headers=world["planner"].headers)
    problem = assert_problem(api, 422, "invalid_forecast_input")
    assert any(p.startswith(f"{field}: Enter") for p in problem["problems"]), problem
    sign_in(client, world["planner"].user.username)
    page = client.get("/planner/forecast", params={field: value}, headers=HTML)
    assert page.status_code == 422
    html = page.text
    assert dutch in html
    assert f'id="{field}-error"' in html
    # What was typed is still in the field; no forecast is shown for it.
    assert re.search(rf'id="{field}"[^>]*value="{re.escape(value)}"', html)
    assert 'id="forecast-summary"' not in html
    assert "Er is een probleem" in html


def test_an_unknown_location_is_refused(client, world):
    api = client.get(
        f"{API}/forecast", params={"sessions-nowhere": "2"}, headers=world["planner"].headers
    )
    problem = assert_problem(api, 422, "invalid_forecast_input")
    assert problem["problems"] == [
        "sessions-nowhere: There is no location, agency or team with this id."
    ]


def test_the_planner_finds_it_from_the_start_page_in_dutch(client, world):
    sign_in(client, world["planner"].user.username)
    start = client.get("/planner", headers=HTML).text
    assert 'href="/planner/forecast"' in start
    page = client.get("/planner/forecast", headers=HTML)
    assert page.status_code == 200
    html = page.text
    for dutch in ("Capaciteitsprognose", "Invoer", "Gemeten:", "Prognose tonen", "Zevenaar"):
        assert dutch in html, dutch
    # The chart is an SVG whose text stays text, with its table for screen readers.
    assert "<svg" in html
    assert "<text" in html
    caption = '<caption class="utrecht-table__caption">Zaken per stap aan het eind van elke week'
    assert caption in html
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


def test_a_forecast_of_the_stock_is_computed_from_the_database_quickly(db, world):
    started = utcnow()
    service.forecast(db, world["planner"].actor, {})
    assert (utcnow() - started).total_seconds() < 2


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
