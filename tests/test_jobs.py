"""The periodic jobs close what the people involved left open, and do it only once.

Terms are moved into the past by setting the columns directly; each job is then
run twice: the second run must find nothing left to do.
"""

import contextlib
from datetime import datetime, timedelta

import pytest
import redis
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

import service.corrections.tasks
import service.decisions.tasks
import service.invitations.tasks
import service.questionnaires.tasks
import service.tasks
from service.core.clock import utcnow
from service.core.jobs import huey as app_huey
from service.core.jobs import make_huey
from service.core.settings import Settings
from service.corrections import service as corrections
from service.invitations import service as invitations
from service.models import Role
from service.models.cases import CaseEventRow
from service.models.invitations import Invitation
from service.questionnaires import service as questionnaires
from service.questionnaires.service import answer_set_of
from service.workflow import CaseState
from tests.conftest import REDIS_URL, require_server
from tests.helpers import API, assert_problem

PAST = timedelta(minutes=1)


# What a periodic sweep does, inside the test's transaction: find what is due, then run
# the job for each id. Returns how many jobs changed something.
def expire_overdue(db) -> int:
    return sum(invitations.expire(db, i) for i in invitations.overdue_invitations(db))


def auto_submit_overdue(db) -> int:
    return sum(questionnaires.auto_submit(db, i) for i in questionnaires.overdue_forms(db))


def expire_overdue_terms(db) -> int:
    return sum(corrections.expire_term(db, i) for i in corrections.overdue_terms(db))


def events(db, case) -> list[CaseEventRow]:
    return list(
        db.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id)
        )
    )


def invitation_of(db, case) -> Invitation:
    return db.scalars(select(Invitation).where(Invitation.case_id == case.id)).one()


# --- invitations --------------------------------------------------------------------------


def test_invitation_past_its_term_expires_once(client, db, factory):
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(CaseState.INVITED)
    invitation = invitation_of(db, case)

    expire_overdue(db)
    assert (case.state, invitation.status) == ("invited", "open"), "expired before its term"

    invitation.reply_due_at = case.reply_due_at = utcnow() - PAST
    db.flush()
    assert expire_overdue(db) >= 1
    assert (case.state, invitation.status) == ("invitation_expired", "expired")
    assert invitation.replied_at is not None
    last = events(db, case)[-1]
    assert (last.event, last.from_state, last.to_state) == (
        "expire_invitation",
        "invited",
        "invitation_expired",
    )
    assert (last.actor_role, last.actor_id) == ("system", None)

    before = len(events(db, case))
    assert expire_overdue(db) == 0
    assert len(events(db, case)) == before
    assert case.state == "invitation_expired"
    late = client.post(
        f"{API}/invitations/{invitation.id}/reply",
        headers=lawyer.headers,
        json={"consent": True, "note": "sorry, late"},
    )
    assert_problem(late, 409, "invitation_closed")


def test_reply_after_the_term_is_refused_even_before_the_job_ran(client, db, factory):
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(CaseState.INVITED)
    invitation = invitation_of(db, case)
    invitation.reply_due_at = utcnow() - PAST

    late = client.post(
        f"{API}/invitations/{invitation.id}/reply", headers=lawyer.headers, json={"consent": True}
    )
    assert_problem(late, 409, "invitation_closed")
    db.refresh(case)
    assert case.state == "invited"


# --- the form's time limit ----------------------------------------------------------------


