"""Users of every role, their bearer tokens and browser sessions, and sign-in throttles."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, Timestamped, UuidPk, enum_check
from service.models.cases import CoordinatorMotive


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
    __table_args__ = (
        CheckConstraint(enum_check("role", Role), name="role_known"),
        CheckConstraint(
            f"specialism IS NULL OR {enum_check('specialism', CoordinatorMotive)}",
            name="specialism_known",
        ),
        # A translator works for exactly one agency; nobody else belongs to one.
        CheckConstraint(
            "(role = 'translator') = (agency_id IS NOT NULL)", name="agency_iff_translator"
        ),
        CheckConstraint("role = 'host' OR location_id IS NULL", name="location_only_for_hosts"),
        CheckConstraint(
            "role = 'coordinator' OR specialism IS NULL", name="specialism_only_for_coordinators"
        ),
    )

    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # Law firm for lawyers (shown, not used for access).
    organisation: Mapped[str | None] = mapped_column(String(200))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The location a host works at: hosts see and check in only its sessions.
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    # The motive a coordinator is consulted on (lgbti or conversion).
    specialism: Mapped[str | None] = mapped_column(String(20))
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


class WebSession(UuidPk, Timestamped, Base):
    """A signed-in browser: the cookie holds a secret, the table only its digest."""

    __tablename__ = "web_sessions"

    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    last_seen_at: Mapped[datetime]
    # The absolute end; idleness ends it sooner (settings.session_idle_minutes).
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class RateCounter(Base):
    """A fixed-window counter (sign-in failures) shared by every app process."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]
