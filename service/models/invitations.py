"""Invitations sent to the lawyer, and the lawyer's reply."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, UuidPk, enum_check


class InvitationStatus(StrEnum):
    OPEN = "open"
    CONSENTED = "consented"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"  # the case left the written track (withdrawn or a signal)


class DeclineReason(StrEnum):
    """Why the lawyer declines on behalf of the client (a fixed list, so the reports can
    count them; the note beside it stays free text)."""

    PREFERS_PHYSICAL_HEARING = "prefers_physical_hearing"
    CANNOT_READ_OR_WRITE = "cannot_read_or_write"
    NO_SUITABLE_LANGUAGE = "no_suitable_language"
    HEALTH = "health"
    NO_CONTACT_WITH_CLIENT = "no_contact_with_client"
    OTHER = "other"


class Invitation(UuidPk, Base):
    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(enum_check("status", InvitationStatus), name="status_known"),
        CheckConstraint("status = 'open' OR replied_at IS NOT NULL", name="closed_has_reply_time"),
        # A reason only with a decline; declines from before reasons were asked have none.
        CheckConstraint(
            f"decline_reason IS NULL OR (status = 'declined' AND "
            f"{enum_check('decline_reason', DeclineReason)})",
            name="decline_reason_known",
        ),
        # One open invitation per case at a time.
        Index(
            "uq_invitations_open_case",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    lawyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply_due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default=InvitationStatus.OPEN)
    replied_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Encrypted(), default="")
    decline_reason: Mapped[str | None] = mapped_column(String(30))
    # What the client needs for language (e.g. "Tigrinya; reads little"), from the lawyer.
    language_needs: Mapped[str] = mapped_column(Encrypted(), default="")
