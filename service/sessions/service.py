"""Locations, rooms and seats, group sessions with their interpreters, bookings (with
their history), check-in and kiosk codes. The database forbids double booking."""

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import procedure
from service.auth.service import new_kiosk_code, register_kiosk_device
from service.cases.access import readable_case, visible_cases
from service.cases.schemas import normalise_v_number
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.formatting import in_english
from service.core.i18n import N_
from service.core.settings import get_settings
from service.eligibility.policy import load_policy
from service.eligibility.service import active_policy
from service.models.cases import Case
from service.models.sessions import (
    Booking,
    HearingSession,
    Helper,
    Interpreter,
    Location,
    PlanningPreference,
    Room,
    Seat,
)
from service.sessions import queries
from service.sessions.access import readable_session
from service.sessions.exceptions import (
    AssistConsentMissing,
    AssistedFillingNotAllowed,
    BookingCheckedIn,
    BookingClosed,
    CaseAlreadyBooked,
    DuplicateLocation,
    DuplicateRoom,
    FewerSeatsThanBooked,
    IdentityMismatch,
    LanguageFixed,
    LocationNotFound,
    NoInterpreterToAssist,
    NotAtTheKiosk,
    NotCheckedIn,
    OutsideCheckInWindow,
    RoomNotFound,
    RoomTaken,
    RoomTooSmall,
    SeatNotFound,
    SeatOutOfRange,
    SeatTaken,
    SessionCancelled,
    SessionChanged,
    SessionFull,
    SessionInPast,
    TooEarlyForNoShow,
    UnknownVNumber,
    WrongGroup,
)
from service.sessions.grouping import Candidate, Slot, language_for
from service.sessions.schemas import (
    AssistIn,
    BookingIn,
    Identity,
    InterpreterIn,
    LocationIn,
    MoveIn,
    PreferenceIn,
    RoomIn,
    SessionEdit,
    SessionIn,
)
from service.workflow import (
    AT_THE_KIOSK,
    HOLDING_STATES,
    LEFT_TRACK,
    CaseEvent,
    CaseState,
    Reason,
)

# --- locations, rooms, seats ----------------------------------------------------------------


def create_location(db: Session, data: LocationIn) -> Location:
    if db.scalar(select(Location.id).where(Location.name == data.name)):
        raise DuplicateLocation(
            in_english(N_("A location named '%(name)s' exists already."), name=data.name)
        )
    location = Location(**data.model_dump())
    db.add(location)
    db.flush()
    return location


def create_room(db: Session, location: Location, data: RoomIn) -> Room:
    """A room with its seats numbered 1..n; the location counts their kiosks."""
    if db.scalar(select(Room.id).where(Room.location_id == location.id, Room.name == data.name)):
        why = N_("%(location)s has a room named '%(name)s' already.")
        raise DuplicateRoom(in_english(why, location=location.name, name=data.name))
    room = Room(location_id=location.id, name=data.name)
    db.add(room)
    db.flush()
    db.add_all(Seat(room_id=room.id, number=n) for n in range(1, data.seats + 1))
    location.kiosks += data.seats
    db.flush()
    return room


def seats_in(db: Session, room_id: uuid.UUID) -> int:
    return db.scalar(select(func.count()).where(Seat.room_id == room_id)) or 0


def seat_at(db: Session, room_id: uuid.UUID, number: int) -> Seat:
    seat = db.scalar(select(Seat).where(Seat.room_id == room_id, Seat.number == number))
    if seat is None:
        raise SeatNotFound(in_english(N_("The room has no seat %(seat)s."), seat=number))
    return seat


def register_device(db: Session, seat: Seat, actor: Actor) -> str:
    """The host makes this browser the kiosk of the seat (returns its cookie secret)."""
    return register_kiosk_device(db, seat, actor.user_id)


# --- sessions and interpreters ----------------------------------------------------------------


