"""The written registration interview (aanmeldgehoor): the prepared file the registration
officer reads, which travels with the case into the later hearing."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, UuidPk


class RegistrationFile(UuidPk, Base):
    """The answers of a case's written registration interview, in the applicant's language
    and in Dutch, taken over from the kiosk's answer set and the agency's translation once
    the translation arrived (those rows are then free for the hearing's own form). No
    decision is taken on it."""

    __tablename__ = "registration_files"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    form_id: Mapped[str] = mapped_column(String(60))
    form_version: Mapped[int]
    form_hash: Mapped[str] = mapped_column(String(64), default="")
    language: Mapped[str] = mapped_column(String(10))
    answers: Mapped[dict[str, Any]] = mapped_column(Encrypted("json"), default=dict)
    answers_nl: Mapped[dict[str, Any]] = mapped_column(Encrypted("json"), default=dict)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    selected_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    translated_at: Mapped[datetime | None]
    prepared_at: Mapped[datetime] = mapped_column(default=utcnow)
