"""Each screening of a case against a version of the eligibility policy."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.models.base import Base, UuidPk, enum_check


class ScreeningOutcome(StrEnum):
    EXCLUDED = "excluded"
    ELIGIBLE_REPLACING = "eligible_replacing"
    ELIGIBLE_PREPARATORY = "eligible_preparatory"


class Screening(UuidPk, Base):
    __tablename__ = "screenings"
    __table_args__ = (CheckConstraint(enum_check("outcome", ScreeningOutcome), name="outcome"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    policy_version: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    screened_at: Mapped[datetime] = mapped_column(default=utcnow)
    screened_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