def _check_room(
    db: Session,
    location_id: uuid.UUID,
    room_id: uuid.UUID | None,
    starts_at: datetime,
    duration_minutes: int,
    seats: int,
    session_id: uuid.UUID | None = None,
) -> None:
    """The room is at the location, holds the seats and is free at that time."""
    if room_id is None:
        return
    room = db.get(Room, room_id)
    if room is None or room.location_id != location_id:
        raise RoomNotFound(in_english(N_("No room %(room)s at this location."), room=room_id))
    available = seats_in(db, room.id)
    if seats > available:
        why = N_("%(room)s has %(available)s seats, not %(seats)s.")
        raise RoomTooSmall(
            in_english(why, room=room.name, available=available, seats=seats), available
        )
    clash = queries.room_clash(db, room.id, starts_at, duration_minutes, session_id)
    if clash is not None:
        other_ends = clash.starts_at + timedelta(minutes=clash.duration_minutes)
        raise RoomTaken(
            in_english(
                N_("%(room)s is taken by the session of %(starts_at)s until %(ends_at)s."),
                room=room.name,
                starts_at=clash.starts_at,
                ends_at=other_ends,
            ),
            clash.starts_at,
            other_ends,
        )


def create_session(db: Session, data: SessionIn) -> HearingSession:
    if db.get(Location, data.location_id) is None:
        raise LocationNotFound(
            in_english(N_("No location %(location)s."), location=data.location_id)
        )
    if data.starts_at <= utcnow():
        raise SessionInPast("A session must start in the future.")
    _check_room(
        db, data.location_id, data.room_id, data.starts_at, data.duration_minutes, data.seats
    )
    session = HearingSession(**data.model_dump(exclude={"interpreters"}))
    db.add(session)
    db.flush()
    for interpreter in data.interpreters:
        add_interpreter(db, session, interpreter)
    return session


def update_session(db: Session, session: HearingSession, data: SessionEdit) -> HearingSession:
    """Change a coming session's time, room, language or seats. Refused when someone
    saved it since ``data.version`` was read, when fewer seats than are booked would
    remain, or when booked applicants would lose their group's language."""
    if data.version != session.version:
        raise SessionChanged(
            "Someone else changed this session since you opened it. Reload it and "
            "make your change again."
        )
    if session.cancelled_at is not None:
        raise SessionCancelled("This session was cancelled.")
    if session.starts_at <= utcnow():
        raise SessionInPast("This session has already started; it can no longer change.")
    if data.starts_at <= utcnow():
        raise SessionInPast("A session must start in the future.")
    booked = (
        db.scalar(
            select(func.count()).where(
                Booking.session_id == session.id, Booking.cancelled_at.is_(None)
            )
        )
        or 0
    )
    if data.seats < booked:
        why = N_("%(booked)s seats are booked; keep at least %(least)s.")
        raise FewerSeatsThanBooked(in_english(why, booked=booked, least=booked))
    if booked and data.language != session.language:
        raise LanguageFixed(
            "Applicants are booked in this session's language; move them before changing it."
        )
    _check_room(
        db,
        session.location_id,
        data.room_id,
        data.starts_at,
        data.duration_minutes,
        data.seats,
        session.id,
    )
    for name, value in data.model_dump(exclude={"version"}).items():
        setattr(session, name, value)
    db.flush()  # the version column: a concurrent save is refused here (StaleDataError)
    return session


def cancel_session(db: Session, session: HearingSession, actor: Actor, reason: str) -> int:
    """Call a session off (no interpreter, the room unavailable): every booking in it is
    cancelled with the reason, kept as history, and its case is planned again. Refused
    once someone has checked in. Returns how many bookings were cancelled."""
    if session.cancelled_at is not None:
        return 0
    bookings = db.scalars(
        select(Booking).where(Booking.session_id == session.id, Booking.cancelled_at.is_(None))
    ).all()
    if any(b.checked_in_at is not None for b in bookings):
        raise BookingCheckedIn(
            "Applicants have checked in for this session; it cannot be called off."
        )
    for booking in bookings:
        cancel_booking(db, booking, actor, f"session cancelled: {reason}".strip())
    session.cancelled_at = utcnow()
    db.flush()
    return len(bookings)


def add_interpreter(db: Session, session: HearingSession, data: InterpreterIn) -> Interpreter:
    interpreter = Interpreter(session_id=session.id, **data.model_dump())
    db.add(interpreter)
    db.flush()
    return interpreter


