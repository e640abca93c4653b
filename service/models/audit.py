"""The audit trail: an append-only, hash-chained record of who read or tried what."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.models.base import Base

HASH_LENGTH = 64  # SHA-256, hex


class AuditEntry(Base):
    """One entry; ``hash`` covers its content and ``previous_hash`` (the chain)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_case_at", "case_id", "at"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    # Numbered by the writer under the chain's lock: a gap is as visible as a change.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
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
    previous_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
