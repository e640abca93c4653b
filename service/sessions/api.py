"""Locations, group sessions, seat bookings and check-in."""

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.access import allow
from service.cases.access import readable_case
from service.core.actor import Actor
from service.core.routing import UnitOfWorkRoute
from service.core.text import Moment
from service.models.cases import Case
from service.models.sessions import HearingSession, Location
from service.sessions import access, queries, service
from service.sessions.schemas import (
    BookingIn,
    BookingOut,
    CheckInIn,
    CheckInOut,
    LocationIn,
    LocationOut,
    SessionDetail,
    SessionIn,
    SessionOut,
)

router = APIRouter(tags=["sessions"], route_class=UnitOfWorkRoute)


@router.post("/locations", status_code=status.HTTP_201_CREATED)
def create_location(
    body: LocationIn, db: Session, _: Annotated[Actor, Depends(allow(*access.PLANNERS))]
) -> LocationOut:
    return LocationOut.model_validate(service.create_location(db, body))


@router.get("/locations")
def list_locations(
    db: Session, _: Annotated[Actor, Depends(allow(*access.ON_SITE))]
) -> Sequence[LocationOut]:
    return [
        LocationOut.model_validate(x) for x in db.scalars(select(Location).order_by(Location.name))
    ]


@router.post("/sessions", status_code=status.HTTP_201_CREATED)
def create_session(
    body: SessionIn, db: Session, _: Annotated[Actor, Depends(allow(*access.PLANNERS))]
) -> SessionOut:
    """Plan a group session for one language group at a location."""
    return SessionOut.model_validate(service.create_session(db, body))


@router.get("/sessions")
def list_sessions(
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.ON_SITE))],
    location_id: uuid.UUID | None = None,
    starts_after: Moment | None = None,
) -> Sequence[SessionOut]:
    """Planned sessions (a host: those at their own location)."""
    query = access.visible_sessions(actor).order_by(HearingSession.starts_at)
    if location_id:
        query = query.where(HearingSession.location_id == location_id)
    if starts_after:
        query = query.where(HearingSession.starts_at >= starts_after)
    counts = queries.booked_counts(db)
    return [
        SessionOut.model_validate(s).model_copy(update={"booked": counts.get(s.id, 0)})
        for s in db.scalars(query.limit(500))
    ]


@router.get("/sessions/{session_id}")
def get_session(
    session_id: uuid.UUID, db: Session, actor: Annotated[Actor, Depends(allow(*access.ON_SITE))]
) -> SessionDetail:
    """The session with its seat list: who sits where (name, date of birth, V-number)."""
    session = access.readable_session(db, session_id, actor)
    bookings = [BookingOut.present(b, case) for b, case in queries.seat_list(db, session.id)]
    base = SessionOut.model_validate(session).model_dump()
    return SessionDetail(**{**base, "booked": len(bookings)}, bookings=bookings)


@router.post("/sessions/{session_id}/bookings", status_code=status.HTTP_201_CREATED)
def book(
    session_id: uuid.UUID,
    body: BookingIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.PLANNERS))],
) -> BookingOut:
    """Book a consented case on a seat. A seat or a case is never booked twice."""
    session = access.readable_session(db, session_id, actor)
    case = readable_case(db, body.case_id, actor)
    return BookingOut.present(service.book(db, session, case, actor, body.seat), case)


@router.delete("/bookings/{booking_id}")
def cancel_booking(
    booking_id: uuid.UUID, db: Session, actor: Annotated[Actor, Depends(allow(*access.PLANNERS))]
) -> BookingOut:
    """Free the seat; the case goes back to `consented` to be planned again."""
    booking = access.booking_on_site(db, booking_id, actor)
    service.cancel_booking(db, booking, actor, "booking cancelled by planner")
    return BookingOut.present(booking, db.get_one(Case, booking.case_id))


@router.post("/bookings/{booking_id}/check-in")
def check_in(
    booking_id: uuid.UUID,
    body: CheckInIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.CHECKERS_IN))],
) -> CheckInOut:
    """Check the applicant in (on the session's day, in its window) and hand out a
    one-time kiosk code."""
    booking = access.booking_on_site(db, booking_id, actor)
    code = service.check_in(db, booking, actor, body.applicant_consent_confirmed)
    case = db.get_one(Case, booking.case_id)
    return CheckInOut(booking=BookingOut.present(booking, case), kiosk_code=code)
