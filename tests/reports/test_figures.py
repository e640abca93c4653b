"""The reports' figures on a small dataset walked through the real actions: per
nationality, time, where the time goes, the period filter, and who may read them."""

import contextlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.core.settings import get_settings
from service.models import Role
from service.models.cases import Case
from service.models.decisions import FinalDecision
from service.models.questionnaires import VoiceRecording
from service.reports import queries, service
from service.reports.schemas import Period
from service.retention import service as retention
from service.retention import tasks as retention_tasks
from service.terms.policy import local_date
from service.workflow import TERMINAL_STATES
from tests.factories import Factory
from tests.helpers import API, assert_problem, ok, sign_in
from tests.reports.dataset import build, period_query

FIGURES = (
    "selected",
    "invited",
    "replied",
    "consented",
    "consent_rate",
    "held",
    "decided_on_form",
    "physical_hearing",
    "granted_on_form",
    "intended_rejection",
    "final_outcomes",
    "grant",
    "unfounded",
    "manifestly_unfounded",
    "inadmissible",
    "grant_rate",
    "estimated_one_day",
    "estimated_two_days",
    "actual_recorded",
    "actual_one_day",
    "actual_two_days_or_more",
    "low_literacy",
    "spoken_answers",
)


def table(db: Session, period: Period) -> dict[str, tuple[object, ...]]:
    return {
        row.nationality: tuple(getattr(row, f) for f in FIGURES)
        for row in queries.by_nationality(db, period)
    }


def test_the_nationality_table_counts_each_step_of_the_built_cases(db, factory):
    data = build(db, factory)
    assert table(db, data.period) == {
        # selected invited replied consented rate held form hearing | on the form: grant
        # rejection | final: recorded grant unfounded manifestly inadmissible grant-rate |
        # est1 est2 recorded act1 act2+ | low-literacy spoken
        "SY": (4, 4, 4, 3, 0.75, 3, 2, 1, 2, 0, 3, 2, 1, 0, 0, 0.6667, 1, 0, 1, 0, 1, 0, 0),
        # kansarm: handed to the physical hearing without an estimate
        "IR": (1, 1, 1, 1, 1.0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0.0, 0, 0, 0, 0, 0, 0, 0),
        "TR": (1, 1, 1, 1, 1.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, 0, 0, 0, 0, 0, 0, 0),
        "YE": (1, 1, 1, 1, 1.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, 0, 0, 0, 0, 0, 1, 2),
        "total": (7, 7, 7, 6, 0.8571, 4, 2, 2, 2, 0, 4, 2, 1, 0, 1, 0.5, 1, 0, 1, 0, 1, 1, 2),
    }


def test_final_outcomes_and_spoken_answers_count_on_their_own_day(db, factory):
    """A final outcome counts in the period in which it was recorded, not in the one of
    the decision on the form; a spoken answer on the day it was recorded."""
    data = build(db, factory)
    final = db.scalars(select(FinalDecision).join(Case).where(Case.nationality == "IR")).one()
    final.decided_at = data.start - timedelta(days=200)
    recording = db.scalars(select(VoiceRecording)).first()
    assert recording is not None
    recording.recorded_at = data.start - timedelta(days=200)
    db.flush()
    total = queries.by_nationality(db, data.period)[-1]
    assert (total.final_outcomes, total.inadmissible, total.grant_rate) == (3, 0, 0.6667)
    assert (total.low_literacy, total.spoken_answers) == (1, 1)
    earlier = Period(start=local_date(final.decided_at), end=local_date(final.decided_at))
    ir = queries.by_nationality(db, earlier)[0]
    assert (ir.nationality, ir.inadmissible, ir.final_outcomes, ir.spoken_answers) == (
        "IR",
        1,
        1,
        0,
    )


def test_a_period_counts_only_the_steps_inside_it(db, factory):
    data = build(db, factory)
    before = Period(start=data.period.start - timedelta(days=400), end=data.period.start)
    nothing = (0, 0, 0, 0, None, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, 0, 0, 0, 0, 0, 0, 0)
    assert table(db, before) == {"total": nothing}
    # The two grants were invited 60 days ago: a period of the last 30 days leaves
    # their invitation out and keeps their decision (20 and 50 days after).
    recent = Period(start=data.period.end - timedelta(days=30), end=data.period.end)
    sy = table(db, recent)["SY"]
    assert sy[FIGURES.index("invited")] == 2
    assert sy[FIGURES.index("decided_on_form")] == 1  # the slow one: 10 days ago


def test_throughput_handling_time_and_time_saved(db, factory):
    data = build(db, factory)
    time = queries.time_report(db, data.period)
    whole = {s.step: s for s in time.steps}["whole"]
    # Decided: the grants after 20 and 50 days, the two hearings the same day.
    assert (whole.cases, whole.median_days, whole.p90_days) == (4, 10.0, 50.0)
    assert whole.within_six_weeks == 0.75
    assert dict(time.distribution)["0-7"] == 2
    assert dict(time.distribution)["14-21"] == 1
    assert dict(time.distribution)["42-56"] == 1
    # 30 and 90 minutes of heartbeats: median and mean one hour, p90 the longer.
    assert (time.handling_cases, time.handling_median_hours) == (2, 1.0)
    assert (time.handling_p90_hours, time.handling_mean_hours) == (1.5, 1.0)
    c = time.comparison
    settings = get_settings()
    assert c.regular_source == "configured baseline"
    assert c.regular_throughput_days == settings.report_regular_days
    assert (c.decided_on_form, c.written_throughput_days, c.written_handling_hours) == (
        2,
        35.0,
        1.0,
    )
    assert c.throughput_days_saved_per_case == settings.report_regular_days - 35.0
    saved = settings.report_regular_handling_hours - 1.0
    assert c.handling_hours_saved_per_case == saved
    assert c.handling_hours_saved_total == round(2 * saved, 1)


