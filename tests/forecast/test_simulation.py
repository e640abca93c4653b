"""The simulation's arithmetic on cases small enough to work out by hand."""

import time

import pytest

from service.forecast.simulation import MAX_WEEKS, Resource, Scenario, Step, simulate


def scenario(
    seats: float = 10,
    forms: float = 1000,
    decisions: float = 1000,
    stock: dict[Step, int] | None = None,
    **changes: object,
) -> Scenario:
    """One location, one agency, one team; no lead times, everybody consents, all kansrijk."""
    fields: dict[str, object] = {
        "stock": stock if stock is not None else {Step.SESSION: 100},
        "consent_rate": 1.0,
        "replacing_share": 1.0,
        "reply_days": 0,
        "translation_days": 0,
        "corrections_days": 0,
        "resources": [
            Resource("location:z", Step.SESSION, "Zevenaar", seats),
            Resource("agency:a", Step.TRANSLATION, "Agency", forms),
            Resource("team:t", Step.DECISION, "Team", decisions),
        ],
    }
    return Scenario(**(fields | changes))  # type: ignore[arg-type]


def test_one_bottleneck_with_known_capacity_gives_a_known_finish_week():
    # 100 cases, 10 seats a week: sessions on days 0, 7, ..., 63 (the tenth week).
    outcome = simulate(scenario(seats=10))
    assert outcome.finished_day == 63
    assert outcome.bottleneck is Step.SESSION
    assert outcome.step_utilisation[Step.SESSION] == pytest.approx(1.0)
    assert outcome.decided == 100
    # The stock at the end of each week: 90, 80, ... waiting for a seat, then none.
    assert [w.stock[Step.SESSION] for w in outcome.weeks] == [90 - 10 * n for n in range(10)]


def test_more_capacity_at_the_bottleneck_moves_the_date_earlier():
    assert simulate(scenario(seats=20)).finished_day == 28  # five weeks of 20
    assert simulate(scenario(seats=12.5)).finished_day == 49  # 12, 13, 12, 13, ...: eight


def test_more_capacity_elsewhere_does_not_move_the_date():
    base = simulate(scenario(seats=10)).finished_day
    assert simulate(scenario(seats=10, forms=5000)).finished_day == base
    assert simulate(scenario(seats=10, decisions=5000)).finished_day == base


def test_a_slower_agency_becomes_the_bottleneck():
    outcome = simulate(scenario(seats=10, forms=5))
    # 20 weeks of 5 forms: the last taken on day 133.
    assert outcome.finished_day == 133
    assert outcome.bottleneck is Step.TRANSLATION


def test_lead_times_add_up_along_the_way():
    outcome = simulate(
        scenario(
            seats=100,
            stock={Step.INVITATION: 100},
            reply_days=14,
            translation_days=5,
            corrections_days=10,
        )
    )
    # Replies on day 14 (a session on day 14), translated by day 19, corrected by day
    # 29, decided at the team's next weekly turn: day 35.
    assert outcome.finished_day == 35


def test_declines_and_kansarm_files_leave_without_a_seat_or_a_decision():
    outcome = simulate(
        scenario(seats=1000, stock={Step.INVITATION: 1000}, consent_rate=0.4, replacing_share=0.5)
    )
    assert outcome.declined + outcome.decided + outcome.handed_over == 1000
    assert outcome.declined == pytest.approx(600, abs=60)
    assert outcome.decided == pytest.approx(200, abs=40)


def test_the_same_seed_gives_the_same_forecast_and_another_may_not():
    one = scenario(stock={Step.INVITATION: 500}, seats=30, consent_rate=0.42, seed=7)
    assert simulate(one) == simulate(one)
    other = scenario(stock={Step.INVITATION: 500}, seats=30, consent_rate=0.42, seed=8)
    assert simulate(other).declined != simulate(one).declined


def test_no_capacity_at_a_step_never_finishes_and_names_that_step():
    outcome = simulate(scenario(seats=10, decisions=0), max_weeks=30)
    assert not outcome.finished
    assert outcome.finished_day is None
    assert outcome.bottleneck is Step.DECISION
    assert len(outcome.weeks) == 31


def test_an_empty_stock_is_done_today():
    outcome = simulate(scenario(stock={}))
    assert outcome.finished_day == 0
    assert outcome.bottleneck is None


def test_the_whole_backlog_is_forecast_well_within_a_second():
    backlog = scenario(
        stock={Step.INVITATION: 15_348},
        seats=300,
        forms=250,
        decisions=200,
        consent_rate=0.42,
        replacing_share=0.8,
        reply_days=14,
        translation_days=9,
        corrections_days=14,
    )
    started = time.perf_counter()
    outcome = simulate(backlog)
    elapsed = time.perf_counter() - started
    assert outcome.finished
    assert outcome.bottleneck is Step.DECISION
    assert elapsed < 0.5, elapsed
    assert len(outcome.weeks) < MAX_WEEKS
