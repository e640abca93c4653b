"""Who may plan sessions and who sees which seat lists.

Hosts work at one location: they see its sessions (with the names on the seats, so
they can check the right person in) and nothing of other locations.
"""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.formatting import in_english
from service.core.i18n import N_
from service.models.auth import Role
from service.models.sessions import Booking, HearingSession, Location
from service.sessions.exceptions import BookingNotFound, LocationNotFound, SessionNotFound

PLANNERS = (Role.PLANNER, Role.ADMIN)
ON_SITE = (Role.PLANNER, Role.HOST, Role.ADMIN)
CHECKERS_IN = (Role.HOST, Role.ADMIN)


def readable_location(db: Session, location_id: uuid.UUID, actor: Actor) -> Location:
    """A location the actor may look into (its rooms): a host only their own; others
    get 404, as for another location's sessions."""
    location = db.get(Location, location_id)
    if location is None or (actor.is_(Role.HOST) and location.id != actor.location_id):
        raise LocationNotFound(
            in_english(N_("No location %(location)s that you may see."), location=location_id)
        )
    return location


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