def test_form_past_its_deadline_is_handed_in_as_saved(client, db, factory):
    case = factory.case_in(CaseState.IN_PROGRESS)
    applicant = factory.applicant_headers(case)
    first_question, first_answer = next(iter(factory.full_answers().items()))

    saved = client.put(
        f"{API}/kiosk/answers", headers=applicant, json={"answers": {first_question: first_answer}}
    )
    assert saved.status_code == 200, saved.text

    answer_set = answer_set_of(db, case)
    answer_set.deadline_at = utcnow() - PAST
    # (A door that finds the time up hands the form in itself: tests/questionnaires/
    # test_doors_agree.py. Here nobody asks, and the sweep does it.)
    assert auto_submit_overdue(db) >= 1
    db.refresh(answer_set)
    assert case.state == "submitted"
    assert answer_set.auto_submitted is True
    assert answer_set.submitted_at is not None
    # Handed in as saved, even though required questions may be unanswered.
    assert answer_set.answers == {first_question: first_answer}
    last = events(db, case)[-1]
    assert (last.event, last.to_state, last.actor_role, last.actor_id) == (
        "auto_submit",
        "submitted",
        "system",
        None,
    )

    before = len(events(db, case))
    submitted_at = answer_set.submitted_at
    assert auto_submit_overdue(db) == 0
    assert len(events(db, case)) == before
    db.refresh(answer_set)
    assert answer_set.submitted_at == submitted_at
    # Handed in: the kiosk sign-in ended with it.
    after = client.put(
        f"{API}/kiosk/answers", headers=applicant, json={"answers": {first_question: first_answer}}
    )
    assert_problem(after, 401, "not_authenticated")
    assert_problem(client.post(f"{API}/kiosk/submit", headers=applicant), 401, "not_authenticated")


def test_form_within_its_time_is_left_alone(db, factory):
    case = factory.case_in(CaseState.IN_PROGRESS)
    auto_submit_overdue(db)
    assert case.state == "in_progress"
    assert answer_set_of(db, case).submitted_at is None


# --- the lawyer's corrections term --------------------------------------------------------


def test_corrections_term_past_routes_the_file_to_decision(client, db, factory):
    lawyer = factory.person(Role.LAWYER)
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(CaseState.WITH_LAWYER)
    expire_overdue_terms(db)
    assert case.state == "with_lawyer", "term closed before it passed"

    case.corrections_due_at = utcnow() - PAST
    db.flush()
    before = len(events(db, case))
    assert expire_overdue_terms(db) >= 1
    assert case.state == "ready_for_decision"
    assert case.ready_at is not None
    added = events(db, case)[before:]
    assert [(e.event, e.to_state, e.actor_role) for e in added] == [
        ("expire_corrections_term", "corrections_term_expired", "system"),
        ("route_to_decision", "ready_for_decision", "system"),
    ]

    assert expire_overdue_terms(db) == 0
    assert len(events(db, case)) == before + 2
    queue = client.get(f"{API}/decision-queue?limit=500", headers=officer.headers).json()
    assert str(case.id) in [c["id"] for c in queue]
    late = client.post(
        f"{API}/cases/{case.id}/corrections",
        headers={**lawyer.headers, "If-Match": '"corrections-v1"'},
        json={"items": [{"kind": "addition", "text": "Too late."}]},
    )
    assert_problem(late, 409, "corrections_term_expired")


# --- Huey ---------------------------------------------------------------------------------

PERIODIC = {
    "expire_invitations",
    "auto_submit_forms",
    "expire_corrections_terms",
    "expire_claims",
    "schedule_audit_sealing",
}


def test_periodic_jobs_are_registered_on_the_app_queue():
    """Every domain's tasks module is found (no hand-kept list) and registers its jobs."""
    assert service.tasks.huey is app_huey
    assert {m.__name__ for m in service.tasks.TASK_MODULES} == {
        "service.invitations.tasks",
        "service.questionnaires.tasks",
        "service.corrections.tasks",
        "service.terms.tasks",
        "service.messages.tasks",
        "service.dossier.tasks",
        "service.decisions.tasks",
        "service.retention.tasks",
        "service.auth.tasks",
        "service.audit.tasks",
        "service.cases.tasks",
    }
    assert "anonymise_due_cases" in {t.name for t in app_huey._registry.periodic_tasks}
    assert "forget_expired_counters" in {t.name for t in app_huey._registry.periodic_tasks}
    registered = {task.name for task in app_huey._registry.periodic_tasks}
    assert registered >= PERIODIC
    # Terms are checked every minute, whatever the minute.
    for moment in (datetime(2026, 3, 1, 0, 0), datetime(2026, 7, 15, 13, 37)):
        assert {t.name for t in app_huey.read_periodic(moment)} >= PERIODIC


