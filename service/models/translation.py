"""Translation agencies, their translation of a submitted form with its due time, and
every delivered version of that translation (a re-upload never destroys the earlier one)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, Timestamped, UuidPk


class Agency(UuidPk, Timestamped, Base):
    """A translation agency: an organisation with its own users (role translator)."""

    __tablename__ = "agencies"
    __table_args__ = (CheckConstraint("capacity_per_week >= 0", name="capacity_not_negative"),)

    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Forms the agency agreed to take on per calendar week (ISO week, Monday first).
    capacity_per_week: Mapped[int] = mapped_column(Integer, default=20, server_default="20")


class Translation(UuidPk, Base):
    __tablename__ = "translations"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    source_language: Mapped[str] = mapped_column(String(10))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    # The case left the written track (withdrawn, or a signal): the job is called off.
    cancelled_at: Mapped[datetime | None]
    translator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # Dutch text per answer key: the current version (earlier ones in translation_versions).
    answers_nl: Mapped[dict[str, Any] | None] = mapped_column(Encrypted("json"))
    # A spoken answer's transcription in the applicant's language, per answer key.
    transcriptions: Mapped[dict[str, Any] | None] = mapped_column(Encrypted("json"))


class TranslationVersion(UuidPk, Base):
    """One delivery of a translation: the first one and every re-upload, kept in order."""

    __tablename__ = "translation_versions"
    __table_args__ = (
        UniqueConstraint("translation_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("channel IN ('api', 'xliff', 'page')", name="channel_known"),
    )

    translation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("translations.id"), index=True)
    number: Mapped[int]
    answers_nl: Mapped[dict[str, Any]] = mapped_column(Encrypted("json"))
    transcriptions: Mapped[dict[str, Any] | None] = mapped_column(Encrypted("json"))
    # How it came in: the JSON API, an XLIFF upload, or the side-by-side page.
    channel: Mapped[str] = mapped_column(String(10))
    # SHA-256 of the uploaded file (XLIFF), to recognise the same file sent twice.
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    delivered_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)
