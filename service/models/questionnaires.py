"""The applicant's answers, validated against a form definition in ``forms/``."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
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