def interpreters_of(db: Session, session_id: uuid.UUID) -> frozenset[tuple[str, str]]:
    """(language, gender) of every interpreter present."""
    rows = db.execute(
        select(Interpreter.language, Interpreter.gender).where(Interpreter.session_id == session_id)
    )
    return frozenset((language, gender) for language, gender in rows)


def set_preference(db: Session, case: Case, data: PreferenceIn) -> PlanningPreference:
    if data.location_id is not None and db.get(Location, data.location_id) is None:
        raise LocationNotFound(
            in_english(N_("No location %(location)s."), location=data.location_id)
        )
    preference = db.get(PlanningPreference, case.id) or PlanningPreference(case_id=case.id)
    preference.location_id = data.location_id
    preference.interpreter_gender = data.interpreter_gender
    db.add(preference)
    db.flush()
    return preference


def candidate_for(db: Session, case: Case) -> Candidate:
    return queries.candidate(case, db.get(PlanningPreference, case.id))


# --- booking ---------------------------------------------------------------------------------


def _bookable(
    db: Session, session: HearingSession, case: Case, seat: int | None
) -> tuple[int, str]:
    """The seat and language the case gets in the session, or the reason it cannot."""
    if session.cancelled_at is not None:
        raise SessionCancelled("This session was cancelled.")
    slots = queries.open_slots(db, session.id)  # only sessions yet to start
    if not slots:
        raise SessionInPast("This session has already started.")
    slot = slots[0]
    language = language_for(candidate_for(db, case), slot)
    if language is None:
        raise WrongGroup(_why_not(db, session, slot, case))
    if seat is None:
        if not slot.free_seats:
            raise SessionFull("Every seat in this session is booked.")
        seat = slot.free_seats[0]
    if seat > session.seats:
        why = N_("Seat %(seat)s does not exist; the session has %(seats)s.")
        raise SeatOutOfRange(in_english(why, seat=seat, seats=session.seats))
    return seat, language


def _why_not(db: Session, session: HearingSession, slot: Slot, case: Case) -> str:
    candidate = candidate_for(db, case)
    if candidate.location_id not in (None, session.location_id):
        return "The applicant cannot be brought to this session's location."
    present = [f"'{x}'" for x in sorted({language for language, _ in slot.interpreters})]
    asked = (
        f" ({candidate.interpreter_gender} interpreter asked for)"
        if candidate.interpreter_gender
        else ""
    )
    return (
        f"No interpreter at this session for the applicant's languages "
        f"{', '.join(case.languages)}{asked}; interpreters present: "
        f"{', '.join(present) or 'none'}."
    )


def _insert(db: Session, booking: Booking, case: Case) -> Booking:
    try:
        with db.begin_nested():
            db.add(booking)
            db.flush()
    except IntegrityError:
        raise _booking_conflict(db, case, booking.seat) from None
    return booking


def book(
    db: Session, session: HearingSession, case: Case, actor: Actor, seat: int | None = None
) -> Booking:
    """Put a consented case on a seat of a session with an interpreter for it."""
    seat, language = _bookable(db, session, case, seat)
    procedure.check(db, case, CaseEvent.SCHEDULE)
    booking = Booking(
        session_id=session.id,
        case_id=case.id,
        seat=seat,
        language=language,
        booked_by_id=actor.user_id,
    )
    _insert(db, booking, case)
    # After the seat is taken, so that subscribers (the lawyer's message) see the booking.
    procedure.advance(
        db,
        case,
        CaseEvent.SCHEDULE,
        actor,
        Reason.step(
            N_("seat %(seat)s at session %(starts_at)s"), seat=seat, starts_at=session.starts_at
        ),
    )
    return booking


def case_to_book(db: Session, actor: Actor, v_number: str) -> Case:
    """The case a planner books by the V-number on the file; refused beside the field
    when there is no such case that they may see."""
    try:
        number = normalise_v_number(v_number)
    except ValueError:
        number = ""
    case_id = db.scalar(select(Case.id).where(Case.v_number == number)) if number else None
    if case_id is None:
        why = in_english(N_("No case with V-number '%(v_number)s'."), v_number=v_number)
        raise UnknownVNumber(why, field="v_number")
    return readable_case(db, case_id, actor)