def test_periodic_tasks_run_the_jobs_through_huey(db, factory, monkeypatch):
    """Each task opens a unit of work and runs its job (here inside the test's transaction)."""

    @contextlib.contextmanager
    def test_unit_of_work(write: bool = True):
        yield db

    for module in (
        service.invitations.tasks,
        service.questionnaires.tasks,
        service.corrections.tasks,
        service.decisions.tasks,
    ):
        monkeypatch.setattr(module, "unit_of_work", test_unit_of_work)

    invited = factory.case_in(CaseState.INVITED)
    invitation_of(db, invited).reply_due_at = utcnow() - PAST
    writing = factory.case_in(CaseState.IN_PROGRESS)
    answer_set_of(db, writing).deadline_at = utcnow() - PAST
    with_lawyer = factory.case_in(CaseState.WITH_LAWYER)
    with_lawyer.corrections_due_at = utcnow() - PAST
    abandoned = factory.case_in(CaseState.CLAIMED)
    abandoned.lease_expires_at = utcnow() - PAST
    db.flush()

    for task in (
        service.invitations.tasks.expire_invitations,
        service.questionnaires.tasks.auto_submit_forms,
        service.corrections.tasks.expire_corrections_terms,
        service.decisions.tasks.expire_claims,
    ):
        assert app_huey.execute(task.s()) >= 1
        assert app_huey.execute(task.s()) == 0  # idempotent

    assert invited.state == "invitation_expired"
    assert writing.state == "submitted"
    assert with_lawyer.state == "ready_for_decision"
    # An abandoned claim's lease ended: the file is back in the queue, nobody holds it.
    assert (abandoned.state, abandoned.claimed_by_id) == ("ready_for_decision", None)


def round_trip(queue) -> None:
    """Enqueue a task, take it off the queue as a worker would, run it, read the result."""

    @queue.task()
    def add(a: int, b: int) -> int:
        return a + b

    result = add(2, 3)
    assert queue.pending_count() == 1
    task = queue.dequeue()
    assert task is not None
    assert task.id == result.id
    assert queue.pending_count() == 0
    assert queue.execute(task) == 5
    assert result.get() == 5


@pytest.mark.redis
def test_task_round_trip_on_redis():
    queue = make_huey(Settings(redis_url=REDIS_URL, env="dev"))
    assert isinstance(queue, RedisHuey)
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as exc:
        require_server("Redis", False, f"{REDIS_URL}: {exc}")
    server.flushdb()
    try:
        round_trip(queue)
    finally:
        server.flushdb()
        server.close()


def test_task_round_trip_on_sqlite(tmp_path):
    settings = Settings(redis_url="", huey_sqlite_path=tmp_path / "queue" / "huey.db", env="dev")
    queue = make_huey(settings)
    assert isinstance(queue, SqliteHuey)
    assert not queue.immediate
    round_trip(queue)
    assert (tmp_path / "queue" / "huey.db").exists()


def shout(word: str) -> str:
    return word.upper()


def test_queue_is_shared_through_the_sqlite_file(tmp_path):
    """The app enqueues; a worker process (another Huey on the same file) runs it."""
    settings = Settings(redis_url="", huey_sqlite_path=tmp_path / "huey.db", env="dev")
    app_side, worker_side = make_huey(settings), make_huey(settings)
    enqueue = app_side.task()(shout)
    worker_side.task()(shout)

    result = enqueue("pong")
    assert worker_side.pending_count() == 1
    task = worker_side.dequeue()
    assert worker_side.execute(task) == "PONG"
    assert result.get() == "PONG"


def test_tests_run_jobs_immediately(tmp_path):
    settings = Settings(redis_url="", huey_sqlite_path=tmp_path / "huey.db", env="test")
    assert make_huey(settings).immediate


