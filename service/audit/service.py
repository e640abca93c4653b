"""Appending to the audit trail and checking its chain (docs/security.md, "Audit trail").

Each entry's hash covers its own content and the hash of the entry before it, so an
entry changed, removed or inserted later breaks the chain at that point; the latest
hash (``hearing audit head``) anchored elsewhere also shows a truncated tail. Writers
take the chain's lock first, so concurrent requests still make one chain: a
transaction-scoped advisory lock on PostgreSQL; on SQLite the writer's transaction
began with BEGIN IMMEDIATE and holds the database's only write lock.
"""

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.models.audit import AuditEntry

GENESIS = "0" * 64
# pg_advisory_xact_lock key of the chain ("audit" in ASCII).
CHAIN_LOCK = 0x6175646974
OUTCOMES = {200: "ok", 401: "unauthenticated", 403: "forbidden", 404: "not_found"}
HASHED = (
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "case_id",
    "subject",
    "request_id",
    "purpose",
    "outcome",
    "status",
)


def outcome_of(status: int) -> str:
    if status in OUTCOMES:
        return OUTCOMES[status]
    return "ok" if status < 400 else "refused" if status < 500 else "failed"


def entry_hash(entry: AuditEntry, previous_hash: str) -> str:
    content: dict[str, Any] = {name: getattr(entry, name) for name in HASHED}
    content["at"] = entry.at.isoformat()
    content["previous_hash"] = previous_hash
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_chain(db: Session) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


def head(db: Session) -> AuditEntry | None:
    return db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()


def append(
    db: Session,
    actor: Actor | None,
    action: str,
    *,
    case_id: uuid.UUID | None = None,
    subject: str = "",
    purpose: str = "",
    request_id: str = "",
    status: int = 200,
) -> AuditEntry:
    """Add one entry at the end of the chain (in the caller's transaction)."""
    _lock_chain(db)
    last = head(db)
    entry = AuditEntry(
        seq=last.seq + 1 if last else 1,
        at=utcnow(),
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role if actor else "anonymous",
        action=action,
        case_id=case_id,
        subject=subject[:200],
        request_id=request_id[:64],
        purpose=purpose,
        outcome=outcome_of(status),
        status=status,
        previous_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry, entry.previous_hash)
    db.add(entry)
    db.flush()
    return entry


@dataclass(frozen=True)
class Verdict:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(db: Session, batch: int = 1000) -> Verdict:
    """Walk the chain in order; report the first entry whose link does not hold."""
    previous_hash, expected_seq, checked = GENESIS, 1, 0
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    for entry in db.scalars(query):
        if entry.seq != expected_seq:
            return Verdict(checked, expected_seq, f"entry {expected_seq} is missing")
        if entry.previous_hash != previous_hash:
            return Verdict(checked, entry.seq, "it does not follow from the entry before it")
        if entry_hash(entry, previous_hash) != entry.hash:
            return Verdict(checked, entry.seq, "its content was changed after it was written")
        previous_hash, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    return Verdict(checked)


def entries_for_case(
    db: Session, case_id: uuid.UUID, limit: int = 500, before: int | None = None
) -> Sequence[AuditEntry]:
    """Who looked at (or tried to reach) a case, newest first, a page at a time: the
    ``limit`` entries numbered below ``before``."""
    query = select(AuditEntry).where(AuditEntry.case_id == case_id)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    return db.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit)).all()


def access_log(
    db: Session, case_id: uuid.UUID, limit: int = 500, before: int | None = None
) -> list[tuple[AuditEntry, str | None]]:
    """The case's entries with the display name of whoever made each, newest first."""
    from service.models.auth import User

    entries = entries_for_case(db, case_id, limit, before)
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    names = dict(db.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
    return [(e, names.get(e.actor_id) if e.actor_id else None) for e in entries]
