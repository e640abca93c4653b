"""Locations, group sessions, seat bookings and one-time kiosk codes."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.models.base import Base, Timestamped, UuidPk

ACTIVE = text("cancelled_at IS NULL")


class Location(UuidPk, Timestamped, Base):
    __tablename__ = "locations"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    kiosks: Mapped[int] = mapped_column(default=0)


class HearingSession(UuidPk, Timestamped, Base):
    """One group session: a room, a time, a language group and numbered seats."""

    __tablename__ = "hearing_sessions"
    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id"), index=True)
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=240)
    seats: Mapped[int]
    # The group's language: the wrong group at a location was a 2020 failure.
    language: Mapped[str] = mapped_column(String(10))


class Booking(UuidPk, Base):
    """A case on a seat. Database indexes forbid double booking of seat or case."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("seat >= 1", name="seat_positive"),
        Index(
            "uq_bookings_active_seat",
            "session_id",
            "seat",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
        Index(
            "uq_bookings_active_case",
            "case_id",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hearing_sessions.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    seat: Mapped[int]
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    booked_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    applicant_consent_confirmed: Mapped[bool] = mapped_column(default=False)


class KioskCode(UuidPk, Base):
    """A one-time code a host hands the applicant; stored only as a digest."""

    __tablename__ = "kiosk_codes"

    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bookings.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
