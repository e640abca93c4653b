"""The applicant's answers, validated against a form definition in ``forms/``."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, UuidPk


class AnswerSet(UuidPk, Base):
    __tablename__ = "answer_sets"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    form_id: Mapped[str] = mapped_column(String(60))
    form_version: Mapped[int]
    # The content hash of the exact published version the answers were given in.
    form_hash: Mapped[str] = mapped_column(String(64), server_default="")
    language: Mapped[str] = mapped_column(String(10))
    answers: Mapped[dict[str, Any]] = mapped_column(Encrypted("json"), default=dict)
    # The applicant confirmed their own consent at the kiosk, before the first question.
    consented_at: Mapped[datetime | None]
    # The section the applicant last had open: a new kiosk resumes exactly there.
    position: Mapped[str | None] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime]
    saved_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    auto_submitted: Mapped[bool] = mapped_column(default=False)
    # Assisted filling: who typed each answer another than the applicant, by question id
    # ({"role": "host" | "interpreter", "id": the host's user or the interpreter's id});
    # an answer not listed was typed by the applicant. Set by the one save rule.
    typists: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")


class VoiceRecording(UuidPk, Base):
    """A spoken answer to one question (low-literacy mode): the Opus packets the kiosk
    recorded, in Ogg, sealed at rest like the text answers. Recording again replaces it;
    the applicant may delete it until the form is handed in."""

    __tablename__ = "voice_recordings"
    __table_args__ = (
        UniqueConstraint("answer_set_id", "question_id"),
        CheckConstraint("duration_ms > 0", name="duration_positive"),
    )

    answer_set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("answer_sets.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(60))
    # SHA-256 of the upload as the kiosk sent it (a second upload of it changes nothing)
    # and of the Ogg file kept (the agency's manifest names it).
    upload_sha256: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    # Counted by decoding every packet; the kiosk's own measure is kept beside it.
    duration_ms: Mapped[int] = mapped_column(Integer)
    reported_ms: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(Encrypted("bytes"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