def test_where_the_time_goes(db, factory):
    data = build(db, factory)
    where = queries.where_report(db, data.period, utcnow() + timedelta(days=3))
    held = {h.state: h for h in where.held}
    assert {state: h.cases for state, h in held.items()} == {"consented": 1, "in_progress": 1}
    assert held["consented"].median_days == pytest.approx(3.0, abs=0.1)
    declines = {d.reason: d.invitations for d in where.declines if d.invitations}
    assert declines == {"prefers_physical_hearing": 1}  # the driver's decline
    assert {o.party for o in where.overdue} == {
        "lawyers",
        "agencies",
        "decision teams",
        "whole procedure",
    }
    # Far in the future every running term has passed: the Turkish case's is the
    # six-week target (the planner has to seat it).
    later = queries.overdue(db, utcnow() + timedelta(days=400))
    assert {o.step: o.terms for o in later}["target"] >= 1


def test_the_funnel_the_weekly_flow_and_the_stock(db, factory):
    data = build(db, factory)
    funnel = dict(queries.funnel(db, data.period))
    assert (funnel["selected"], funnel["consented"], funnel["held"]) == (7, 6, 4)
    flow = queries.weekly_flow(db, data.period)
    assert (sum(f.inflow for f in flow), sum(f.outflow for f in flow)) == (7, 4)
    assert dict(queries.stock(db)) == {"consented": 1, "in_progress": 1}


def test_anonymised_cases_still_count(db: Session, factory: Factory, monkeypatch):
    @contextlib.contextmanager
    def test_unit_of_work(write: bool = True) -> Iterator[Session]:
        yield db  # the job runs inside the test's transaction

    monkeypatch.setattr(retention_tasks, "unit_of_work", test_unit_of_work)
    data = build(db, factory)
    closed = [c for c in data.cases.values() if c.state in TERMINAL_STATES]
    assert len(closed) == 5

    def figures() -> dict[str, object]:
        found = service.report(db, data.period)
        return found.model_dump(exclude={"generated_at", "where"}) | {
            "declines": found.where.declines
        }

    before = figures()
    with time_machine.travel(utcnow() + timedelta(days=get_settings().retention_days + 1)):
        assert retention_tasks.anonymise_due_cases.call_local() == 5
    db.expire_all()
    assert all(db.get(type(c), c.id).anonymised_at is not None for c in closed)
    assert retention.due_cases(db) == []
    assert figures() == before


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LAWYER, Role.TRANSLATOR, Role.HOST])
def test_only_planners_and_management_read_the_reports(client, db, factory, role):
    someone = factory.person(role)
    for path in ("/reports/nationalities", "/reports/time", "/reports/where", "/reports"):
        assert_problem(client.get(API + path, headers=someone.headers), 403, "role_not_allowed")
    db.commit()
    sign_in(client, someone.user.username)
    for path in ("/reports", "/reports/report.xlsx", "/reports/nationalities.csv"):
        assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", [Role.PLANNER, Role.COORDINATOR, Role.ADMIN])
def test_planners_coordinators_and_the_administrator_read_them(client, db, factory, role):
    reader = factory.person(role)
    assert (
        ok(client.get(f"{API}/reports/nationalities", headers=reader.headers))[-1]["nationality"]
        == "total"
    )
    db.commit()
    sign_in(client, reader.user.username)
    assert client.get("/reports").status_code == 200


def test_a_period_whose_end_comes_first_is_refused_by_both_doors(client, db, factory):
    planner = factory.person(Role.PLANNER)
    bad = "from=2026-05-01&to=2026-04-01"
    refused = client.get(f"{API}/reports/nationalities?{bad}", headers=planner.headers)
    assert_problem(refused, 422, "bad_period")
    db.commit()
    sign_in(client, planner.user.username)
    page = client.get(f"/reports?{bad}", headers={"Accept": "text/html"})
    assert page.status_code == 422
    assert "De laatste dag van de periode ligt vóór de eerste dag." in page.text


def test_the_default_period_is_the_last_year(db, factory):
    period = service.period_of(None, None)
    assert (period.end - period.start).days == 364
    assert period_query(period).startswith("from=")


@pytest.mark.parametrize(
    ("role", "start"), [(Role.PLANNER, "/planner"), (Role.COORDINATOR, "/coordinator")]
)
def test_the_planners_and_the_coordinators_start_pages_link_to_the_reports(
    client, db, factory, role, start
):
    reader = factory.person(role)
    db.commit()
    sign_in(client, reader.user.username)
    page = client.get(start)
    assert page.status_code == 200
    assert 'href="/reports"' in page.text
    assert "Rapportages: per nationaliteit, tijd, tijdwinst" in page.text