def book_case(db: Session, actor: Actor, session: HearingSession, data: BookingIn) -> Booking:
    """Plan a seat: the case of ``data`` on the seat asked for (or the first free one)."""
    return book(db, session, readable_case(db, data.case_id, actor), actor, data.seat)


def book_proposal(
    db: Session, actor: Actor, session: HearingSession, case_ids: list[uuid.UUID]
) -> list[Booking]:
    """Book the proposed cases the planner kept, longest waiting first, each on the first
    free seat. All or nothing: one refused (booked elsewhere meanwhile) refuses all."""
    cases = db.scalars(
        visible_cases(actor).where(Case.id.in_(case_ids)).order_by(Case.consented_at)
    )
    return [book(db, session, case, actor) for case in cases]


def move(db: Session, actor: Actor, booking: Booking, data: MoveIn) -> Booking:
    """Move a booking to the session (and seat) of ``data``, one the planner may see."""
    target = readable_session(db, data.session_id, actor)
    return move_booking(db, booking, target, actor, data.seat, data.reason)


def _booking_conflict(db: Session, case: Case, seat: int) -> Exception:
    if db.scalar(
        select(Booking.id).where(Booking.case_id == case.id, Booking.cancelled_at.is_(None))
    ):
        return CaseAlreadyBooked(f"Case {case.v_number} already has a seat.")
    return SeatTaken(f"Seat {seat} was just taken; choose another seat.")


def _close(booking: Booking, actor: Actor | None, reason: str) -> None:
    if booking.cancelled_at is not None:
        raise BookingClosed("This booking was already cancelled or moved.")
    if booking.checked_in_at is not None:
        raise BookingCheckedIn(
            "The applicant has checked in; withdraw the case instead of changing the seat."
        )
    booking.cancelled_at = utcnow()
    booking.cancelled_by_id = actor.user_id if actor else None
    booking.cancel_reason = reason


def move_booking(
    db: Session,
    booking: Booking,
    target: HearingSession,
    actor: Actor,
    seat: int | None = None,
    reason: str = "",
) -> Booking:
    """Move the case to another session (or seat): the old row is closed with the
    reason, a new row points back at it. The case stays scheduled."""
    case = db.get_one(Case, booking.case_id)
    new_seat, language = _bookable(db, target, case, seat)
    _close(booking, actor, f"moved: {reason}".strip().removesuffix(":"))
    db.flush()
    moved = Booking(
        session_id=target.id,
        case_id=case.id,
        seat=new_seat,
        language=language,
        booked_by_id=actor.user_id,
        moved_from_id=booking.id,
    )
    _insert(db, moved, case)
    # After the new seat is taken: the lawyer's agenda entry moves with it (same UID).
    procedure.advance(
        db,
        case,
        CaseEvent.RESCHEDULE,
        actor,
        Reason.step(
            N_("moved to seat %(seat)s at session %(starts_at)s: %(reason)s"),
            seat=new_seat,
            starts_at=target.starts_at,
            reason=reason,
        ),
    )
    return moved


def cancel_booking(db: Session, booking: Booking, actor: Actor, reason: str) -> None:
    """Free the seat; the case goes back to `consented` to be planned again.
    Cancelling a cancelled booking changes nothing."""
    if booking.cancelled_at is not None:
        return
    _close(booking, actor, reason or "booking cancelled")
    case = db.get_one(Case, booking.case_id)
    if case.state is CaseState.SCHEDULED:
        why = Reason.step(reason or N_("booking cancelled"))
        procedure.advance(db, case, CaseEvent.UNSCHEDULE, actor, why)
    db.flush()


# --- check-in --------------------------------------------------------------------------------


def check_in_window(session: HearingSession) -> tuple[datetime, datetime]:
    """Check-in opens a while before the session starts and closes when its window ends."""
    opens = session.starts_at - timedelta(minutes=get_settings().check_in_opens_minutes)
    return opens, session.starts_at + timedelta(minutes=session.duration_minutes)


