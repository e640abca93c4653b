"""Locations, group sessions, seat bookings and check-in."""

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.core.text import Moment
from service.models.cases import Case
from service.models.sessions import Booking, HearingSession, Location, PlanningPreference, Room
from service.sessions import access, queries, service
from service.sessions.access import (
    BookingAtDesk,
    CheckerIn,
    LocationOnSite,
    OnSite,
    PlannedBooking,
    PlannedCase,
    PlannedLocation,
    PlannedSession,
    Planner,
    SessionOnSite,
)
from service.sessions.schemas import (
    AssistIn,
    BookingCancelIn,
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
    SessionCancelIn,
    SessionDetail,
    SessionEdit,
    SessionIn,
    SessionOut,
)

router = APIRouter(tags=["sessions"], route_class=UnitOfWorkRoute)


@router.post("/locations", status_code=status.HTTP_201_CREATED)
def create_location(body: LocationIn, db: Session, _: Planner) -> LocationOut:
    return LocationOut.model_validate(service.create_location(db, body))


@router.get("/locations")
def list_locations(db: Session, _: OnSite) -> Sequence[LocationOut]:
    return [
        LocationOut.model_validate(x) for x in db.scalars(select(Location).order_by(Location.name))
    ]


@router.post("/locations/{location_id}/rooms", status_code=status.HTTP_201_CREATED)
def create_room(location: PlannedLocation, body: RoomIn, db: Session) -> RoomOut:
    """A group room with its seats (kiosks), numbered from 1."""
    room = service.create_room(db, location, body)
    return RoomOut(id=room.id, location_id=room.location_id, name=room.name, seats=body.seats)


@router.get("/locations/{location_id}/rooms")
def list_rooms(location: LocationOnSite, db: Session) -> Sequence[RoomOut]:
    """The location's rooms and seats (a host: only at their own location)."""
    return [
        RoomOut(id=r.id, location_id=r.location_id, name=r.name, seats=service.seats_in(db, r.id))
        for r in db.scalars(select(Room).where(Room.location_id == location.id).order_by(Room.name))
    ]


@router.post("/sessions", status_code=status.HTTP_201_CREATED)
def create_session(body: SessionIn, db: Session, _: Planner) -> SessionOut:
    """Plan a group session for one language group at a location."""
    return SessionOut.model_validate(service.create_session(db, body))


