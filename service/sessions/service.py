"""Locations, group sessions and seats. The database forbids double booking."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import procedure
from service.auth.service import new_kiosk_code
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.settings import get_settings
from service.models.cases import Case
from service.models.sessions import Booking, HearingSession, Location
from service.sessions.exceptions import (
    BookingCheckedIn,
    BookingNotFound,
    CaseAlreadyBooked,
    DuplicateLocation,
    LocationNotFound,
    OutsideCheckInWindow,
    SeatOutOfRange,
    SeatTaken,
    SessionFull,
    SessionInPast,
    WrongGroup,
)
from service.sessions.schemas import LocationIn, SessionIn
from service.workflow import LEFT_TRACK, CaseEvent, CaseState


def create_location(db: Session, data: LocationIn) -> Location:
    if db.scalar(select(Location.id).where(Location.name == data.name)):
        raise DuplicateLocation(f"A location named '{data.name}' exists already.")
    location = Location(**data.model_dump())
    db.add(location)
    db.flush()
    return location


def create_session(db: Session, data: SessionIn) -> HearingSession:
    if db.get(Location, data.location_id) is None:
        raise LocationNotFound(f"No location {data.location_id}.")
    if data.starts_at <= utcnow():
        raise SessionInPast("A session must start in the future.")
    session = HearingSession(**data.model_dump())
    db.add(session)
    db.flush()
    return session


def active_bookings(db: Session, session_id: uuid.UUID) -> Sequence[Booking]:
    return db.scalars(
        select(Booking)
        .where(Booking.session_id == session_id, Booking.cancelled_at.is_(None))
        .order_by(Booking.seat)
    ).all()


def _free_seat(db: Session, session: HearingSession) -> int:
    taken = {b.seat for b in active_bookings(db, session.id)}
    for seat in range(1, session.seats + 1):
        if seat not in taken:
            return seat
    raise SessionFull("Every seat in this session is booked.")


def book(
    db: Session, session: HearingSession, case: Case, actor: Actor, seat: int | None = None
) -> Booking:
    """Put a consented case on a seat of a session in the case's language."""
    if session.starts_at <= utcnow():
        raise SessionInPast("This session has already started.")
    if session.language not in case.languages:
        raise WrongGroup(
            f"The session is for language '{session.language}'; the applicant "
            f"speaks {', '.join(case.languages)}."
        )
    seat = seat or _free_seat(db, session)
    if seat > session.seats:
        raise SeatOutOfRange(f"Seat {seat} does not exist; the session has {session.seats}.")
    procedure.check(case, CaseEvent.SCHEDULE)
    booking = Booking(session_id=session.id, case_id=case.id, seat=seat, booked_by_id=actor.user_id)
    try:
        with db.begin_nested():
            db.add(booking)
            db.flush()
    except IntegrityError:
        raise _booking_conflict(db, case, seat) from None
    # After the seat is taken, so that subscribers (the lawyer's message) see the booking.
    procedure.advance(
        db,
        case,
        CaseEvent.SCHEDULE,
        actor,
        f"seat {seat} at session {session.starts_at:%Y-%m-%d %H:%M}",
    )
    return booking


def _booking_conflict(db: Session, case: Case, seat: int) -> Exception:
    if db.scalar(
        select(Booking.id).where(Booking.case_id == case.id, Booking.cancelled_at.is_(None))
    ):
        return CaseAlreadyBooked(f"Case {case.v_number} already has a seat.")
    return SeatTaken(f"Seat {seat} was just taken; choose another seat.")


def cancel_booking(db: Session, booking: Booking, actor: Actor, reason: str) -> None:
    if booking.cancelled_at is not None:
        return
    if booking.checked_in_at is not None:
        raise BookingCheckedIn(
            "The applicant has checked in; withdraw the case instead of cancelling the seat."
        )
    case = db.get_one(Case, booking.case_id)
    booking.cancelled_at = utcnow()
    if case.state is CaseState.SCHEDULED:
        procedure.advance(db, case, CaseEvent.UNSCHEDULE, actor, reason or "booking cancelled")
    db.flush()


def check_in_window(session: HearingSession) -> tuple[datetime, datetime]:
    """Check-in opens a while before the session starts and closes when its window ends."""
    opens = session.starts_at - timedelta(minutes=get_settings().check_in_opens_minutes)
    return opens, session.starts_at + timedelta(minutes=session.duration_minutes)


def check_in(db: Session, booking: Booking, actor: Actor, consent_confirmed: bool) -> str:
    """The host checks the applicant in; returns a one-time kiosk code."""
    if booking.cancelled_at is not None:
        raise BookingNotFound("This booking was cancelled.")
    session = db.get_one(HearingSession, booking.session_id)
    opens, closes = check_in_window(session)
    if not opens <= utcnow() < closes:
        raise OutsideCheckInWindow(
            f"Check-in for this session is open from {opens:%Y-%m-%d %H:%M} to {closes:%H:%M} UTC."
        )
    case = db.get_one(Case, booking.case_id)
    procedure.advance(
        db,
        case,
        CaseEvent.CHECK_IN,
        actor,
        "applicant checked in, own consent confirmed",
        applicant_consent_confirmed=consent_confirmed,
    )
    booking.applicant_consent_confirmed = consent_confirmed
    booking.checked_in_at = utcnow()
    booking.checked_in_by_id = actor.user_id
    return new_kiosk_code(db, booking)


def active_booking_for(db: Session, case_id: uuid.UUID) -> Booking | None:
    return db.scalar(
        select(Booking).where(Booking.case_id == case_id, Booking.cancelled_at.is_(None))
    )


@procedure.on_enter(*LEFT_TRACK)
def _give_seat_back(db: Session, move: procedure.Move) -> None:
    """A case that leaves the written track gives its seat back."""
    for booking in db.scalars(
        select(Booking).where(Booking.case_id == move.case_id, Booking.cancelled_at.is_(None))
    ):
        booking.cancelled_at = utcnow()
