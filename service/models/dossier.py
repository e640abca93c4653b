"""Rendered PDF dossiers, cached by the hash of what they show, and who downloaded them."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, UuidPk

COPIES = ("staff", "lawyer")


class Dossier(UuidPk, Base):
    """One rendering of a case's dossier. A new content hash means a new row; the PDF is
    filled in by the background job (``pdf`` NULL: being prepared)."""

    __tablename__ = "dossiers"
    __table_args__ = (
        UniqueConstraint("case_id", "copy", "content_hash"),
        CheckConstraint("copy IN ('staff', 'lawyer')", name="copy_known"),
        CheckConstraint("(pdf IS NULL) = (rendered_at IS NULL)", name="rendered_has_pdf"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    # Staff see everything; the lawyer's copy leaves out the staff-only parts.
    copy: Mapped[str] = mapped_column(String(10))
    content_hash: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    rendered_at: Mapped[datetime | None]
    pdf: Mapped[bytes | None] = mapped_column(Encrypted("bytes"))
