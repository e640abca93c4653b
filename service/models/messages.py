"""The outbox: e-mail written in the same transaction as the change that causes it."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, StrEnumColumn, Timestamped, UuidPk, enum_check


class MessageKind(StrEnum):
    INVITATION = "invitation"
    REPLY_REMINDER = "reply_reminder"
    CONSENT_RECORDED = "consent_recorded"
    SESSION_PLANNED = "session_planned"
    TRANSLATION_READY = "translation_ready"
    CORRECTIONS_ENDING = "corrections_ending"
    OUTCOME = "outcome"


class MessageStatus(StrEnum):
    QUEUED = "queued"  # waiting for (another) delivery attempt
    SENT = "sent"
    FAILED = "failed"  # the last attempt failed, or there is no address: planners act


class Message(UuidPk, Timestamped, Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(enum_check("kind", MessageKind), name="kind_known"),
        CheckConstraint(enum_check("status", MessageStatus), name="status_known"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        CheckConstraint("status <> 'failed' OR failed_at IS NOT NULL", name="failed_has_time"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    kind: Mapped[MessageKind] = mapped_column(StrEnumColumn(MessageKind, 30))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    # The address when the message was written (a later change does not redirect it).
    to_address: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(10))
    # Rendered when written, so every attempt sends the very same message.
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    calendar: Mapped[str | None] = mapped_column(Text)  # an iCalendar attachment
    status: Mapped[MessageStatus] = mapped_column(
        StrEnumColumn(MessageStatus, 10), default=MessageStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    # A worker holds the message while it sends; a killed worker's hold runs out.
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
