"""Locations, group sessions, seat bookings and check-in."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select

from service.auth.dependencies import allow
from service.cases.service import get_case
from service.core.actor import Actor
from service.core.db import DbSession
from service.models.auth import Role
from service.models.sessions import HearingSession, Location
from service.sessions import service
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

router = APIRouter(tags=["sessions"])
PLANNERS = (Role.PLANNER, Role.ADMIN)
ON_SITE = (Role.PLANNER, Role.HOST, Role.ADMIN)


@router.post("/locations", status_code=status.HTTP_201_CREATED)
def create_location(
    body: LocationIn, db: DbSession, _: Annotated[Actor, Depends(allow(*PLANNERS))]
) -> LocationOut:
    return LocationOut.model_validate(service.create_location(db, body))


@router.get("/locations")
def list_locations(
    db: DbSession, _: Annotated[Actor, Depends(allow(*ON_SITE))]
) -> Sequence[LocationOut]:
    return [
        LocationOut.model_validate(x) for x in db.scalars(select(Location).order_by(Location.name))
    ]


@router.post("/sessions", status_code=status.HTTP_201_CREATED)
def create_session(
    body: SessionIn, db: DbSession, _: Annotated[Actor, Depends(allow(*PLANNERS))]
) -> SessionOut:
    """Plan a group session for one language group at a location."""
    return SessionOut.model_validate(service.create_session(db, body))


@router.get("/sessions")
def list_sessions(
    db: DbSession,
    _: Annotated[Actor, Depends(allow(*ON_SITE))],
    location_id: uuid.UUID | None = None,
    starts_after: datetime | None = None,
) -> Sequence[SessionOut]:
    query = select(HearingSession).order_by(HearingSession.starts_at)
    if location_id:
        query = query.where(HearingSession.location_id == location_id)
    if starts_after:
        query = query.where(HearingSession.starts_at >= starts_after)
    counts = service.booked_counts(db)
    return [
        SessionOut.model_validate(s).model_copy(update={"booked": counts.get(s.id, 0)})
        for s in db.scalars(query.limit(500))
    ]


@router.get("/sessions/{session_id}")
def get_session(
    session_id: uuid.UUID, db: DbSession, _: Annotated[Actor, Depends(allow(*ON_SITE))]
) -> SessionDetail:
    """The session with its seat list, for planners and hosts at the location."""
    session = service.get_session(db, session_id)
    bookings = [BookingOut.model_validate(b) for b in service.active_bookings(db, session.id)]
    base = SessionOut.model_validate(session).model_dump()
    return SessionDetail(**{**base, "booked": len(bookings)}, bookings=bookings)


@router.post("/sessions/{session_id}/bookings", status_code=status.HTTP_201_CREATED)
def book(
    session_id: uuid.UUID,
    body: BookingIn,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(*PLANNERS))],
) -> BookingOut:
    """Book a consented case on a seat. A seat or a case is never booked twice."""
    session = service.get_session(db, session_id)
    case = get_case(db, body.case_id, actor)
    return BookingOut.model_validate(service.book(db, session, case, actor, body.seat))


@router.delete("/bookings/{booking_id}")
def cancel_booking(
    booking_id: uuid.UUID, db: DbSession, actor: Annotated[Actor, Depends(allow(*PLANNERS))]
) -> BookingOut:
    """Free the seat; the case goes back to `consented` to be planned again."""
    booking = service.get_booking(db, booking_id)
    service.cancel_booking(db, booking, actor, "booking cancelled by planner")
    return BookingOut.model_validate(booking)


@router.post("/bookings/{booking_id}/check-in")
def check_in(
    booking_id: uuid.UUID,
    body: CheckInIn,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(Role.HOST, Role.ADMIN))],
) -> CheckInOut:
    """Check the applicant in at the location and hand out a one-time kiosk code."""
    booking = service.get_booking(db, booking_id)
    code = service.check_in(db, booking, actor, body.applicant_consent_confirmed)
    return CheckInOut(booking=BookingOut.model_validate(booking), kiosk_code=code)
