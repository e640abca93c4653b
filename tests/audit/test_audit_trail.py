"""The audit trail: every read of a case's sensitive data and every refused attempt is
recorded; entries are sealed in batches, ``verify`` checks seals, digests and every
writer's numbering, and on PostgreSQL the tables refuse UPDATE and DELETE outright."""

import contextlib
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from service.audit import service as audit
from service.core import db as db_module
from service.core.actor import Actor
from service.core.clock import utcnow
from service.models import AuditEntry, AuditSeal, Role
from service.workflow import CaseState
from tests.conftest import IS_POSTGRES
from tests.factories import Factory
from tests.helpers import sign_in

API = "/api/v1"


def entries(db: Session, case_id: uuid.UUID | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq)
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    return list(db.scalars(query))


def test_reading_the_answers_writes_an_entry(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = factory.case_in(CaseState.SUBMITTED)
    officer = factory.person(Role.OFFICER)
    response = client.get(
        f"{API}/cases/{case.id}/answers",
        params={"purpose": "preparing the decision"},
        headers={**officer.headers, "X-Request-ID": "req-answers-0001"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-answers-0001"
    [entry] = entries(db, case.id)
    assert (entry.action, entry.outcome, entry.status) == ("answers.read", "ok", 200)
    assert (entry.actor_id, entry.actor_role) == (officer.user.id, Role.OFFICER)
    assert entry.request_id == "req-answers-0001"
    assert entry.purpose == "preparing the decision"


def test_a_refused_attempt_is_recorded(client: TestClient, db: Session, factory: Factory) -> None:
    case = factory.case_in(CaseState.SUBMITTED)
    stranger = factory.person(Role.LAWYER, "someone-else")
    host = factory.person(Role.HOST)
    assert client.get(f"{API}/cases/{case.id}/answers", headers=stranger.headers).status_code == 404
    assert client.get(f"{API}/cases/{case.id}/answers", headers=host.headers).status_code == 403
    assert client.get(f"{API}/cases/{case.id}/answers").status_code == 401
    recorded = [(e.actor_id, e.actor_role, e.outcome) for e in entries(db, case.id)]
    assert recorded == [
        (stranger.user.id, Role.LAWYER, "not_found"),
        (host.user.id, Role.HOST, "forbidden"),
        (None, "anonymous", "unauthenticated"),
    ]


def test_a_request_id_is_generated_when_none_or_a_strange_one_is_sent(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = factory.case()
    planner = factory.person(Role.PLANNER)
    strange = {"X-Request-ID": "evil\r\nid with spaces and a very long tail" * 3}
    response = client.get(f"{API}/cases/{case.id}", headers={**planner.headers, **strange})
    generated = response.headers["x-request-id"]
    assert len(generated) == 32
    assert entries(db, case.id)[-1].request_id == generated


def test_case_reads_by_v_number_and_by_translation_job_name_the_case(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = factory.case()
    planner = factory.person(Role.PLANNER)
    client.get(f"{API}/cases/by-v-number/{case.v_number}", headers=planner.headers)
    assert [e.action for e in entries(db, case.id)] == ["case.read"]


def test_an_audited_read_and_its_entry_commit_together_on_postgres(
    client: TestClient, db: Session, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the read's entry is written in the read's own transaction (one
    commit, one flush); on SQLite in one of its own after the read (a read there holds no
    write lock). Either way the entry is the same."""
    case = factory.case()
    planner = factory.person(Role.PLANNER)
    opened: list[bool] = []
    request_unit_of_work = db_module.request_unit_of_work

    def counted(write: bool = True) -> contextlib.AbstractContextManager[Session]:
        opened.append(write)
        return request_unit_of_work(write)

    monkeypatch.setattr(db_module, "request_unit_of_work", counted)
    assert client.get(f"{API}/cases/{case.id}", headers=planner.headers).status_code == 200
    assert len(opened) == (1 if IS_POSTGRES else 2)
    [entry] = entries(db, case.id)
    assert (entry.action, entry.outcome, entry.actor_id) == ("case.read", "ok", planner.user.id)
    assert entry.digest == audit.entry_digest(entry)


def test_a_read_whose_entry_cannot_be_written_is_not_answered(
    client: TestClient, db: Session, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data is not sent; the failed attempt is recorded in a transaction of its own
    once the trail takes entries again (here: at the second try)."""
    case = factory.case()
    planner = factory.person(Role.PLANNER)
    note = audit.note
    tries: list[int] = []

    def failing_once(*args: object, **kwargs: object) -> None:
        tries.append(int(str(kwargs["status"])))
        if len(tries) == 1:
            raise RuntimeError("the trail takes no entry")
        note(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "note", failing_once)
    response = client.get(f"{API}/cases/{case.id}", headers=planner.headers)
    assert response.status_code == 500
    assert case.v_number not in response.text
    assert tries == [200, 500]
    [entry] = entries(db, case.id)
    assert (entry.outcome, entry.status) == ("failed", 500)
    verdict = audit.verify(db, now=later())
    assert verdict.intact, verdict.problems


def chain(db: Session, count: int) -> list[AuditEntry]:
    actor = Actor(role="officer", user_id=uuid.uuid4())
    return [
        audit.append(db, actor, "answers.read", case_id=uuid.uuid4(), request_id=f"r{i}")
        for i in range(count)
    ]


LATER = timedelta(minutes=1)  # past the settling time of the appends just written


def later() -> datetime:
    return utcnow() + LATER


def test_an_untouched_trail_verifies_before_and_after_sealing(db: Session) -> None:
    written = chain(db, 5)
    verdict = audit.verify(db)
    assert verdict.intact, verdict.problems
    assert (verdict.checked, verdict.unsealed, verdict.sealed) == (5, 5, 0)
    assert verdict.oldest_unsealed == written[0].at
    assert [e.writer_seq for e in written] == [1, 2, 3, 4, 5]
    assert len({e.writer for e in written}) == 1

    done = audit.seal(db)
    assert (done.seals, done.entries, done.refused) == (1, 5, "")
    more = chain(db, 2)
    assert audit.seal(db).entries == 2
    verdict = audit.verify(db, now=later())
    assert verdict.intact, verdict.problems
    assert (verdict.checked, verdict.sealed, verdict.seals, verdict.unsealed) == (7, 7, 2, 0)
    last = audit.head(db)
    assert last is not None
    assert (last.number, last.after_seq, last.last_seq) == (2, written[-1].seq, more[-1].seq)
    first = db.scalars(select(AuditSeal).where(AuditSeal.number == 1)).one()
    assert last.previous_hash == first.hash
    assert audit.seal(db).entries == 0  # nothing new: no empty seal


def test_a_rolled_back_append_is_not_taken_for_a_deletion(db: Session) -> None:
    """The database's own number is spent by a rollback (PostgreSQL); the writer's is
    given back and used by its next entry, so no gap remains in what verify checks."""
    kept = chain(db, 1)[0]
    db.commit()
    lost = chain(db, 1)[0]
    lost_number = lost.writer_seq
    db.rollback()
    after = chain(db, 2)
    assert [e.writer_seq for e in after] == [lost_number, lost_number + 1]
    assert kept.writer_seq == 1
    verdict = audit.verify(db, now=later())
    assert verdict.intact, verdict.problems
    audit.seal(db)
    assert audit.verify(db, now=later()).intact


def edit(db: Session, entry: AuditEntry) -> None:
    db.execute(
        text("UPDATE audit_entries SET actor_role = 'planner' WHERE seq = :seq"),
        {"seq": entry.seq},
    )
    db.expire_all()


def delete(db: Session, entry: AuditEntry) -> None:
    db.execute(text("DELETE FROM audit_entries WHERE seq = :seq"), {"seq": entry.seq})
    db.expire_all()


@pytest.mark.skipif(IS_POSTGRES, reason="PostgreSQL refuses the edit itself (below)")
@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "unsealed"])
def test_an_edited_entry_is_found_by_verify(db: Session, sealed: bool) -> None:
    written = chain(db, 4)
    if sealed:
        audit.seal(db)
    edit(db, written[2])
    verdict = audit.verify(db, now=later())
    assert verdict.broken_at == written[2].seq
    assert f"entry {written[2].seq}: its content was changed" in verdict.problems


@pytest.mark.skipif(IS_POSTGRES, reason="PostgreSQL refuses the delete itself (below)")
@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "unsealed"])
def test_a_deleted_entry_is_found_by_verify(db: Session, sealed: bool) -> None:
    written = chain(db, 4)
    if sealed:
        audit.seal(db)
    writer, next_seq = written[1].writer, written[2].seq
    delete(db, written[1])
    verdict = audit.verify(db, now=later())
    assert f"writer {writer}: entry 2 is missing (before entry {next_seq})" in verdict.problems
    if sealed:
        broken_seal = (
            "seal 1 (entries 1-4): entries were changed, removed or added after sealing "
            "(3 found, 4 sealed)"
        )
        assert broken_seal in verdict.problems


@pytest.mark.skipif(IS_POSTGRES, reason="PostgreSQL refuses the edit itself (below)")
def test_a_sealed_entry_rewritten_with_a_fresh_digest_breaks_its_seal(db: Session) -> None:
    written = chain(db, 3)
    audit.seal(db)
    forged = written[1]
    forged.purpose = "nothing to see"
    db.execute(
        text("UPDATE audit_entries SET purpose = :p, digest = :d WHERE seq = :seq"),
        {"p": forged.purpose, "d": audit.entry_digest(forged), "seq": forged.seq},
    )
    db.expire_all()
    verdict = audit.verify(db, now=later())
    assert verdict.problems == [
        "seal 1 (entries 1-3): entries were changed, removed or added after sealing "
        "(3 found, 3 sealed)"
    ]


@pytest.mark.skipif(IS_POSTGRES, reason="PostgreSQL refuses the edit itself (below)")
def test_an_edited_seal_is_found_by_verify(db: Session) -> None:
    chain(db, 2)
    audit.seal(db)
    chain(db, 2)
    audit.seal(db)
    db.execute(text("UPDATE audit_seals SET count = 1 WHERE number = 1"))
    db.expire_all()
    verdict = audit.verify(db, now=later())
    assert "seal 1 (entries 1-2) was changed after it was written" in verdict.problems


def test_a_gap_next_to_an_append_still_committing_is_not_reported_yet(db: Session) -> None:
    """A writer's number taken by an append that has not committed yet looks like a gap
    for a moment: within the settling time it is counted, not reported."""
    writer = audit.writer()
    chain(db, 1)
    in_flight = writer.take()
    chain(db, 1)
    verdict = audit.verify(db)
    assert verdict.intact
    assert verdict.pending_gaps == 1
    late = audit.verify(db, now=later())
    assert late.problems[0].startswith(f"writer {writer.id}: entry {in_flight} is missing")


@pytest.mark.skipif(not IS_POSTGRES, reason="the append-only triggers exist on PostgreSQL")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET purpose = 'x'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
        "UPDATE audit_seals SET count = 0",
        "DELETE FROM audit_seals",
        "TRUNCATE audit_seals",
    ],
)
def test_postgres_refuses_to_change_or_delete_entries_and_seals(
    db: Session, statement: str
) -> None:
    chain(db, 2)
    audit.seal(db)
    chain(db, 1)
    savepoint = db.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        db.execute(text(statement))
    savepoint.rollback()
    assert audit.verify(db, now=later()).intact


