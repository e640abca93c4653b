"""Answers to writes sent with an ``Idempotency-Key`` (service/core/idempotency.py)."""

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, UuidPk


class IdempotentAnswer(UuidPk, Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("actor", "key"),)

    # Whose key: keys are the caller's own, two callers may pick the same one.
    actor: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(200))
    # What was sent: method, path and body, hashed; the same key with another request is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    # The answer given, sealed: a created case's answer holds its applicant's name, a
    # signal's its source (written and read by core/idempotency.py with the row id).
    body: Mapped[str] = mapped_column(Encrypted())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
