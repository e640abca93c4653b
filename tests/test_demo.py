"""The demo data: the real backlog mix, every stage reached by the real procedure, idempotent."""

from collections import Counter
from datetime import date
from itertools import pairwise
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.core.settings import Settings
from service.dev import demo
from service.dev.demo import BACKLOG, DEMO_PASSWORD, STAFF, V_PREFIX, load_demo_data
from service.dev.driver import STORY
from service.models import (
    Booking,
    Case,
    CaseEventRow,
    Decision,
    HearingSession,
    Invitation,
    Location,
    Signal,
    User,
)
from service.models.attention import AttentionPoint, PointStatus
from service.workflow import TRANSITIONS, CaseEvent, CaseState, Track

CASES = 150
API = "/api/v1"
# Every state a planner, lawyer, host, applicant, translator or officer can click on.
STAGES = {
    CaseState.SCREENED,
    CaseState.EXCLUDED,
    CaseState.INVITED,
    CaseState.DECLINED,
    CaseState.CONSENTED,
    CaseState.WITHDRAWN,
    CaseState.SCHEDULED,
    CaseState.CHECKED_IN,
    CaseState.IN_PROGRESS,
    CaseState.SUBMITTED,
    CaseState.IN_TRANSLATION,
    CaseState.WITH_LAWYER,
    CaseState.READY_FOR_DECISION,
    CaseState.CLAIMED,
    CaseState.DECIDED_ON_FORM,
    CaseState.PHYSICAL_HEARING_REQUIRED,
}


@pytest.fixture
def summary(db: Session) -> dict[str, Any]:
    return load_demo_data(CASES, session=db)


def demo_cases(db: Session) -> list[Case]:
    wanted = [row["v_number"] for row in demo.backlog_rows(CASES)]
    return list(db.scalars(select(Case).where(Case.v_number.in_(wanted))))


def row_counts(db: Session) -> dict[str, int]:
    models = (User, Location, HearingSession, Case, CaseEventRow, Invitation, Booking, Decision)
    return {m.__name__: db.scalar(select(func.count()).select_from(m)) or 0 for m in models}


def test_nationalities_follow_the_backlog_mix(db, summary):
    found = Counter(c.nationality if c.nationality in BACKLOG else "other" for c in demo_cases(db))
    whole = sum(BACKLOG.values())
    assert sum(found.values()) == CASES
    for group, stock in BACKLOG.items():
        assert abs(found[group] - stock * CASES / whole) <= 1, (group, found[group])


def test_every_stage_of_the_procedure_is_present(summary):
    assert set(summary["states"]) >= STAGES
    assert sum(summary["states"].values()) == CASES
    assert summary["created"]["cases"] == CASES
    assert summary["import"]["failed"] == 0


def test_every_case_got_where_it_is_through_the_workflow(db, summary):
    """Replay each case's event log against the transition table."""
    cases = {c.id: c for c in demo_cases(db)}
    events = db.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.case_id.in_(list(cases)))
        .order_by(CaseEventRow.case_id, CaseEventRow.id)
    )
    logs: dict[Any, list[CaseEventRow]] = {}
    for event in events:
        logs.setdefault(event.case_id, []).append(event)
    moves = {e.value for e in CaseEvent}
    for case_id, log in logs.items():
        assert (log[0].event, log[0].to_state) == ("import", CaseState.IMPORTED)
        # Things recorded without a move (a point set aside) stand where the case was.
        assert all(e.from_state == e.to_state for e in log[1:] if e.event not in moves)
        log = [log[0], *(e for e in log[1:] if e.event in moves)]
        for before, step in pairwise(log):
            assert step.from_state == before.to_state
            assert TRANSITIONS[(CaseState(step.from_state), CaseEvent(step.event))] == step.to_state
        assert log[-1].to_state == cases[case_id].state
    assert set(logs) == set(cases)


