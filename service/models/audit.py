"""The audit trail: append-only entries, numbered by the database, sealed in batches.

Writers append without a lock on the trail (docs/security.md, "Audit trail"): each entry
gets its ``seq`` from the database (an identity column on PostgreSQL, AUTOINCREMENT on
SQLite), its ``writer_seq`` from its writer (one per process, numbered without gaps) and
a ``digest`` of its own content. One sealer then chains the entries in batches: a seal
covers every entry after the previous seal's last one up to its own ``last_seq``.
"""

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.models.base import Base

HASH_LENGTH = 64  # SHA-256, hex
WRITER_LENGTH = 32


class AuditEntry(Base):
    """One entry; ``digest`` covers its content, its writer and its writer's number."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_case_at", "case_id", "at"),
        UniqueConstraint("writer", "writer_seq"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("writer_seq >= 1", name="writer_seq_positive"),
        # SQLite: a number once used is never handed out again, even after a delete.
        {"sqlite_autoincrement": True},
    )

    # The order of the trail, from the database: no writer waits for another.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), Identity(), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    # No foreign keys: the trail outlives what it speaks of and is never cascaded.
    case_id: Mapped[uuid.UUID | None]
    subject: Mapped[str] = mapped_column(String(200), default="")
    request_id: Mapped[str] = mapped_column(String(64), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    # "ok", or what refused the attempt: "unauthenticated", "forbidden", "not_found", ...
    outcome: Mapped[str] = mapped_column(String(30))
    status: Mapped[int]
    # The process that wrote it and its number there (1, 2, 3, ... for committed
    # entries): a deleted entry leaves a gap even before it is sealed.
    writer: Mapped[str] = mapped_column(String(WRITER_LENGTH))
    writer_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    digest: Mapped[str] = mapped_column(String(HASH_LENGTH))


class AuditSeal(Base):
    """A batch of entries chained to the batch before: ``entries_hash`` covers the
    (seq, digest) of every entry with ``after_seq < seq <= last_seq``; ``hash`` covers
    that and ``previous_hash``."""

    __tablename__ = "audit_seals"
    __table_args__ = (
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("last_seq >= after_seq", name="range_ordered"),
    )

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    after_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    count: Mapped[int]
    entries_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    sealed_at: Mapped[datetime] = mapped_column(default=utcnow)
    previous_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