@pytest.mark.skipif(not IS_POSTGRES, reason="advisory locks and pg_locks are PostgreSQL's")
def test_a_writer_in_another_database_does_not_hold_up_the_sealer(db: Session) -> None:
    """pg_locks lists the whole cluster; an append in flight in another database (another
    deployment, another test worker) has nothing to do with this trail."""
    from sqlalchemy import create_engine

    from tests.conftest import POSTGRES_URL

    chain(db, 2)
    other = create_engine(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres")
    with other.connect() as conn, conn.begin():
        conn.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": audit.WRITING})
        assert audit.settled_high(db, wait_seconds=0.2) is not None
    other.dispose()


def test_the_lawyer_gets_their_clients_access_log_without_staff_names(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = factory.case_in(CaseState.SUBMITTED)
    officer = factory.person(Role.OFFICER, "officer-jansen")
    client.get(f"{API}/cases/{case.id}/answers", headers=officer.headers)
    lawyer_id = case.lawyer_id
    lawyer = next(p for p in factory._people.values() if p.user.id == lawyer_id)

    log = client.get(f"{API}/cases/{case.id}/access-log", headers=lawyer.headers).json()
    assert [(e["role"], e["action"], e["who"]) for e in log] == [("officer", "answers.read", None)]
    staff_log = client.get(f"{API}/cases/{case.id}/access-log", headers=officer.headers).json()
    assert staff_log[0]["action"] == "access_log.read"
    assert staff_log[-1]["who"] == officer.user.display_name

    other = factory.person(Role.LAWYER, "not-their-lawyer")
    refused = client.get(f"{API}/cases/{case.id}/access-log", headers=other.headers)
    assert refused.status_code == 404


def test_the_access_log_page_shows_staff_who_and_the_lawyer_which_role(
    client: TestClient, db: Session, factory: Factory
) -> None:
    case = factory.case_in(CaseState.SUBMITTED)
    officer = factory.person(Role.OFFICER, "officer-de-vries")
    client.get(f"{API}/cases/{case.id}/answers", headers=officer.headers)
    lawyer = next(p for p in factory._people.values() if p.user.id == case.lawyer_id)

    sign_in(client, officer.user.username)
    page = client.get(f"/cases/{case.id}/access-log", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert officer.user.display_name in page.text
    # Opening the page is itself a read of the case, recorded like any other.
    assert entries(db, case.id)[-1].action == "access_log.read"

    client.cookies.clear()
    sign_in(client, lawyer.user.username)
    page = client.get(f"/cases/{case.id}/access-log", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "las de antwoorden" in page.text  # Dutch by default
    assert officer.user.display_name not in page.text


# Routes the other parts added that show or change a case's account: each declares its
# audit action (service/audit/access.py), so a new route of the same kind is noticed here.
AUDITED_ROUTES = {
    ("GET", "/api/v1/cases/{case_id}/corrections"): "corrections.read",
    ("GET", "/api/v1/cases/{case_id}/corrections/attachments/{attachment_id}"): (
        "corrections.attachment_read"
    ),
    ("POST", "/api/v1/cases/{case_id}/corrections/items"): "corrections.add",
    ("POST", "/api/v1/cases/{case_id}/corrections/attachments"): "corrections.attach",
    ("GET", "/api/v1/cases/{case_id}/dossier/pdf"): "dossier.download",
    ("GET", "/api/v1/translations/{translation_id}/xliff"): "translation.xliff_download",
    ("PUT", "/api/v1/translations/{translation_id}/xliff"): "translation.xliff_upload",
    ("GET", "/api/v1/cases/{case_id}/handoff"): "handoff.read",
    ("GET", "/api/v1/cases/{case_id}/handoff.pdf"): "handoff.download",
    ("GET", "/api/v1/cases/{case_id}/consultations"): "consultations.read",
    ("GET", "/lawyer/cases/{case_id}/translation"): "corrections.page",
    ("GET", "/cases/{case_id}/attachments/{attachment_id}"): "corrections.attachment_read",
    ("GET", "/dossier/{case_id}/pdf"): "dossier.download",
    ("GET", "/agency/jobs/{translation_id}"): "translation.page",
    ("GET", "/agency/jobs/{translation_id}/xliff"): "translation.xliff_download",
    ("POST", "/agency/jobs/{translation_id}/xliff"): "translation.xliff_upload",
    ("GET", "/agency/jobs/{translation_id}/translate"): "translation.page",
    ("GET", "/officer/cases/{case_id}"): "workbench.read",
    ("GET", "/officer/cases/{case_id}/handoff.pdf"): "handoff.download",
    ("GET", "/advice/cases/{case_id}"): "consultation.page",
    ("GET", "/kiosk/sections/{section_id}"): "kiosk.section",
    ("GET", "/kiosk/review"): "kiosk.review",
}


def audit_actions() -> dict[tuple[str, str], str]:
    from fastapi.routing import APIRoute

    from service.main import API_PREFIX, FIRST_PAGES, PAGES, ROUTERS

    found: dict[tuple[str, str], str] = {}
    for prefix, routers in (("", (*FIRST_PAGES, *PAGES)), (API_PREFIX, ROUTERS)):
        for router in routers:
            for route in router.routes:
                assert isinstance(route, APIRoute)
                for dependency in route.dependant.dependencies:
                    action = getattr(dependency.call, "audit_action", None)
                    for method in route.methods if action else ():
                        found[(method, prefix + route.path)] = action
    return found


def test_routes_showing_the_account_declare_their_audit_action() -> None:
    declared = audit_actions()
    missing = {route: action for route, action in AUDITED_ROUTES.items() if route not in declared}
    assert not missing, missing
    wrong = {r: declared[r] for r, action in AUDITED_ROUTES.items() if declared[r] != action}
    assert not wrong, wrong


def test_the_officer_workbench_page_is_recorded(
    client: TestClient, db: Session, factory: Factory
) -> None:
    officer = factory.person(Role.OFFICER)
    case = factory.case_in(CaseState.CLAIMED)
    db.commit()
    sign_in(client, officer.user.username)
    page = client.get(f"/officer/cases/{case.id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    [entry] = entries(db, case.id)
    assert (entry.action, entry.outcome, entry.actor_id) == (
        "workbench.read",
        "ok",
        officer.user.id,
    )


def test_the_sealer_runs_through_huey_every_few_seconds(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The periodic task schedules a short sealing job every SEAL_INTERVAL_SECONDS of the
    minute; each job seals what has settled (here inside the test's transaction)."""
    from service.audit import tasks
    from service.core.jobs import huey

    @contextlib.contextmanager
    def test_unit_of_work(write: bool = True) -> Iterator[Session]:
        yield db

    monkeypatch.setattr(tasks, "unit_of_work", test_unit_of_work)
    before = len(huey.scheduled())
    assert tasks.schedule_audit_sealing.call_local() == 60 // audit.SEAL_INTERVAL_SECONDS
    queued = huey.scheduled()[before:]
    assert {t.name for t in queued} == {"seal_audit_trail"}
    assert len(queued) == 11  # and one ran at once
    for task in queued:  # the queue's own copies would run on another connection
        huey.revoke_by_id(task.id)

    chain(db, 3)
    assert tasks.seal_audit_trail.call_local() == 3
    verdict = audit.verify(db)
    assert (verdict.sealed, verdict.unsealed) == (3, 0)


def test_a_sealing_round_that_meets_another_does_nothing_quietly(caplog):
    """Rounds overlap at a minute's turn; the one that finds the lock taken returns without
    the warning Huey logs for a locked task (the serve command's log showed them)."""
    import logging

    from service.audit import tasks
    from service.core.jobs import huey

    with caplog.at_level(logging.WARNING), huey.lock_task("audit-sealer"):
        assert tasks.seal_audit_trail.call_local() == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