def test_decisions_respect_track_signals_and_consultations(db, summary):
    cases = demo_cases(db)
    decided = [c for c in cases if c.state == CaseState.DECIDED_ON_FORM]
    assert decided
    assert all(c.track == Track.REPLACING for c in decided)
    outcomes = set(
        db.scalars(select(Decision.outcome).where(Decision.case_id.in_([c.id for c in cases])))
    )
    assert outcomes == {CaseState.DECIDED_ON_FORM, CaseState.PHYSICAL_HEARING_REQUIRED}
    # A coordinator has work: a complete file raising a motive, not yet consulted.
    assert any(c.state == CaseState.READY_FOR_DECISION and c.coordinator_motives for c in cases)
    # One case left the track mid-procedure: a signal after the form was handed in.
    late = [c for c in cases if c.state == CaseState.EXCLUDED and c.submitted_at is not None]
    assert len(late) == 1
    assert db.scalar(select(Signal.kind).where(Signal.case_id == late[0].id)) == "1f"


def test_second_run_adds_nothing(db, summary):
    before = row_counts(db)
    again = load_demo_data(CASES, session=db)
    assert again["created"] == {"users": 0, "locations": 0, "sessions": 0, "cases": 0}
    assert again["import"]["skipped_existing"] == CASES
    assert again["states"] == summary["states"]
    assert row_counts(db) == before


def test_summary_lists_the_logins_that_work(client, summary):
    assert summary["dev_only_password"] == DEMO_PASSWORD
    logins = summary["logins"]
    assert [login["username"] for login in logins] == [s.username for s in STAFF]
    roles = Counter(login["role"] for login in logins)
    assert roles == {
        "admin": 1,
        "planner": 2,
        "host": 2,
        "lawyer": 4,
        "translator": 2,
        "officer": 4,
        "coordinator": 2,
        "unit_1f": 1,
        "interpreter": 1,
        "partner": 2,
        "form_owner": 1,
    }
    lawyers = [login for login in logins if login["role"] == "lawyer"]
    assert all(login["email"] for login in lawyers)
    assert len({login["organisation"] for login in lawyers}) == 2
    translators = [login for login in logins if login["role"] == "translator"]
    assert {login["agency"] for login in translators} == {demo.AGENCY_A, demo.AGENCY_B}
    hosts = [login for login in logins if login["role"] == "host"]
    assert {login["location"] for login in hosts} == {loc.name for loc in demo.LOCATIONS}
    for entry in logins:
        code, _ = demo.demo_code(entry["username"])
        body = {"username": entry["username"], "password": DEMO_PASSWORD, "code": code}
        token = client.post(f"{API}/auth/token", json=body)
        assert token.status_code == 200, token.text
        assert token.json()["role"] == entry["role"]


def test_kiosk_codes_in_the_summary_open_the_form(client, db, summary):
    assert summary["kiosk_codes"]
    for v_number, code in summary["kiosk_codes"].items():
        case = db.scalar(select(Case).where(Case.v_number == v_number))
        assert case is not None
        assert case.state == CaseState.CHECKED_IN
        token = client.post(f"{API}/kiosk/login", json={"code": code})
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        form = client.get(f"{API}/kiosk/form", headers=headers)
        assert form.status_code == 200, form.text


def test_backlog_rows_are_seeded_and_lodged_before_april_2020():
    rows = demo.backlog_rows(300)
    assert rows == demo.backlog_rows(300)
    assert len({r["v_number"] for r in rows}) == 300
    assert all(r["v_number"].startswith(V_PREFIX) for r in rows)
    assert all(date.fromisoformat(r["date_of_application"]) < date(2020, 4, 1) for r in rows)
    assert {r["languages"][0] for r in rows if r["nationality"] == "PK"} == {"ur"}


@pytest.mark.parametrize("total", [1, 7, 600, 15_348])
def test_allocation_adds_up_and_stays_within_one(total):
    counts = demo.allocate(total)
    whole = sum(BACKLOG.values())
    assert sum(counts.values()) == total
    assert all(abs(counts[g] - BACKLOG[g] * total / whole) < 1 for g in BACKLOG)


def test_refused_in_production(monkeypatch):
    production = Settings(
        env="production",
        secret_key="Xq3v9-Lk2PzR8wYt1uB6nJ4mC0sD7fGh_eT5aK",
        data_keys=SecretStr("live:" + "A" * 43 + "="),
    )
    monkeypatch.setattr(demo, "get_settings", lambda: production)
    with pytest.raises(RuntimeError, match="refused in production"):
        load_demo_data(10)


