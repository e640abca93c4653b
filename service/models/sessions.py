"""Locations with rooms and seats, group sessions with their interpreters, seat
bookings (with their history) and one-time kiosk codes."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.models.base import Base, Timestamped, UuidPk, enum_check

ACTIVE = text("cancelled_at IS NULL")


class Gender(StrEnum):
    """An applicant may ask for a female (or male) interpreter or officer (seed 002)."""

    FEMALE = "female"
    MALE = "male"


class Helper(StrEnum):
    """Who may type answers for the applicant at the kiosk (assisted filling)."""

    HOST = "host"
    INTERPRETER = "interpreter"


class Location(UuidPk, Timestamped, Base):
    __tablename__ = "locations"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    kiosks: Mapped[int] = mapped_column(default=0)


class Room(UuidPk, Base):
    """A group room at a location; its seats are numbered from 1."""

    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("location_id", "name"),)

    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Seat(UuidPk, Base):
    """A seat with its kiosk. The host registers the kiosk device on the seat, so
    kiosk sign-ins are throttled per device and a code works only at its own seat."""

    __tablename__ = "seats"
    __table_args__ = (
        UniqueConstraint("room_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rooms.id"), index=True)
    number: Mapped[int]
    # Keyed digest of the device cookie; NULL until a host registers a kiosk here.
    device_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    device_registered_at: Mapped[datetime | None]
    device_registered_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class HearingSession(UuidPk, Timestamped, Base):
    """One group session: a room, a time, its languages (one interpreter each at
    least) and numbered seats."""

    __tablename__ = "hearing_sessions"
    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id"), index=True)
    room_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=240)
    seats: Mapped[int]
    # The group's main language: the wrong group at a location was a 2020 failure.
    # Every language present (this one included) needs an interpreter to book a case.
    language: Mapped[str] = mapped_column(String(10))
    cancelled_at: Mapped[datetime | None]
    # Two planners editing one session: the second save is refused, never lost.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Interpreter(UuidPk, Base):
    """An interpreter present at a session for one language."""

    __tablename__ = "session_interpreters"
    __table_args__ = (CheckConstraint(enum_check("gender", Gender), name="gender_known"),)

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hearing_sessions.id"), index=True)
    language: Mapped[str] = mapped_column(String(10))
    gender: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200), default="")


class PlanningPreference(Base):
    """What the planner must honour when placing a case: where the applicant can be
    brought, and the interpreter's gender if the applicant asked for one."""

    __tablename__ = "planning_preferences"
    __table_args__ = (
        CheckConstraint(
            f"interpreter_gender IS NULL OR {enum_check('interpreter_gender', Gender)}",
            name="interpreter_gender_known",
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    interpreter_gender: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Booking(UuidPk, Base):
    """A case on a seat. A booking's session and seat never change: a move cancels it
    and books a new row that points back at it, so the history stays in the table.

    Database indexes forbid double booking: one active booking per (session, seat),
    and one active booking per case at all, which also rules out a case in two
    overlapping sessions on every database without an exclusion constraint.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("seat >= 1", name="seat_positive"),
        CheckConstraint(
            "no_show_at IS NULL OR cancelled_at IS NOT NULL", name="no_show_ends_booking"
        ),
        CheckConstraint(
            "no_show_at IS NULL OR checked_in_at IS NULL", name="no_show_not_checked_in"
        ),
        CheckConstraint(
            f"assisted_by IS NULL OR {enum_check('assisted_by', Helper)}", name="helper_known"
        ),
        # Nobody types for the applicant without their consent on record.
        CheckConstraint(
            "assisted_by IS NULL OR (assist_consent_at IS NOT NULL "
            "AND assist_consent_by_id IS NOT NULL)",
            name="assisted_with_consent",
        ),
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
    # The language the applicant is heard in at this session (one with an interpreter).
    language: Mapped[str | None] = mapped_column(String(10))
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    booked_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The booking this one replaced when the planner moved the case.
    moved_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bookings.id"))
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    no_show_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    applicant_consent_confirmed: Mapped[bool] = mapped_column(default=False)
    # Low-literacy mode, switched on by the host at check-in: the kiosk reads every
    # question aloud and takes spoken answers.
    low_literacy: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Assisted filling, switched on by the host where the case's policy allows it, with
    # the applicant's consent: who may type answers on their behalf at the kiosk (the
    # host, a user, or the session's interpreter for their language), and who recorded
    # the consent when.
    assisted_by: Mapped[str | None] = mapped_column(String(20))
    assisted_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    assisted_by_interpreter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("session_interpreters.id")
    )
    assist_consent_at: Mapped[datetime | None]
    assist_consent_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    @property
    def reference(self) -> str:
        """A short reference to say aloud and find the seat by ("B-7F3A21"); it tells
        nothing of the person, so the host's seat list can show it."""
        return "B-" + self.id.hex[:6].upper()


class KioskCode(UuidPk, Base):
    """A one-time code a host hands the applicant; stored only as a digest.

    Bound to the booking (applicant, session and seat; a booking's seat never
    changes). At most one live code per booking: issuing a new one revokes the rest.
    """

    __tablename__ = "kiosk_codes"
    __table_args__ = (
        Index(
            "uq_kiosk_codes_live_booking",
            "booking_id",
            unique=True,
            sqlite_where=text("used_at IS NULL AND revoked_at IS NULL"),
            postgresql_where=text("used_at IS NULL AND revoked_at IS NULL"),
        ),
    )

    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bookings.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
