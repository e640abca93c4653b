"""The lawyer's corrections and additions, stored beside (never over) the applicant's
answers and the translation. Each item and attachment is its own row: who, when, what."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, UuidPk, enum_check


class ItemKind(StrEnum):
    TRANSLATION = "translation"  # the Dutch translation of an answer is wrong
    CONTENT = "content"  # the answer itself needs correcting (the client's account)
    ADDITION = "addition"  # free text added to the file, not tied to one answer


class Correction(UuidPk, Base):
    """A case's corrections file: the lawyer's reply to the translated form.

    ``version`` goes up with every change, so two people of one firm editing at once
    cannot overwrite each other silently (ETag / If-Match, and the page's version check).
    """

    __tablename__ = "corrections"
    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('sent', 'none', 'term_expired')", name="outcome_known"
        ),
        CheckConstraint("(outcome IS NULL) = (closed_at IS NULL)", name="closed_has_outcome"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How the lawyer's turn ended: corrections sent, none to make, or the term ran out.
    outcome: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class CorrectionItem(UuidPk, Base):
    __tablename__ = "correction_items"
    __table_args__ = (
        CheckConstraint(enum_check("kind", ItemKind), name="kind_known"),
        CheckConstraint(
            "kind = 'addition' OR answer_key IS NOT NULL", name="correction_names_answer"
        ),
    )

    correction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("corrections.id"), index=True)
    # The order items were added in (several share one moment when sent together).
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(12))
    # The answer it corrects (a key of the form's answers); none for an addition.
    answer_key: Mapped[str | None] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Encrypted())
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(UuidPk, Base):
    """A file the lawyer adds (PDF, JPEG or PNG, type read from its first bytes)."""

    __tablename__ = "correction_attachments"
    __table_args__ = (
        CheckConstraint(
            "media_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="media_type_known"
        ),
    )

    correction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("corrections.id"), index=True)
    filename: Mapped[str] = mapped_column(Encrypted())
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(Encrypted("bytes"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
