"""Coordinator consultations and the officer's outcome."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, UuidPk, enum_check
from service.models.cases import CoordinatorMotive
from service.workflow import DECIDED_STATES


class Consultation(UuidPk, Base):
    __tablename__ = "consultations"
    __table_args__ = (CheckConstraint(enum_check("motive", CoordinatorMotive), name="motive"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    coordinator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    motive: Mapped[str] = mapped_column(String(20))
    advice: Mapped[str] = mapped_column(Encrypted())
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(UuidPk, Base):
    __tablename__ = "decisions"
    __table_args__ = (CheckConstraint(enum_check("outcome", DECIDED_STATES), name="outcome"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Encrypted())
    claimed_at: Mapped[datetime]
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