def _open_for_check_in(db: Session, booking: Booking) -> HearingSession:
    if booking.cancelled_at is not None:
        raise BookingClosed("This booking was cancelled, moved or noted as a no-show.")
    session = db.get_one(HearingSession, booking.session_id)
    opens, closes = check_in_window(session)
    if not opens <= utcnow() < closes:
        raise OutsideCheckInWindow(
            in_english(
                N_("Check-in for this session is open from %(opens)s to %(closes)s."),
                opens=opens,
                closes=closes,
            )
        )
    return session


def same_name(typed: str, recorded: str) -> bool:
    """Names compare without case, accents or extra spaces ("Ḥaddad" is "haddad"),
    because document and file may differ only in such marks."""

    def plain(name: str) -> str:
        letters = unicodedata.normalize("NFKD", name)
        bare = "".join(c for c in letters if not unicodedata.combining(c))
        return " ".join(bare.casefold().split())

    return plain(typed) == plain(recorded)


IDENTITY_LABELS = {
    "applicant_name": "name",
    "date_of_birth": "date of birth",
    "v_number": "V-number",
}


def mismatches(case: Case, identity: Identity) -> list[str]:
    """Which of what the host typed from the document differ from the case file."""
    wrong = []
    if not same_name(identity.applicant_name, case.applicant_name):
        wrong.append("applicant_name")
    if identity.date_of_birth != case.date_of_birth:
        wrong.append("date_of_birth")
    if identity.v_number != case.v_number.removeprefix("V"):
        wrong.append("v_number")
    return wrong


def verify_identity(case: Case, identity: Identity) -> None:
    """The host typed what the applicant's document says; all three must match."""
    wrong = mismatches(case, identity)
    if wrong:
        labels = " and ".join(IDENTITY_LABELS[field] for field in wrong)
        verb = "do" if len(wrong) > 1 else "does"
        raise IdentityMismatch(
            f"The {labels} {verb} not match this booking. Check the document and the seat "
            "list; do not check this person in on this seat.",
            wrong,
        )


def check_in(
    db: Session,
    booking: Booking,
    actor: Actor,
    identity: Identity,
    consent_confirmed: bool,
    low_literacy: bool = False,
    assisted: AssistIn | None = None,
) -> str:
    """The host checks the applicant's identity and checks them in; returns a one-time
    kiosk code for their seat. ``assisted``: assisted filling, switched on with it."""
    _open_for_check_in(db, booking)
    case = db.get_one(Case, booking.case_id)
    verify_identity(case, identity)
    # Refused before anything changes.
    helper = None if assisted is None else _helper(db, booking, case, actor, assisted)
    # Recorded first: the engine's check-in rule reads the confirmation from the booking.
    booking.applicant_consent_confirmed = consent_confirmed
    booking.low_literacy = low_literacy
    db.flush()
    why = (
        N_(
            "applicant checked in, identity checked, own consent confirmed; "
            "low-literacy mode (questions read aloud, spoken answers)"
        )
        if low_literacy
        else N_("applicant checked in, identity checked, own consent confirmed")
    )
    procedure.advance(db, case, CaseEvent.CHECK_IN, actor, Reason.step(why))
    booking.checked_in_at = utcnow()
    booking.checked_in_by_id = actor.user_id
    if helper is not None:
        _record_assist(db, booking, case, actor, helper)
    return new_kiosk_code(db, booking, actor.user_id)


ASSISTED_EVENT = "assisted_filling"
HELPER_NAMES = {
    Helper.HOST: N_("the host"),
    Helper.INTERPRETER: N_("the interpreter"),
}


# The timeline's reason: the consent, and who may type (a role, never a name).
ASSISTED_REASONS = {
    Helper.HOST: N_("assisted filling by the host, with the applicant's consent"),
    Helper.INTERPRETER: N_("assisted filling by the interpreter, with the applicant's consent"),
}


@dataclass(frozen=True)
class _Helper:
    role: Helper
    user_id: uuid.UUID | None = None
    interpreter_id: uuid.UUID | None = None


