"""The audit trail against real processes: two app processes append at once under
concurrent clients while the sealer runs, and ``hearing audit verify`` finds
an edit and a deletion of a sealed and of an unsealed entry (SQLite; PostgreSQL refuses
them)."""

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from service.audit import service as audit
from service.core.actor import Actor
from service.models import AuditEntry, AuditSeal, Role
from service.workflow import CaseState
from tests.conftest import IS_POSTGRES
from tests.live import drop_database, engine_for, fresh_database, seeded, start_app

API = "/api/v1"
CLIENTS = 16
READS_PER_CLIENT = 15


def hearing(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARING_DATABASE_URL": database_url, "HEARING_ENV": "test"}
    return subprocess.run(  # noqa: S603 - our own fixed command
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def trail(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A fresh database of the suite's kind, with four sealed and four unsealed entries
    written by one writer."""
    url = fresh_database(tmp_path, "trail")
    try:
        with engine_for(url) as engine:
            audit.new_writer()
            actor = Actor(role="officer", user_id=uuid.uuid4())
            with Session(engine) as db:
                for i in range(4):
                    audit.append(db, actor, "answers.read", case_id=uuid.uuid4(), subject=f"{i}")
                db.commit()
            assert hearing(url, "audit", "seal").returncode == 0
            with Session(engine) as db:
                for i in range(4, 8):
                    audit.append(db, actor, "answers.read", case_id=uuid.uuid4(), subject=f"{i}")
                db.commit()
            yield url, engine
    finally:
        drop_database(url)


TAMPERING = {
    "edit sealed": "UPDATE audit_entries SET purpose = 'nothing' WHERE writer_seq = 3",
    "delete sealed": "DELETE FROM audit_entries WHERE writer_seq = 2",
    "edit unsealed": "UPDATE audit_entries SET actor_role = 'planner' WHERE writer_seq = 7",
    "delete unsealed": "DELETE FROM audit_entries WHERE writer_seq = 6",
}


def test_verify_finds_edits_and_deletions_of_sealed_and_unsealed_entries(
    trail: tuple[str, Engine],
) -> None:
    url, engine = trail
    before = hearing(url, "audit", "verify")
    assert before.returncode == 0, before.stderr
    assert "8 entries, 4 sealed in 1 seals, 4 not sealed yet" in before.stdout
    with Session(engine) as db:
        seq = dict(db.execute(select(AuditEntry.writer_seq, AuditEntry.seq)).all())
        writer = db.scalars(select(AuditEntry.writer).limit(1)).one()

    if IS_POSTGRES:
        for statement in TAMPERING.values():
            with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(statement))
        after = hearing(url, "audit", "verify", "--settle-seconds", "0")
        assert after.returncode == 0, after.stderr
        return

    with engine.begin() as conn:
        for statement in TAMPERING.values():
            assert conn.execute(text(statement)).rowcount == 1
    after = hearing(url, "audit", "verify", "--settle-seconds", "0")
    assert after.returncode == 1
    found = after.stderr.splitlines()
    assert found[0].startswith("audit trail BROKEN: 6 entries")
    assert sorted(found[1:]) == sorted(
        [
            f"  entry {seq[3]}: its content was changed",  # edited, sealed
            f"  entry {seq[7]}: its content was changed",  # edited, unsealed
            f"  seal 1 (entries 1-{seq[4]}): entries were changed, removed or added after "
            "sealing (3 found, 4 sealed)",  # the sealed deletion (and edit)
            f"  writer {writer}: entry 2 is missing (before entry {seq[3]})",
            f"  writer {writer}: entry 6 is missing (before entry {seq[7]})",
        ]
    )


# --- two app processes at once ------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A fresh database of the suite's kind: on SQLite the two processes meet on its one
    write lock, each entry written as one statement of its own (docs/request-model.md)."""
    url = fresh_database(tmp_path, "two")
    try:
        yield url
    finally:
        drop_database(url)


def test_two_app_processes_append_at_once_and_the_trail_seals_and_verifies(
    database: str, tmp_path: Path
) -> None:
    url = database
    with engine_for(url) as engine:
        with seeded(engine) as factory:
            planner = factory.person(Role.PLANNER)
            cases = [factory.case_in(CaseState.SUBMITTED) for _ in range(4)]
        apps = []
        try:
            for i in range(2):
                (tmp_path / f"app{i}").mkdir()
                apps.append(start_app(url, tmp_path / f"app{i}"))
            sealing = threading.Event()
            seals: list[subprocess.CompletedProcess[str]] = []

            def sealer() -> None:  # the sealer runs while the appends go on
                while not sealing.is_set():
                    seals.append(hearing(url, "audit", "seal"))

            statuses: list[int] = []

            def client(n: int) -> None:
                app = apps[n % 2]
                with httpx.Client(base_url=app.url, timeout=60, trust_env=False) as http:
                    for i in range(READS_PER_CLIENT):
                        case = cases[(n + i) % len(cases)]
                        answer = http.get(f"{API}/cases/{case.id}", headers=planner.headers)
                        statuses.append(answer.status_code)

            running_sealer = threading.Thread(target=sealer)
            running_sealer.start()
            clients = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for thread in clients:
                thread.start()
            for thread in clients:
                thread.join(timeout=300)
            sealing.set()
            running_sealer.join(timeout=120)
            assert statuses == [200] * CLIENTS * READS_PER_CLIENT
            for app in apps:
                assert app.new_errors() is None, app.new_errors()
        finally:
            for app in apps:
                app.process.stop()

        assert [s.stderr for s in seals if s.returncode != 0] == []
        assert hearing(url, "audit", "seal").returncode == 0
        with Session(engine) as db:
            writers = db.execute(
                select(AuditEntry.writer, func.count()).group_by(AuditEntry.writer)
            ).all()
            sealed_by = db.scalar(select(func.count()).select_from(AuditSeal))
        assert sorted(n for _, n in writers) == [CLIENTS * READS_PER_CLIENT // 2] * 2
        assert sealed_by is not None
        assert sealed_by >= 1
    verified = hearing(url, "audit", "verify", "--settle-seconds", "0")
    assert verified.returncode == 0, verified.stderr
    total = CLIENTS * READS_PER_CLIENT
    assert f"intact: {total} entries, {total} sealed in {sealed_by} seals, none unsealed" in (
        verified.stdout
    )
