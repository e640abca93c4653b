"""The replay of the 2020 pilot: its table, read back from the database, is what the
replay did, in Tabel 4's proportions, and the same for the same seed."""

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import Case, Decision, FinalDecision, HearingHandoff, Invitation
from service.models.cases import CaseEventRow
from service.models.decisions import FinalOutcome
from service.simulate.figures import (
    ALL_GROUPS,
    NOT_GRANTED,
    TABEL_4,
    not_granted_split,
    percent,
    quotas,
)
from service.simulate.summary import nationality_table, render
from service.simulate.taskforce import Result, replay
from service.workflow import CaseState, Track

SCALE = 0.02


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


def test_the_table_is_what_the_replay_did_in_tabel_4s_proportions(db: Session, result: Result):
    table = {row.group: row for row in result.table}
    wanted = quotas(SCALE)
    for group in ALL_GROUPS:
        row, intended, quota = table[group], result.intended[group], wanted[group]
        # The database says what the replay decided, group by group.
        assert (row.invited, row.consented, row.held) == (
            intended.invited,
            intended.consented,
            intended.held,
        )
        assert (row.on_form, row.physical) == (intended.on_form, intended.physical), group
        assert row.outcomes == intended.outcomes, group
        # ... which are Tabel 4's quotas at this scale.
        assert (row.invited, row.held) == (quota.invited, quota.consented)
        assert row.outcomes[FinalOutcome.GRANT] == quota.granted
        assert abs(row.consent_percent - TABEL_4[group].consent_percent) <= 10
    total = table["total"]
    assert sum(total.outcomes.values()) == total.held  # every written hearing ended
    assert sum(total.outcomes.values()) - total.outcomes[FinalOutcome.GRANT] == sum(
        not_granted_split(total.held - total.outcomes[FinalOutcome.GRANT]).values()
    )
    # Counted independently of the table's own queries.
    assert db.scalar(select(func.count()).select_from(Invitation)) == total.invited
    assert db.scalar(select(func.count()).select_from(FinalDecision)) == total.held
    assert db.scalar(select(func.count()).select_from(Case)) == round(15_348 * SCALE)
    assert total.on_form + total.physical == total.held
    assert db.scalar(select(func.count()).select_from(HearingHandoff)) == total.physical
    # Every kansarm written hearing went to the nader gehoor; about 80 % of kansrijk on
    # the form; every nader gehoor has its one-or-two-day record.
    kansarm = select(func.count()).select_from(Case).join(FinalDecision)
    on_form = db.scalar(
        select(func.count())
        .select_from(Decision)
        .where(Decision.outcome == CaseState.DECIDED_ON_FORM.value)
    )
    assert on_form == total.on_form
    preparatory = db.scalar(kansarm.where(Case.track == Track.PREPARATORY))
    assert preparatory
    assert preparatory <= total.physical
    assert sum(total.actual_days.values()) == total.physical
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
            done = replay(db, seed=seed, scale=SCALE)
            steps = db.execute(
                select(Case.v_number, CaseEventRow.event, CaseEventRow.at)
                .join(CaseEventRow)
                .order_by(Case.v_number, CaseEventRow.id)
            ).all()
            table = render(done.table)
            assert table == render(nationality_table(db))
            savepoint.rollback()
        return table, list(steps)

    first = run(1)
    assert run(1) == first
