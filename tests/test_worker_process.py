"""The real job worker in the default set-up: ``hearing worker`` with no Redis, so Huey keeps
its queue in a SQLite file (not the tests' immediate mode).

Regression: the periodic jobs held ``huey.lock_task(..., ttl=300)``; the SQLite storage
cannot expire a lock and raised NotImplementedError on every run, so in the default
set-up no invitation ever expired, no form was auto-submitted and no file was routed.
"""

import signal
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.models.cases import Case
from service.models.invitations import Invitation
from service.models.questionnaires import AnswerSet
from service.workflow import CaseState
from tests.live import drop_database, engine_for, fresh_database, seeded, start_worker

# The consumer enqueues the periodic jobs as it starts; they fan out one job per case,
# which the worker threads pick up within seconds.
WAIT_SECONDS = 30
LOG_FAILURES = ("Traceback", "NotImplementedError", " ERROR ")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = fresh_database(tmp_path, "worker")
    try:
        yield url
    finally:
        drop_database(url)


def overdue_cases(engine: Engine) -> dict[uuid.UUID, CaseState]:
    """An invitation, a form and a corrections term whose time has passed, committed."""
    past = utcnow() - timedelta(minutes=1)
    with seeded(engine) as factory:
        db = factory.db
        invited = factory.case_in(CaseState.INVITED)
        invitation = db.scalars(select(Invitation).where(Invitation.case_id == invited.id)).one()
        invitation.reply_due_at = invited.reply_due_at = past
        writing = factory.case_in(CaseState.IN_PROGRESS)
        answer_set = db.scalars(select(AnswerSet).where(AnswerSet.case_id == writing.id)).one()
        answer_set.deadline_at = past
        with_lawyer = factory.case_in(CaseState.WITH_LAWYER)
        with_lawyer.corrections_due_at = past
        db.flush()
    return {
        invited.id: CaseState.INVITATION_EXPIRED,
        writing.id: CaseState.SUBMITTED,
        with_lawyer.id: CaseState.READY_FOR_DECISION,
    }


def states(engine: Engine, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, CaseState]:
    with Session(engine) as db:
        rows = db.execute(select(Case.id, Case.state).where(Case.id.in_(case_ids)))
        return {case_id: CaseState(state) for case_id, state in rows}


def test_worker_runs_the_periodic_jobs_on_the_sqlite_queue(database: str, tmp_path: Path):
    with engine_for(database) as engine:
        expected = overdue_cases(engine)
        invited, writing, _ = expected
        worker = start_worker(
            database,
            tmp_path,
            HEARING_ENV="dev",  # no immediate mode: the real queue in a SQLite file
            HEARING_REDIS_URL="",
            HEARING_HUEY_SQLITE_PATH=str(tmp_path / "queue" / "huey.db"),
        )
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            seen = states(engine, list(expected))
            while seen != expected and time.monotonic() < deadline:
                assert worker.popen.poll() is None, f"the worker stopped:\n{worker.output()}"
                log = worker.output()
                assert not any(bad in log for bad in LOG_FAILURES), f"worker log:\n{log}"
                time.sleep(0.25)
                seen = states(engine, list(expected))
        finally:
            worker.stop(signal.SIGINT)  # a graceful shutdown
        log = worker.output()
        assert seen == expected, f"after {WAIT_SECONDS} s the cases are {seen}; log:\n{log}"
        with Session(engine) as db:
            invitation = db.scalars(select(Invitation).where(Invitation.case_id == invited)).one()
            answer_set = db.scalars(select(AnswerSet).where(AnswerSet.case_id == writing)).one()
        assert invitation.status == "expired"
        assert answer_set.auto_submitted is True

    for bad in LOG_FAILURES:
        assert bad not in log, f"{bad!r} in the worker's log:\n{log}"
    assert (tmp_path / "queue" / "huey.db").is_file(), "the queue was not the SQLite file"
    for job in ("expire_invitations", "auto_submit_forms", "expire_corrections_terms"):
        assert job in log, f"the periodic job {job} did not run; log:\n{log}"