def test_demo_code_is_for_demo_accounts_only_and_never_in_production(monkeypatch):
    with pytest.raises(LookupError):
        demo.demo_code("someone.else")
    code, seconds = demo.demo_code(STAFF[0].username)
    assert code.isdigit()
    assert len(code) == 6
    assert 0 < seconds <= 30
    production = Settings(
        env="production",
        secret_key="x" * 20 + "abcdefghijklmnopqrstuvwxyz0123",
        data_keys=SecretStr("live:" + "A" * 43 + "="),
    )
    monkeypatch.setattr(demo, "get_settings", lambda: production)
    with pytest.raises(RuntimeError):
        demo.demo_code(STAFF[0].username)


def test_officers_have_a_team_lead_a_senior_and_drafters_under_four_eyes(db, summary):
    from service.models.decisions import OfficerProfile

    profiles = {
        u.username: p
        for p, u in db.execute(
            select(OfficerProfile, User).join(User, User.id == OfficerProfile.user_id)
        )
        if u.username.startswith("officer.")
    }
    assert profiles["officer.degroot"].team_lead
    assert profiles["officer.meijer"].senior
    assert profiles["officer.extern"].external
    assert len({p.team_id for p in profiles.values()}) == 1


def test_the_demo_loads_under_the_default_policy_and_its_richer_forms(db, monkeypatch):
    """The serve command's demo runs on the shipped default policy, whose forms have
    repeatable groups: every stage up to the decision is still reached."""
    from service.core.settings import get_settings

    monkeypatch.setenv(
        "HEARING_ELIGIBILITY_POLICY", Settings.model_fields["eligibility_policy"].default
    )
    get_settings.cache_clear()
    try:
        load_demo_data(CASES, session=db)
        states = Counter(c.state for c in demo_cases(db))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert states[CaseState.WITH_LAWYER] + states[CaseState.DECIDED_ON_FORM] > 0, states


# Past what two agencies of 20 forms a week hold (AgencyFull from 700 cases on), and
# little more: the load takes about 10 ms a case.
LARGE = 720


def test_a_larger_demo_scales_its_agencies_and_sessions(db):
    """``demo-data --cases 15348`` stopped with AgencyFull: the demo's two agencies took
    20 forms a week. Agencies, rooms and weeks of sessions now grow with the cases asked
    for, and the stages keep their share (here a demo of 120 % of the default)."""
    from service.models.sessions import Room
    from service.models.translation import Agency

    summary = load_demo_data(LARGE, session=db)
    assert summary["created"]["cases"] == LARGE
    capacities = {a.name: a.capacity_per_week for a in db.scalars(select(Agency))}
    assert set(capacities.values()) == {demo.scaled(demo.AGENCY_CAPACITY, LARGE)} == {24}
    # Each room twice over (the session starting shortly seats everyone past check-in).
    rooms = sum(len(demo.rooms_of(location.name)) for location in demo.LOCATIONS)
    assert db.scalar(select(func.count()).select_from(Room)) == 2 * rooms
    states = summary["states"]
    for target in demo.SPREAD:
        if target.state in (CaseState.READY_FOR_DECISION, CaseState.PHYSICAL_HEARING_REQUIRED):
            continue  # two targets each, counted together below
        assert states[target.state] >= target.count(LARGE), (target.state, states)
    ready = sum(t.count(LARGE) for t in demo.SPREAD if t.state == CaseState.READY_FOR_DECISION)
    assert states[CaseState.READY_FOR_DECISION] == ready


def test_unit_1f_finds_points_on_the_demo_list_and_one_set_aside(db, summary):
    """The demo's list is published before any translation, so the stories that name a
    place or organisation on it are points; one is dismissed, with its reason."""
    points = db.scalars(select(AttentionPoint)).all()
    statuses = Counter(p.status for p in points)
    assert statuses[PointStatus.DISMISSED] == 1
    assert statuses[PointStatus.OPEN] >= 1
    told = {c.id for c in demo_cases(db) if demo._story(c) != STORY}
    assert {p.case_id for p in points} <= told  # only where a story names one
