"""The replay of the 2020 pilot: its table, read back from the database, is what the
replay did, in Tabel 4's proportions, and the same for the same seed."""

from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import Case, Decision, FinalDecision, HearingHandoff, Invitation, Role
from service.models.cases import CaseEventRow
from service.models.decisions import FinalOutcome
from service.reports.queries import by_nationality
from service.reports.schemas import NationalityRow
from service.simulate.figures import (
    ALL_GROUPS,
    NOT_GRANTED,
    TABEL_4,
    not_granted_split,
    percent,
    quotas,
)
from service.simulate.summary import render, tabel_4
from service.simulate.taskforce import Result, replay
from service.workflow import CaseState, Track
from tests.factories import Factory
from tests.helpers import API, ok

SCALE = 0.02


def outcomes(row: NationalityRow) -> dict[str, int]:
    """The final outcomes the report counts, the ones that occur."""
    counts = {outcome: getattr(row, outcome) for outcome in FinalOutcome}
    return {outcome: n for outcome, n in counts.items() if n}


@pytest.fixture
def result(db: Session) -> Result:
    return replay(db, seed=1, scale=SCALE)


def test_at_scale_one_the_quotas_are_tabel_4_exactly():
    """What ``--seed 1`` at full scale must print: DOMAIN.md's Tabel 4 to the case."""
    wanted = quotas(1.0)
    consent = {"ER": 20, "IR": 35, "YE": 73, "SY": 49, "TR": 56, "other": 25}
    grant = {"ER": 97, "IR": 70, "YE": 99, "SY": 99, "TR": 99, "other": 87}
    written = {"ER": 38, "IR": 387, "YE": 91, "SY": 353, "TR": 144, "other": 23}
    for group in ALL_GROUPS:
        quota = wanted[group]
        assert quota.consented == written[group]
        assert percent(quota.consented, quota.invited) == consent[group]
        assert percent(quota.granted, quota.consented) == grant[group]
    held = sum(q.consented for q in wanted.values())
    granted = sum(q.granted for q in wanted.values())
    invited = sum(q.invited for q in wanted.values())
    assert (held, granted) == (1036, 913)
    assert percent(granted, held) == 88
    assert percent(held, invited) == 42
    assert not_granted_split(held - granted) == NOT_GRANTED  # 103 / 16 / 4


def test_the_report_is_what_the_replay_did_in_tabel_4s_proportions(
    client: TestClient, db: Session, factory: Factory, result: Result
):
    """The planner's report over the replay's period (the API, as a planner reads it) holds
    what the replay's quotas decided, group by group; it is the table the replay prints."""
    db.commit()
    planner = factory.person(Role.PLANNER)
    db.commit()
    period = f"from={result.period.start.isoformat()}&to={result.period.end.isoformat()}"
    api = ok(client.get(f"{API}/reports/nationalities?{period}", headers=planner.headers))
    assert api == [row.model_dump(mode="json") for row in result.table]  # what it printed
    report = tabel_4([NationalityRow.model_validate(row) for row in api])
    assert [row.nationality for row in report] == [*ALL_GROUPS, "total"]
    table = {row.nationality: row for row in report}
    wanted = quotas(SCALE)
    for group in ALL_GROUPS:
        row, intended, quota = table[group], result.intended[group], wanted[group]
        # The report says what the replay decided, group by group.
        assert (row.invited, row.consented, row.held) == (
            intended.invited,
            intended.consented,
            intended.held,
        ), group
        assert row.replied == row.invited  # every invitation answered or expired
        assert (row.decided_on_form, row.physical_hearing) == (
            intended.on_form,
            intended.physical,
        ), group
        assert outcomes(row) == {k: n for k, n in intended.outcomes.items() if n}, group
        assert row.final_outcomes == row.held  # every written hearing ended
        # ... which are Tabel 4's quotas at this scale.
        assert (row.invited, row.held) == (quota.invited, quota.consented)
        assert row.grant == quota.granted
        assert row.grant_rate == round(quota.granted / quota.consented, 4)
        assert abs(percent(row.consented, row.replied) - TABEL_4[group].consent_percent) <= 10
    total = table["total"]
    assert total.grant_rate == round(total.grant / total.held, 4)
    assert sum(outcomes(total).values()) - total.grant == sum(
        not_granted_split(total.held - total.grant).values()
    )
    assert (total.low_literacy, total.spoken_answers) == (0, 0)  # not in the 2020 pilot
    # Counted independently of the table's own queries.
    assert db.scalar(select(func.count()).select_from(Invitation)) == total.invited
    assert db.scalar(select(func.count()).select_from(FinalDecision)) == total.held
    assert db.scalar(select(func.count()).select_from(Case)) == round(15_348 * SCALE)
    assert total.decided_on_form + total.physical_hearing == total.held
    handoffs = db.scalar(select(func.count()).select_from(HearingHandoff))
    assert handoffs == total.physical_hearing
    # Every kansarm written hearing went to the nader gehoor; about 80 % of kansrijk on
    # the form; every nader gehoor has its one-or-two-day record.
    kansarm = select(func.count()).select_from(Case).join(FinalDecision)
    on_form = db.scalar(
        select(func.count())
        .select_from(Decision)
        .where(Decision.outcome == CaseState.DECIDED_ON_FORM.value)
    )
    assert on_form == total.decided_on_form
    preparatory = db.scalar(kansarm.where(Case.track == Track.PREPARATORY))
    assert preparatory
    assert preparatory <= total.physical_hearing
    assert total.actual_one_day + total.actual_two_days_or_more == total.physical_hearing
    assert result.actions > 0
    assert result.seconds > 0
    assert "total" in render(result.table)
    # Time moved on a simulated clock: steps over months of 2020 (not now), and the
    # worker's sweeps did their part: reminders sent, silent invitations expired, silent
    # lawyers' terms ended.
    first, last = db.execute(select(func.min(CaseEventRow.at), func.max(CaseEventRow.at))).one()
    assert first.year == 2020
    assert (last - first).days > 150
    assert result.sweeps.get("reminders", 0) > 0
    events = Counter(db.scalars(select(CaseEventRow.event)))
    assert events["expire_invitation"] == result.sweeps.get("invitations expired", 0)
    assert events["expire_corrections_term"] == result.sweeps.get("corrections terms ended", 0)


def test_the_same_seed_gives_the_same_run(db: Session):
    def run(seed: int) -> tuple[str, list[tuple[str, str, object]]]:
        with db.begin_nested() as savepoint:
            # Half the scale of the report's run: the same rule, run twice, in less time.
            done = replay(db, seed=seed, scale=SCALE / 2)
            steps = db.execute(
                select(Case.v_number, CaseEventRow.event, CaseEventRow.at)
                .join(CaseEventRow)
                .order_by(Case.v_number, CaseEventRow.id)
            ).all()
            table = render(done.table)
            assert table == render(by_nationality(db, done.period))
            savepoint.rollback()
        return table, list(steps)

    first = run(1)
    assert run(1) == first