def test_a_job_fanned_out_twice_moves_the_case_once(db, factory, monkeypatch):
    """Two workers may sweep the same minute; the second job for an id changes nothing."""

    @contextlib.contextmanager
    def test_unit_of_work(write: bool = True):
        yield db

    monkeypatch.setattr(service.invitations.tasks, "unit_of_work", test_unit_of_work)
    case = factory.case_in(CaseState.INVITED)
    invitation = invitation_of(db, case)
    invitation.reply_due_at = case.reply_due_at = utcnow() - PAST
    db.flush()
    assert service.invitations.tasks.expire_invitation.call_local(invitation.id) is True
    assert service.invitations.tasks.expire_invitation.call_local(invitation.id) is False
    assert [e.event for e in events(db, case)].count("expire_invitation") == 1


def test_a_job_is_enqueued_only_when_the_transaction_commits(tmp_path, monkeypatch):
    """``enqueue`` writes the outbox row with the transaction and hands the job to the
    queue only after the commit, so a worker never sees uncommitted data."""
    import uuid

    from sqlalchemy.orm import Session

    from service.cli import run_migrations
    from service.core import jobs
    from service.core.db import make_engine
    from service.dossier.tasks import render_dossier
    from service.models.jobs import OutboxJob

    handed: list[uuid.UUID] = []
    monkeypatch.setattr(jobs, "hand_over", handed.append)
    url = f"sqlite:///{tmp_path / 'enqueue.db'}"
    run_migrations(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            jobs.enqueue(session, render_dossier, uuid.uuid4(), "staff")
            session.rollback()
            jobs.enqueue(session, render_dossier, uuid.uuid4(), "lawyer")
            assert handed == []
            session.commit()
            kept = session.scalars(select(OutboxJob)).all()
        assert [job.args[1] for job in kept] == ["lawyer"]
        assert handed == [kept[0].id]
    finally:
        engine.dispose()


def test_one_bad_case_does_not_hold_up_the_others(db, factory, monkeypatch):
    """The sweep fans out one job per invitation; one that fails leaves the rest to run."""

    @contextlib.contextmanager
    def test_unit_of_work(write: bool = True):
        yield db

    monkeypatch.setattr(service.invitations.tasks, "unit_of_work", test_unit_of_work)
    broken, fine = factory.case_in(CaseState.INVITED), factory.case_in(CaseState.INVITED)
    invitation_of(db, broken).reply_due_at = utcnow() - 2 * PAST  # swept first
    invitation_of(db, fine).reply_due_at = utcnow() - PAST
    db.flush()
    broken_id = invitation_of(db, broken).id
    real_expire = invitations.expire

    def expire(session, invitation_id):
        if invitation_id == broken_id:
            raise RuntimeError("a broken invitation")
        return real_expire(session, invitation_id)

    monkeypatch.setattr(service.invitations.service, "expire", expire)
    assert app_huey.execute(service.invitations.tasks.expire_invitations.s()) >= 2
    assert fine.state == CaseState.INVITATION_EXPIRED
    assert broken.state == CaseState.INVITED


def test_work_queued_inside_a_savepoint_waits_for_the_real_commit(tmp_path):
    """SQLAlchemy fires after_commit when a savepoint is released; a page action runs in a
    savepoint, and its dossier render once ran before the request had committed (it then
    waited on the request's own write lock for the busy timeout)."""
    from sqlalchemy.orm import Session

    from service.core.db import after_commit, make_engine

    ran: list[str] = []
    engine = make_engine(f"sqlite:///{tmp_path / 'savepoint.db'}")
    try:
        with Session(engine) as session:
            savepoint = session.begin_nested()
            after_commit(session, lambda: ran.append("queued in the savepoint"))
            savepoint.commit()
            assert ran == []
            session.commit()
        assert ran == ["queued in the savepoint"]
    finally:
        engine.dispose()
