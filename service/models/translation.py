"""Translation agencies and their translation of a submitted form, with its due time."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, Timestamped, UuidPk


class Agency(UuidPk, Timestamped, Base):
    """A translation agency: an organisation with its own users (role translator)."""

    __tablename__ = "agencies"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


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
    # Dutch text per question id.
    answers_nl: Mapped[dict[str, Any] | None] = mapped_column(Encrypted("json"))