@router.get("/sessions")
def list_sessions(
    db: Session,
    actor: OnSite,
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
def get_session(session: SessionOnSite, db: Session) -> SessionDetail:
    """The session with its seat list: who sits where (name, date of birth, V-number)."""
    bookings = [BookingOut.present(b, case) for b, case in queries.seat_list(db, session.id)]
    base = SessionOut.model_validate(session).model_dump()
    return SessionDetail(**{**base, "booked": len(bookings)}, bookings=bookings)


@router.patch("/sessions/{session_id}")
def update_session(session: PlannedSession, body: SessionEdit, db: Session) -> SessionOut:
    """Change a coming session (time, room, language, seats). Send the ``version`` you
    read: if someone changed the session since, the answer is 409 ``concurrent_change``."""
    return SessionOut.model_validate(service.update_session(db, session, body))


@router.delete("/sessions/{session_id}")
def cancel_session(
    session: PlannedSession,
    db: Session,
    actor: Planner,
    why: Annotated[SessionCancelIn, Query()],
) -> SessionOut:
    """Call the session off: its bookings are cancelled (kept as history, with the
    ``reason``) and their cases go back to be planned again."""
    service.cancel_session(db, session, actor, why.reason)
    return SessionOut.model_validate(session)


@router.post("/sessions/{session_id}/interpreters", status_code=status.HTTP_201_CREATED)
def add_interpreter(session: PlannedSession, body: InterpreterIn, db: Session) -> InterpreterOut:
    """An interpreter present at the session: cases speaking the language may be booked."""
    return InterpreterOut.model_validate(service.add_interpreter(db, session, body))


@router.put("/cases/{case_id}/planning-preference")
def set_planning_preference(case: PlannedCase, body: PreferenceIn, db: Session) -> PreferenceOut:
    """Where the applicant can be brought, and an interpreter gender they asked for."""
    return PreferenceOut.model_validate(service.set_preference(db, case, body))


@router.get("/cases/{case_id}/planning-preference")
def get_planning_preference(case: PlannedCase, db: Session) -> PreferenceOut:
    preference = db.get(PlanningPreference, case.id)
    return PreferenceOut(
        case_id=case.id,
        location_id=preference.location_id if preference else None,
        interpreter_gender=preference.interpreter_gender if preference else None,
    )


@router.get("/proposal")
def proposal(
    db: Session,
    _: Planner,
    session_id: uuid.UUID | None = None,
) -> Sequence[PlacementOut]:
    """Who to bring where: consented cases placed in coming sessions (or in the one
    session asked for) by language, location and interpreter gender, never beyond the
    seats. Nothing is booked yet."""
    return [PlacementOut.model_validate(p) for p in queries.proposal(db, session_id)]


@router.post("/sessions/{session_id}/bookings", status_code=status.HTTP_201_CREATED)
def book(session: PlannedSession, body: BookingIn, db: Session, actor: Planner) -> BookingOut:
    """Book a consented case on a seat. A seat or a case is never booked twice."""
    return _present(db, service.book_case(db, actor, session, body))


@router.delete("/bookings/{booking_id}")
def cancel_booking(
    booking: PlannedBooking,
    db: Session,
    actor: Planner,
    why: Annotated[BookingCancelIn, Query()],
) -> BookingOut:
    """Free the seat, saying why (the ``reason``, kept with the booking); the case goes
    back to `consented` to be planned again."""
    service.cancel_booking(db, booking, actor, why.reason)
    return _present(db, booking)


@router.post("/bookings/{booking_id}/move")
def move_booking(booking: PlannedBooking, body: MoveIn, db: Session, actor: Planner) -> BookingOut:
    """Move the case to another session or seat; the old booking is kept, closed."""
    return _present(db, service.move(db, actor, booking, body))


@router.post("/bookings/{booking_id}/check-in")
def check_in(booking: BookingAtDesk, body: CheckInIn, db: Session, actor: CheckerIn) -> CheckInOut:
    """Check the applicant in (on the session's day, in its window) and hand out a
    one-time kiosk code."""
    code = service.check_in(
        db,
        booking,
        actor,
        body,
        body.applicant_consent_confirmed,
        body.low_literacy,
        body.assisted_filling,
    )
    return CheckInOut(booking=_present(db, booking), kiosk_code=code)


@router.post("/bookings/{booking_id}/assisted-filling")
def assist(booking: BookingAtDesk, body: AssistIn, db: Session, actor: CheckerIn) -> BookingOut:
    """Assisted filling for an applicant already checked in, where the case's eligibility
    policy allows it (else 409 `assisted_filling_not_allowed`): the host or the
    session's interpreter for the applicant's language may type the answers for them at
    the kiosk. The applicant's consent is required (422 `assist_consent_missing`) and
    recorded with who recorded it and when, in the case's timeline too."""
    return _present(db, service.assist(db, booking, actor, body))


@router.post("/bookings/{booking_id}/kiosk-code")
def new_kiosk_code(booking: BookingAtDesk, db: Session, actor: CheckerIn) -> KioskCodeOut:
    """A new one-time code for a checked-in applicant (their kiosk crashed or was
    swapped); the previous code stops working, the answers given are kept."""
    return KioskCodeOut(booking_id=booking.id, kiosk_code=service.reissue_code(db, booking, actor))


@router.post("/bookings/{booking_id}/no-show")
def no_show(booking: BookingAtDesk, db: Session, actor: CheckerIn) -> BookingOut:
    """The applicant did not come: the seat closes and the case is planned again."""
    service.note_no_show(db, booking, actor)
    return _present(db, booking)


def _present(db: Session, booking: Booking) -> BookingOut:
    return BookingOut.present(booking, db.get_one(Case, booking.case_id))
