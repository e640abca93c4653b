"""The migration to the sealed trail carries an existing chain over: it checks the old
chain first, and the carried entries verify and seal like new ones; on the way down the
chain is rebuilt."""

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from service.audit import service as audit
from service.core.actor import Actor
from service.core.clock import utcnow
from service.models.base import UtcDateTime
from tests.live import engine_for
from tests.test_migrations import alembic_config, postgres_url, sqlite_url  # noqa: F401

BEFORE = "7c3e9a51d2b4"  # the head with the single chain

OLD = sa.Table(
    "audit_entries",
    sa.MetaData(),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", UtcDateTime(timezone=True)),
    sa.Column("actor_id", sa.Uuid),
    sa.Column("actor_role", sa.String),
    sa.Column("action", sa.String),
    sa.Column("case_id", sa.Uuid),
    sa.Column("subject", sa.String),
    sa.Column("request_id", sa.String),
    sa.Column("purpose", sa.Text),
    sa.Column("outcome", sa.String),
    sa.Column("status", sa.Integer),
    sa.Column("previous_hash", sa.String),
    sa.Column("hash", sa.String),
)


def old_chain(count: int) -> list[dict[str, Any]]:
    """Entries as the previous version wrote them (its ``entry_hash``)."""
    rows, previous = [], audit.GENESIS
    for seq in range(1, count + 1):
        row: dict[str, Any] = {
            "seq": seq,
            "at": utcnow() - timedelta(days=1, seconds=-seq),
            "actor_id": uuid.uuid4(),
            "actor_role": "officer",
            "action": "answers.read",
            "case_id": uuid.uuid4() if seq != 2 else None,
            "subject": "",
            "request_id": f"req-{seq}",
            "purpose": "deciding",
            "outcome": "ok",
            "status": 200,
        }
        content = {**row, "at": row["at"].isoformat(), "previous_hash": previous}
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        row["previous_hash"], row["hash"] = previous, hashlib.sha256(canonical.encode()).hexdigest()
        previous = row["hash"]
        rows.append(row)
    return rows


def carried_over(url: str) -> None:
    config = alembic_config(url)
    command.upgrade(config, BEFORE)
    with engine_for(url) as engine:
        with engine.begin() as conn:
            conn.execute(OLD.insert(), old_chain(3))
        command.upgrade(config, "head")
        with Session(engine) as db:
            verdict = audit.verify(db)
            assert verdict.intact, verdict.problems
            assert (verdict.checked, verdict.unsealed) == (3, 3)
            audit.new_writer()
            new = audit.append(db, Actor(role="planner", user_id=uuid.uuid4()), "case.read")
            db.commit()
            assert new.seq == 4  # the database goes on numbering after the old entries
            assert audit.seal(db).entries == 4
            verdict = audit.verify(db)
            assert verdict.intact, verdict.problems
            assert (verdict.sealed, verdict.unsealed) == (4, 0)
        command.downgrade(config, BEFORE)
        with engine.connect() as conn:
            links = conn.execute(sa.select(OLD.c.previous_hash, OLD.c.hash).order_by("seq")).all()
        assert [p for p, _ in links[1:]] == [h for _, h in links[:-1]]
        assert len(links) == 4


def test_an_existing_chain_is_carried_over_on_sqlite(sqlite_url: str) -> None:  # noqa: F811
    carried_over(sqlite_url)


def test_an_existing_chain_is_carried_over_on_postgres(postgres_url: str) -> None:  # noqa: F811
    carried_over(postgres_url)


def test_a_broken_chain_is_not_migrated(sqlite_url: str) -> None:  # noqa: F811
    config = alembic_config(sqlite_url)
    command.upgrade(config, BEFORE)
    rows = old_chain(3)
    rows[1]["purpose"] = "changed afterwards"
    with engine_for(sqlite_url) as engine, engine.begin() as conn:
        conn.execute(OLD.insert(), rows)
    with pytest.raises(RuntimeError, match="broken at entry 2"):
        command.upgrade(config, "head")
