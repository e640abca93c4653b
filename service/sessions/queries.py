"""Reading sessions: the seat list with who sits where, and how full each session is."""

import uuid
from collections.abc import Sequence

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.web import LOCAL_TIME
from service.models.cases import Case
from service.models.sessions import Booking, HearingSession, Location
from service.sessions.access import visible_sessions


def seat_list(db: Session, session_id: uuid.UUID) -> Sequence[Row[Booking, Case]]:
    """Active bookings in seat order, each with its case (one query)."""
    return db.execute(
        select(Booking, Case)
        .join(Case, Case.id == Booking.case_id)
        .where(Booking.session_id == session_id, Booking.cancelled_at.is_(None))
        .order_by(Booking.seat)
    ).all()


def booked_counts(db: Session) -> dict[uuid.UUID, int]:
    rows = db.execute(
        select(Booking.session_id, func.count())
        .where(Booking.cancelled_at.is_(None))
        .group_by(Booking.session_id)
    )
    return {session_id: count for session_id, count in rows}


def coming_sessions(
    db: Session, actor: Actor, limit: int = 100
) -> Sequence[Row[HearingSession, Location, int]]:
    """Sessions from today on that the actor may see, with their location and bookings."""
    today = utcnow().astimezone(LOCAL_TIME).replace(hour=0, minute=0, second=0, microsecond=0)
    booked = (
        select(func.count())
        .where(Booking.session_id == HearingSession.id, Booking.cancelled_at.is_(None))
        .scalar_subquery()
    )
    return db.execute(
        visible_sessions(actor)
        .add_columns(Location, booked)
        .join(Location, Location.id == HearingSession.location_id)
        .where(HearingSession.starts_at >= today)
        .order_by(HearingSession.starts_at)
        .limit(limit)
    ).all()
