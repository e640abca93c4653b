"""The periodic sweep on a frozen clock: reminders before a term ends, expiry of an
unanswered invitation, the file moving on when the corrections term ends, and overdue
flags on translations and decisions. Each sweep runs twice: the second finds nothing."""

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

import service.corrections.tasks
import service.invitations.tasks
import service.terms.tasks
from service.core.jobs import huey
from service.models import Role
from service.models.terms import TermStep
from service.terms import service as terms
from service.workflow import CaseState, needs_physical_hearing
from tests.helpers import API, ok

# Thursday 6 April 2023, 10:00 in Amsterdam (UTC+2 in summer time).
START = datetime(2023, 4, 6, 8, 0, tzinfo=UTC)
TASKS = (
    service.invitations.tasks.expire_invitations,
    service.corrections.tasks.expire_corrections_terms,
    service.terms.tasks.send_term_reminders,
    service.terms.tasks.flag_overdue_terms,
)


@pytest.fixture
def sweep(db, monkeypatch):
    """Run every periodic job of the sweep (inside the test's transaction) at ``moment``,
    twice; return how many jobs the first run fanned out. The second must fan out none."""

    @contextlib.contextmanager
    def test_unit_of_work(write: bool = True):
        yield db

    for module in (service.invitations.tasks, service.corrections.tasks, service.terms.tasks):
        monkeypatch.setattr(module, "unit_of_work", test_unit_of_work)

    def run(moment: datetime) -> dict[str, int]:
        with time_machine.travel(moment, tick=False):
            first = {task.func.__name__: huey.execute(task.s()) for task in TASKS}
            again = {task.func.__name__: huey.execute(task.s()) for task in TASKS}
        assert not any(again.values()), f"a second sweep found work again: {again}"
        db.expire_all()
        return {name: count for name, count in first.items() if count}

    return run


def case_at_start(factory, state: CaseState):
    with time_machine.travel(START, tick=False):
        return factory.case_in(state)


def test_lawyer_reminded_two_working_days_before_the_reply_term_ends(db, factory, sweep):
    case = case_at_start(factory, CaseState.INVITED)
    reply = terms.open_term(db, case.id, TermStep.INVITATION_REPLY)
    assert reply is not None  # due Monday 24 April (Easter in between)
    assert sweep(datetime(2023, 4, 19, 20, 0, tzinfo=UTC)) == {}
    assert sweep(datetime(2023, 4, 20, 6, 0, tzinfo=UTC)) == {"send_term_reminders": 1}
    db.refresh(reply)
    assert reply.reminded_at == datetime(2023, 4, 20, 6, 0, tzinfo=UTC)
    assert case.state is CaseState.INVITED


def test_unanswered_invitation_expires_after_its_last_working_day(db, factory, sweep):
    case = case_at_start(factory, CaseState.INVITED)
    # 23:30 on Monday 24 April in Amsterdam: the last day of the term is not over yet.
    assert "expire_invitations" not in sweep(datetime(2023, 4, 24, 21, 30, tzinfo=UTC))
    assert case.state is CaseState.INVITED
    assert sweep(datetime(2023, 4, 24, 22, 0, tzinfo=UTC)) == {"expire_invitations": 1}
    db.refresh(case)
    assert case.state is CaseState.INVITATION_EXPIRED
    # Back to the regular procedure: a physical hearing follows.
    assert needs_physical_hearing(case.state, None)
    assert terms.open_term(db, case.id, TermStep.INVITATION_REPLY) is None


def test_file_moves_on_when_the_corrections_term_ends(db, factory, sweep):
    case = case_at_start(factory, CaseState.WITH_LAWYER)
    corrections = terms.open_term(db, case.id, TermStep.CORRECTIONS)
    assert corrections is not None
    due = corrections.due_at  # Monday 24 April, end of the day
    assert sweep(datetime(2023, 4, 20, 6, 0, tzinfo=UTC)) == {"send_term_reminders": 1}
    assert "expire_corrections_terms" not in sweep(datetime(2023, 4, 24, 12, 0, tzinfo=UTC))
    assert sweep(due + timedelta(seconds=1)) == {"expire_corrections_terms": 1}
    db.refresh(case)
    assert case.state is CaseState.READY_FOR_DECISION
    assert terms.open_term(db, case.id, TermStep.DECISION) is not None


def test_overdue_translation_and_decision_are_flagged_once(client, db, factory, sweep):
    translating = case_at_start(factory, CaseState.IN_TRANSLATION)
    deciding = case_at_start(factory, CaseState.READY_FOR_DECISION)
    # 7 working days from 6 April: Wednesday 19 April; 10 working days: Monday 24 April.
    translation = terms.open_term(db, translating.id, TermStep.TRANSLATION)
    decision = terms.open_term(db, deciding.id, TermStep.DECISION)
    assert translation is not None
    assert decision is not None
    assert sweep(datetime(2023, 4, 17, 12, 0, tzinfo=UTC)) == {}
    assert sweep(datetime(2023, 4, 19, 22, 0, tzinfo=UTC)) == {"flag_overdue_terms": 1}
    assert sweep(datetime(2023, 4, 24, 22, 0, tzinfo=UTC)) == {"flag_overdue_terms": 1}
    db.refresh(translation)
    db.refresh(decision)
    assert translation.overdue_at == datetime(2023, 4, 19, 22, 0, tzinfo=UTC)
    assert decision.overdue_at == datetime(2023, 4, 24, 22, 0, tzinfo=UTC)
    # The case does not move: someone on the service's side must act.
    assert (translating.state, deciding.state) == (
        CaseState.IN_TRANSLATION,
        CaseState.READY_FOR_DECISION,
    )
    planner = factory.person(Role.PLANNER, "today")  # a token issued now, not in 2023
    db.commit()
    listed = ok(client.get(f"{API}/terms/overdue", headers=planner.headers))
    assert [(t["case_id"], t["step"]) for t in listed] == [
        (str(translating.id), "translation"),
        (str(deciding.id), "decision"),
    ]