def _helper(db: Session, booking: Booking, case: Case, actor: Actor, body: AssistIn) -> _Helper:
    """Who may type for the applicant, once the rules allow it: the case's eligibility
    policy (the version that screened it), the applicant's consent, and for the
    interpreter one present at the session for the applicant's language."""
    policy = load_policy(case.policy_version) if case.policy_version else active_policy()
    if not policy.assisted_filling:
        why = N_("The eligibility policy %(version)s does not allow assisted filling.")
        raise AssistedFillingNotAllowed(in_english(why, version=policy.version))
    if not body.applicant_consent:
        raise AssistConsentMissing(
            "Ask the applicant first: assisted filling needs their consent on record."
        )
    if body.helper is Helper.HOST:
        return _Helper(Helper.HOST, user_id=actor.user_id)
    session = db.get_one(HearingSession, booking.session_id)
    interpreter = db.scalar(
        select(Interpreter.id)
        .where(
            Interpreter.session_id == session.id,
            Interpreter.language == (booking.language or session.language),
        )
        .limit(1)
    )
    if interpreter is None:
        raise NoInterpreterToAssist("This session has no interpreter for the applicant's language.")
    return _Helper(Helper.INTERPRETER, interpreter_id=interpreter)


def _record_assist(
    db: Session, booking: Booking, case: Case, actor: Actor, helper: _Helper
) -> None:
    """The helper on the booking, the consent with who recorded it and when, and an
    event in the case's timeline."""
    booking.assisted_by = helper.role
    booking.assisted_by_user_id = helper.user_id
    booking.assisted_by_interpreter_id = helper.interpreter_id
    booking.assist_consent_at = utcnow()
    booking.assist_consent_by_id = actor.user_id
    procedure.record(db, case, ASSISTED_EVENT, actor, Reason.step(ASSISTED_REASONS[helper.role]))


def assist(db: Session, booking: Booking, actor: Actor, body: AssistIn) -> Booking:
    """Assisted filling for an applicant already checked in (they found at the kiosk that
    they need help): the same rules as at check-in, while the form is at the kiosk."""
    _open_for_check_in(db, booking)
    if booking.checked_in_at is None:
        raise NotCheckedIn("Check the applicant in first.")
    case = db.get_one(Case, booking.case_id)
    if case.state not in AT_THE_KIOSK:
        raise NotAtTheKiosk("The form has left the kiosk (handed in, withdrawn or excluded).")
    _record_assist(db, booking, case, actor, _helper(db, booking, case, actor, body))
    db.flush()
    return booking


def reissue_code(db: Session, booking: Booking, actor: Actor) -> str:
    """A new code for a checked-in applicant (a crashed or swapped kiosk); the
    previous code stops working. Their answers are kept on the server."""
    _open_for_check_in(db, booking)
    if booking.checked_in_at is None:
        raise NotCheckedIn("Check the applicant in first; the code comes with check-in.")
    if db.get_one(Case, booking.case_id).state not in AT_THE_KIOSK:
        raise NotAtTheKiosk(
            "The form has left the kiosk (handed in, withdrawn or excluded): no new code."
        )
    return new_kiosk_code(db, booking, actor.user_id)


def note_no_show(db: Session, booking: Booking, actor: Actor) -> None:
    """The applicant did not come: the seat is closed as a no-show and the case goes
    back to be planned again."""
    session = _open_for_check_in(db, booking)
    if utcnow() < session.starts_at:
        raise TooEarlyForNoShow("A no-show can be noted once the session has started.")
    _close(booking, actor, "no-show")
    booking.no_show_at = booking.cancelled_at
    case = db.get_one(Case, booking.case_id)
    if case.state is CaseState.SCHEDULED:
        why = Reason.step(N_("no-show at the session"))
        procedure.advance(db, case, CaseEvent.UNSCHEDULE, actor, why)
    db.flush()


def active_booking_for(db: Session, case_id: uuid.UUID) -> Booking | None:
    return db.scalar(
        select(Booking).where(Booking.case_id == case_id, Booking.cancelled_at.is_(None))
    )


@procedure.on_enter(*LEFT_TRACK, after=HOLDING_STATES)
def _give_seat_back(db: Session, moves: Sequence[procedure.Move]) -> None:
    """A case that leaves the written track gives its seat back."""
    db.execute(
        update(Booking)
        .where(Booking.case_id.in_(procedure.case_ids(moves)), Booking.cancelled_at.is_(None))
        .values(cancelled_at=utcnow(), cancel_reason=f"case {moves[0].target}")
    )
