"""Locations, group sessions, seat bookings and check-in."""

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.access import allow
from service.cases.access import readable_case
from service.core.actor import Actor
from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.core.text import Moment
from service.models.cases import Case
from service.models.sessions import HearingSession, Location, PlanningPreference, Room
from service.sessions import access, queries, service
from service.sessions.exceptions import LocationNotFound
from service.sessions.schemas import (
    BookingIn,
    BookingOut,
    CheckInIn,
    CheckInOut,
    InterpreterIn,
    InterpreterOut,
    KioskCodeOut,
    LocationIn,
    LocationOut,
    MoveIn,
    PlacementOut,
    PreferenceIn,
    PreferenceOut,
    RoomIn,
    RoomOut,
    SessionDetail,
    SessionEdit,
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


def _location(db: Session, location_id: uuid.UUID) -> Location:
    location = db.get(Location, location_id)
    if location is None:
        raise LocationNotFound(f"No location {location_id}.")
    return location


@router.post("/locations/{location_id}/rooms", status_code=status.HTTP_201_CREATED)
def create_room(
    location_id: uuid.UUID,
    body: RoomIn,
    db: Session,
    _: Annotated[Actor, Depends(allow(*access.PLANNERS))],
) -> RoomOut:
    """A group room with its seats (kiosks), numbered from 1."""
    room = service.create_room(db, _location(db, location_id), body)
    return RoomOut(id=room.id, location_id=room.location_id, name=room.name, seats=body.seats)


@router.get("/locations/{location_id}/rooms")
def list_rooms(
    location_id: uuid.UUID, db: Session, actor: Annotated[Actor, Depends(allow(*access.ON_SITE))]
) -> Sequence[RoomOut]:
    """The location's rooms and seats (a host: only at their own location)."""
    location = access.readable_location(db, location_id, actor)
    return [
        RoomOut(id=r.id, location_id=r.location_id, name=r.name, seats=service.seats_in(db, r.id))
        for r in db.scalars(select(Room).where(Room.location_id == location.id).order_by(Room.name))
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
    request: Request,
    response: Response,
    location_id: uuid.UUID | None = None,
    starts_after: Moment | None = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[SessionOut]:
    """Planned sessions (a host: those at their own location), the earliest first, a page
    at a time; ``Link: rel="next"`` when more follow."""
    query = access.visible_sessions(actor).order_by(HearingSession.starts_at, HearingSession.id)
    if location_id:
        query = query.where(HearingSession.location_id == location_id)
    if starts_after:
        query = query.where(HearingSession.starts_at >= starts_after)
    found = db.scalars(query.limit(limit + 1).offset(offset)).all()
    counts = queries.booked_counts(db)
    return [
        SessionOut.model_validate(s).model_copy(update={"booked": counts.get(s.id, 0)})
        for s in page_of(found, limit, offset, request, response)
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


@router.patch("/sessions/{session_id}")
def update_session(
    session_id: uuid.UUID,
    body: SessionEdit,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.PLANNERS))],
) -> SessionOut:
    """Change a coming session (time, room, language, seats). Send the ``version`` you
    read: if someone changed the session since, the answer is 409 ``concurrent_change``."""
    session = access.readable_session(db, session_id, actor)
    return SessionOut.model_validate(service.update_session(db, session, body))


@router.delete("/sessions/{session_id}")
def cancel_session(
    session_id: uuid.UUID,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.PLANNERS))],
    reason: Annotated[str, Query(max_length=500)] = "",
) -> SessionOut:
    """Call the session off: its bookings are cancelled (kept as history) and their
    cases go back to be planned again."""
    session = access.readable_session(db, session_id, actor)
    service.cancel_session(db, session, actor, reason)
    return SessionOut.model_validate(session)


@router.post("/sessions/{session_id}/interpreters", status_code=status.HTTP_201_CREATED)
def add_interpreter(
    session_id: uuid.UUID,
    body: InterpreterIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.PLANNERS))],
) -> InterpreterOut:
    """An interpreter present at the session: cases speaking the language may be booked."""
    session = access.readable_session(db, session_id, actor)
    return InterpreterOut.model_validate(service.add_interpreter(db, session, body))


@router.put("/cases/{case_id}/planning-preference")
def set_planning_preference(
    case_id: uuid.UUID,
    body: PreferenceIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.PLANNERS))],
) -> PreferenceOut:
    """Where the applicant can be brought, and an interpreter gender they asked for."""
    case = readable_case(db, case_id, actor)
    return PreferenceOut.model_validate(service.set_preference(db, case, body))


@router.get("/cases/{case_id}/planning-preference")
def get_planning_preference(
    case_id: uuid.UUID, db: Session, actor: Annotated[Actor, Depends(allow(*access.PLANNERS))]
) -> PreferenceOut:
    case = readable_case(db, case_id, actor)
    preference = db.get(PlanningPreference, case.id)
    return PreferenceOut(
        case_id=case.id,
        location_id=preference.location_id if preference else None,
        interpreter_gender=preference.interpreter_gender if preference else None,
    )


@router.get("/proposal")
def proposal(
    db: Session,
    _: Annotated[Actor, Depends(allow(*access.PLANNERS))],
    session_id: uuid.UUID | None = None,
) -> Sequence[PlacementOut]:
    """Who to bring where: consented cases placed in coming sessions (or in the one
    session asked for) by language, location and interpreter gender, never beyond the
    seats. Nothing is booked yet."""
    return [PlacementOut.model_validate(p) for p in queries.proposal(db, session_id)]


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


@router.post("/bookings/{booking_id}/move")
def move_booking(
    booking_id: uuid.UUID,
    body: MoveIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.PLANNERS))],
) -> BookingOut:
    """Move the case to another session or seat; the old booking is kept, closed."""
    booking = access.booking_on_site(db, booking_id, actor)
    target = access.readable_session(db, body.session_id, actor)
    moved = service.move_booking(db, booking, target, actor, body.seat, body.reason)
    return BookingOut.present(moved, db.get_one(Case, moved.case_id))


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
    code = service.check_in(db, booking, actor, body, body.applicant_consent_confirmed)
    case = db.get_one(Case, booking.case_id)
    return CheckInOut(booking=BookingOut.present(booking, case), kiosk_code=code)


@router.post("/bookings/{booking_id}/kiosk-code")
def new_kiosk_code(
    booking_id: uuid.UUID,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.CHECKERS_IN))],
) -> KioskCodeOut:
    """A new one-time code for a checked-in applicant (their kiosk crashed or was
    swapped); the previous code stops working, the answers given are kept."""
    booking = access.booking_on_site(db, booking_id, actor)
    return KioskCodeOut(booking_id=booking.id, kiosk_code=service.reissue_code(db, booking, actor))


@router.post("/bookings/{booking_id}/no-show")
def no_show(
    booking_id: uuid.UUID,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.CHECKERS_IN))],
) -> BookingOut:
    """The applicant did not come: the seat closes and the case is planned again."""
    booking = access.booking_on_site(db, booking_id, actor)
    service.note_no_show(db, booking, actor)
    return BookingOut.present(booking, db.get_one(Case, booking.case_id))
