"""The job outbox: background work recorded in the same transaction as the change that
needs it, so a job can be handed to the queue again until it has run (core/jobs.py)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, Timestamped, UuidPk


class OutboxJob(UuidPk, Timestamped, Base):
    __tablename__ = "job_outbox"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_job_outbox_created_at", "created_at"),
    )

    # The Huey task's registered name (module.function) and its arguments (ids, codes).
    task: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(JSON)
    # Hand-overs to the queue by the sweep (the first, after commit, is not counted).
    attempts: Mapped[int] = mapped_column(default=0)
    # When the sweep last handed the job to the queue.
    queued_at: Mapped[datetime | None]
