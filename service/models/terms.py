"""Terms running on a case: one row per step, its due date fixed when the step starts."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, StrEnumColumn, Timestamped, UuidPk, enum_check


class TermStep(StrEnum):
    """A step of the procedure that has a term."""

    INVITATION_REPLY = "invitation_reply"
    TRANSLATION = "translation"
    CORRECTIONS = "corrections"
    DECISION = "decision"
    TARGET = "target"  # the whole procedure, from the invitation to the decision


class Term(UuidPk, Timestamped, Base):
    __tablename__ = "terms"
    __table_args__ = (
        CheckConstraint(enum_check("step", TermStep), name="step_known"),
        CheckConstraint("working_days >= 1", name="working_days_positive"),
        CheckConstraint("extended_days >= 0", name="extended_days_not_negative"),
        CheckConstraint("due_at > started_at", name="due_after_start"),
        # One running term per step of a case (a new invitation closes the old term).
        Index(
            "uq_terms_open_step",
            "case_id",
            "step",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    step: Mapped[TermStep] = mapped_column(StrEnumColumn(TermStep, 30))
    # The term policy version the due date was computed with, and its working days.
    policy_version: Mapped[str] = mapped_column(String(60))
    working_days: Mapped[int]
    started_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    # Working days added by planners (each extension is an event on the case).
    extended_days: Mapped[int] = mapped_column(default=0)
    # When the sweep reminds whoever must act (None: this step sends no reminder).
    remind_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    # Set by the sweep when a term of the service's own side has passed unseen.
    overdue_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
