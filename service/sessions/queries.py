"""Reading sessions: the seat list with who sits where, and how full each session is."""

import uuid
from collections.abc import Sequence

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from service.models.cases import Case
from service.models.sessions import Booking


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
