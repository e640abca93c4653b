"""Users of every role and their bearer tokens (applicants get case-bound tokens)."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, Timestamped, UuidPk, enum_check


class Role(StrEnum):
    APPLICANT = "applicant"
    LAWYER = "lawyer"
    PLANNER = "planner"
    HOST = "host"
    TRANSLATOR = "translator"
    OFFICER = "officer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class User(UuidPk, Timestamped, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(enum_check("role", Role), name="role_known"),)

    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # Law firm for lawyers, agency for translators: translators see their agency's work.
    organisation: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class ApiToken(UuidPk, Timestamped, Base):
    """A bearer token, stored only as its keyed SHA-256 digest (HMAC)."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (case_id IS NULL)", name="user_or_applicant"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Applicant tokens come from a kiosk code and only reach that one case.
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
