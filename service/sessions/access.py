"""Who may plan sessions and who sees which seat lists, and the doors' declarations of
it: a route receives the session, booking, location or seat already loaded through
these rules (``Annotated`` aliases, as in ``cases.access``).

Hosts work at one location: they see its sessions (with the names on the seats, so
they can check the right person in), its rooms and seats, and nothing of other
locations.
"""

import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.auth.access import allow, signed_in, through
from service.cases.access import case_through
from service.core.actor import Actor
from service.core.formatting import in_english
from service.core.i18n import N_
from service.models.auth import Role
from service.models.cases import Case
from service.models.sessions import Booking, HearingSession, Location, Room, Seat
from service.sessions.exceptions import (
    BookingNotFound,
    LocationNotFound,
    SeatNotFound,
    SessionNotFound,
)

PLANNERS = (Role.PLANNER, Role.ADMIN)
ON_SITE = (Role.PLANNER, Role.HOST, Role.ADMIN)
CHECKERS_IN = (Role.HOST, Role.ADMIN)
T = TypeVar("T")


def host_location(actor: Actor) -> uuid.UUID | None:
    """The one location a host works at; None for roles that see every location."""
    return actor.location_id if actor.is_(Role.HOST) else None


def readable_location(db: Session, location_id: uuid.UUID, actor: Actor) -> Location:
    """A location the actor may look into (its rooms): a host only their own; others
    get 404, as for another location's sessions."""
    location = db.get(Location, location_id)
    if location is None or host_location(actor) not in (None, location.id):
        raise LocationNotFound(
            in_english(N_("No location %(location)s that you may see."), location=location_id)
        )
    return location


def seat_on_site(db: Session, seat_id: uuid.UUID, actor: Actor) -> Seat:
    """A seat whose kiosk the actor may register: a host only at their own location."""
    seat = db.get(Seat, seat_id)
    room = db.get(Room, seat.room_id) if seat else None
    if seat is None or room is None or host_location(actor) not in (None, room.location_id):
        why = N_("No seat %(seat)s at your location.")
        raise SeatNotFound(in_english(why, seat=seat_id))
    return seat


def visible_sessions(actor: Actor) -> Select[HearingSession]:
    query = select(HearingSession)
    if actor.is_(Role.HOST):
        return query.where(HearingSession.location_id == actor.location_id)
    return query


def readable_session(db: Session, session_id: uuid.UUID, actor: Actor) -> HearingSession:
    session = db.scalar(visible_sessions(actor).where(HearingSession.id == session_id))
    if session is None:
        raise SessionNotFound(
            in_english(N_("No session %(session)s that you may see."), session=session_id)
        )
    return session


def booking_on_site(db: Session, booking_id: uuid.UUID, actor: Actor) -> Booking:
    """A booking in a session the actor may see (a host: at their own location)."""
    sessions = visible_sessions(actor).with_only_columns(HearingSession.id)
    booking = db.scalar(
        select(Booking).where(Booking.id == booking_id, Booking.session_id.in_(sessions))
    )
    if booking is None:
        raise BookingNotFound(
            in_english(N_("No booking %(booking)s that you may see."), booking=booking_id)
        )
    return booking


# --- the doors' declarations: the endpoint receives the caller or the object, checked -----


def _api(roles: tuple[Role, ...], path_id: str, load: Callable[..., Any]) -> Any:
    return Depends(through(allow(*roles), path_id, load))


def _page(roles: tuple[Role, ...], path_id: str, load: Callable[..., Any]) -> Any:
    return Depends(through(signed_in(*roles), path_id, load))


Planner = Annotated[Actor, Depends(allow(*PLANNERS))]
PlannerPage = Annotated[Actor, Depends(signed_in(*PLANNERS))]
OnSite = Annotated[Actor, Depends(allow(*ON_SITE))]
OnSitePage = Annotated[Actor, Depends(signed_in(*ON_SITE))]
CheckerIn = Annotated[Actor, Depends(allow(*CHECKERS_IN))]
CheckerInPage = Annotated[Actor, Depends(signed_in(*CHECKERS_IN))]

# A session seen on site (the roster, the seat list), and one a planner changes.
SessionOnSite = Annotated[HearingSession, _api(ON_SITE, "session_id", readable_session)]
SessionOnSitePage = Annotated[HearingSession, _page(ON_SITE, "session_id", readable_session)]
PlannedSession = Annotated[HearingSession, _api(PLANNERS, "session_id", readable_session)]
PlannedSessionPage = Annotated[HearingSession, _page(PLANNERS, "session_id", readable_session)]
# A booking a planner moves or cancels, and one a host checks in.
PlannedBooking = Annotated[Booking, _api(PLANNERS, "booking_id", booking_on_site)]
PlannedBookingPage = Annotated[Booking, _page(PLANNERS, "booking_id", booking_on_site)]
BookingAtDesk = Annotated[Booking, _api(CHECKERS_IN, "booking_id", booking_on_site)]
BookingAtDeskPage = Annotated[Booking, _page(CHECKERS_IN, "booking_id", booking_on_site)]
# A location whose rooms are seen on site, and one a planner adds rooms to.
LocationOnSite = Annotated[Location, _api(ON_SITE, "location_id", readable_location)]
PlannedLocation = Annotated[Location, _api(PLANNERS, "location_id", readable_location)]
PlannedLocationPage = Annotated[Location, _page(PLANNERS, "location_id", readable_location)]
# A seat whose kiosk a host registers (at their own location only).
SeatAtDeskPage = Annotated[Seat, _page(CHECKERS_IN, "seat_id", seat_on_site)]
# A case whose planning preference a planner sets.
PlannedCase = Annotated[Case, Depends(case_through(allow(*PLANNERS)))]
PlannedCasePage = Annotated[Case, Depends(case_through(signed_in(*PLANNERS)))]
