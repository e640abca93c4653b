"""Reading sessions: the seat list with who sits where, and how full each session is."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.formatting import LOCAL_TIME
from service.models.cases import Case
from service.models.sessions import (
    Booking,
    HearingSession,
    Interpreter,
    Location,
    PlanningPreference,
    Room,
    Seat,
)
from service.sessions.access import visible_sessions
from service.sessions.grouping import Candidate, Placement, Slot, propose
from service.workflow import CaseState


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


def candidates(db: Session, limit: int = 2000) -> list[Candidate]:
    """Consented cases waiting for a seat, with what the planner must honour."""
    rows = db.execute(
        select(Case, PlanningPreference)
        .outerjoin(PlanningPreference, PlanningPreference.case_id == Case.id)
        .where(Case.state == CaseState.CONSENTED)
        .order_by(Case.consented_at)
        .limit(limit)
    ).all()
    return [candidate(case, preference) for case, preference in rows]


def candidate(case: Case, preference: PlanningPreference | None) -> Candidate:
    return Candidate(
        case_id=case.id,
        languages=tuple(case.languages),
        waiting_since=case.consented_at or case.created_at,
        location_id=preference.location_id if preference else None,
        interpreter_gender=preference.interpreter_gender if preference else None,
    )


def open_slots(db: Session, session_id: uuid.UUID | None = None) -> list[Slot]:
    """Every coming session that is not cancelled (or just the one asked for), with its
    interpreters and free seats."""
    query = select(HearingSession).where(
        HearingSession.starts_at > utcnow(), HearingSession.cancelled_at.is_(None)
    )
    if session_id is not None:
        query = query.where(HearingSession.id == session_id)
    sessions = db.scalars(query.order_by(HearingSession.starts_at).limit(500)).all()
    ids = [s.id for s in sessions]
    interpreters: dict[uuid.UUID, set[tuple[str, str]]] = {i: set() for i in ids}
    for session_id, language, gender in db.execute(
        select(Interpreter.session_id, Interpreter.language, Interpreter.gender).where(
            Interpreter.session_id.in_(ids)
        )
    ):
        interpreters[session_id].add((language, gender))
    taken: dict[uuid.UUID, set[int]] = {i: set() for i in ids}
    for session_id, seat in db.execute(
        select(Booking.session_id, Booking.seat).where(
            Booking.session_id.in_(ids), Booking.cancelled_at.is_(None)
        )
    ):
        taken[session_id].add(seat)
    return [
        Slot(
            session_id=s.id,
            location_id=s.location_id,
            starts_at=s.starts_at,
            interpreters=frozenset(interpreters[s.id]),
            free_seats=tuple(n for n in range(1, s.seats + 1) if n not in taken[s.id]),
        )
        for s in sessions
    ]


def proposal(db: Session, session_id: uuid.UUID | None = None) -> list[Placement]:
    """Who to bring where: the planner's proposal over every coming session, or who to
    bring to one session (the planner chose it: every waiting case that fits may go)."""
    return propose(open_slots(db, session_id), candidates(db))


def interpreters_by_session(
    db: Session, session_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Interpreter]]:
    found: dict[uuid.UUID, list[Interpreter]] = {i: [] for i in session_ids}
    for interpreter in db.scalars(
        select(Interpreter)
        .where(Interpreter.session_id.in_(session_ids))
        .order_by(Interpreter.language, Interpreter.gender)
    ):
        found[interpreter.session_id].append(interpreter)
    return found


def booking_history(db: Session, session_id: uuid.UUID) -> Sequence[Row[Booking, Case]]:
    """Every booking ever made in the session, closed ones too (moves, cancellations,
    no-shows), newest first."""
    return db.execute(
        select(Booking, Case)
        .join(Case, Case.id == Booking.case_id)
        .where(Booking.session_id == session_id)
        .order_by(Booking.booked_at.desc())
    ).all()


def room_clash(
    db: Session,
    room_id: uuid.UUID,
    starts_at: datetime,
    duration_minutes: int,
    except_id: uuid.UUID | None = None,
) -> HearingSession | None:
    """A session (not cancelled, not ``except_id``) using the room at some moment of the
    time asked for."""
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    # Sessions last at most 8 hours: only those starting within a day can overlap.
    nearby = db.scalars(
        select(HearingSession)
        .where(
            HearingSession.room_id == room_id,
            HearingSession.cancelled_at.is_(None),
            HearingSession.starts_at > starts_at - timedelta(days=1),
            HearingSession.starts_at < ends_at,
        )
        .order_by(HearingSession.starts_at)
    )
    for other in nearby:
        other_ends = other.starts_at + timedelta(minutes=other.duration_minutes)
        if other.id != except_id and starts_at < other_ends:
            return other
    return None


def rooms_at(db: Session, location_id: uuid.UUID | None) -> Sequence[Row[Room, Location]]:
    query = select(Room, Location).join(Location, Location.id == Room.location_id)
    if location_id is not None:
        query = query.where(Room.location_id == location_id)
    return db.execute(query.order_by(Location.name, Room.name)).all()


def seats_of(db: Session, room_id: uuid.UUID) -> Sequence[Seat]:
    return db.scalars(select(Seat).where(Seat.room_id == room_id).order_by(Seat.number)).all()


def place_of(db: Session, session: HearingSession) -> tuple[Location, Room | None]:
    """Where a session is held: its location and (when planned in one) its room."""
    room = db.get(Room, session.room_id) if session.room_id else None
    return db.get_one(Location, session.location_id), room


def room_names(db: Session, room_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not room_ids:
        return {}
    rows = db.execute(select(Room.id, Room.name).where(Room.id.in_(set(room_ids))))
    return {room_id: name for room_id, name in rows}
