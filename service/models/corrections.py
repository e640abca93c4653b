"""Lawyer's corrections and additions, stored beside (never over) the answers."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, UuidPk


class Correction(UuidPk, Base):
    __tablename__ = "corrections"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    lawyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # [{"question_id", "kind": "correction" | "addition", "text"}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(Encrypted("json"))
