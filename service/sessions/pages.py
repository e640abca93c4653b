"""The planner's session pages (proposal, confirm, move, cancel), the roster (page,
CSV, PDF) for planners and the location's hosts, and the host's check-in pages.

Each form parses into the API's own input model and runs the same service function
as its JSON route (``core.actions``); a refusal shows the form again with the message
beside the field and everything typed kept."""

import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.service import KIOSK_DEVICE_COOKIE, KIOSK_DEVICE_DAYS
from service.cases.pages import render_case
from service.core.actions import Refusal, attempt, parse_form
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.formatting import LOCAL_TIME, language_in, local_date, local_moment
from service.core.i18n import N_, gettext_for, language_of
from service.core.web import cookie_name, page_router, render, see_other, set_cookie
from service.models.cases import Case
from service.models.sessions import Booking, HearingSession, Interpreter, Location, Room
from service.sessions import access, queries, roster, service
from service.sessions.access import (
    BookingAtDeskPage,
    CheckerInPage,
    OnSitePage,
    PlannedBookingPage,
    PlannedCasePage,
    PlannedLocationPage,
    PlannedSessionPage,
    PlannerPage,
    SeatAtDeskPage,
    SessionOnSitePage,
)
from service.sessions.grouping import by_language, propose
from service.sessions.schemas import (
    AssistIn,
    BookingCancelIn,
    BookingIn,
    BookingOut,
    CheckInIn,
    InterpreterIn,
    LocationIn,
    MoveIn,
    PreferenceIn,
    RoomIn,
    SessionCancelIn,
    SessionEdit,
    SessionIn,
)

router = page_router()

# --- what a refusal says on these pages ---------------------------------------------------------

GENDERS = {"female": N_("female"), "male": N_("male")}
NO_INTERPRETER = {
    "": N_(
        "No interpreter at this session for the applicant's languages (%(languages)s). "
        "Add one, or choose another session."
    ),
    "female": N_(
        "No female interpreter at this session for the applicant's languages "
        "(%(languages)s), who asked for one. Add one, or choose another session."
    ),
    "male": N_(
        "No male interpreter at this session for the applicant's languages "
        "(%(languages)s), who asked for one. Add one, or choose another session."
    ),
}

# Group languages offered in the forms (ISO 639); the sessions' own languages are added.
GROUP_LANGUAGES = ("ar", "fa", "prs", "ps", "ti", "so", "ku", "tr", "ru", "uk", "fr", "en")

# A refusal of the service, by its code: the field it belongs beside (None: the form's
# main field) and what it means.
REFUSALS: dict[str, tuple[str | None, str]] = {
    "duplicate_location": ("name", N_("A location with this name exists already.")),
    "duplicate_room": ("name", N_("This location has a room with this name already.")),
    "location_not_found": ("location_id", N_("Choose a location.")),
    "room_not_found": ("room_id", N_("Choose a room at the session's location.")),
    "session_in_past": (None, N_("Choose a date and time in the future.")),
    "session_cancelled": (None, N_("This session was cancelled; it can no longer change.")),
    "fewer_seats_than_booked": (
        "seats",
        N_("More seats are booked than this; move or cancel bookings first."),
    ),
    "language_fixed": (
        "language",
        N_("Applicants are booked in this language; move them before changing it."),
    ),
    "concurrent_change": (
        "date",
        N_(
            "Someone else changed this session since you opened it. The form now holds "
            "their version number; check your changes and save again."
        ),
    ),
    "unknown_v_number": ("v_number", N_("No case with this V-number.")),
    "session_full": (None, N_("Every seat in this session is booked.")),
    "case_already_booked": (None, N_("This case has a seat already.")),
    "seat_taken": (None, N_("The seat was just taken. Try again: the next free seat.")),
    "illegal_transition": (
        None,
        N_("This case cannot be booked now: the lawyer has not consented (yet)."),
    ),
    "booking_checked_in": (
        None,
        N_("Applicants have checked in for this session; it cannot be called off."),
    ),
    "booking_closed": (None, N_("This booking was already cancelled or moved.")),
    "rule_violated": (
        "consent",
        N_(
            "Confirm that the applicant takes part of their own free will, or do not check them in."
        ),
    ),
    "assisted_filling_not_allowed": (
        "assisted",
        N_("The case's eligibility policy does not allow assisted filling."),
    ),
    "assist_consent_missing": (
        "assist_consent",
        N_("Ask the applicant first: assisted filling needs their consent on record."),
    ),
    "no_interpreter_to_assist": (
        "assisted",
        N_("This session has no interpreter for the applicant's language."),
    ),
}
REFUSALS["stale_version"] = REFUSALS["concurrent_change"]

# What to do about a field that did not parse (``say`` of ``parse_form``), by the input
# model's field, and the form's own names for some of them.
SESSION_SAY = {
    "starts_at": N_("Enter the date as YYYY-MM-DD and the time as HH:MM."),
    "duration_minutes": N_("Enter the duration in minutes: 30 to 480."),
    "seats": N_("Enter the seats: a whole number from 1 to 200."),
    "location_id": N_("Choose a location."),
    "room_id": N_("Choose a room at the session's location."),
    "language": N_("Choose the group's language."),
    # The interpreter of the form planning a session.
    "gender": N_("Choose the interpreter's gender."),
    "name": N_("Enter the name in plain text."),
}
SESSION_NAMES = {"starts_at": "date", "gender": "interpreter_gender", "name": "interpreter_name"}
INTERPRETER_SAY = {
    "language": N_("Choose the interpreter's language."),
    "gender": N_("Choose the interpreter's gender."),
    "name": N_("Enter the name in plain text."),
}
INTERPRETER_NAMES = {
    "language": "interpreter_language",
    "gender": "interpreter_gender",
    "name": "interpreter_name",
}
LOCATION_SAY = {
    "name": N_("Enter the location's name: at least 2 characters."),
    "address": N_("Enter the address in plain text, at most 300 characters."),
}
ROOM_SAY = {
    "name": N_("Enter the room's name."),
    "seats": N_("Enter the seats (kiosks): a whole number from 1 to 200."),
}
CHECK_IN_SAY = {
    "applicant_name": N_("Enter the name as on the document."),
    "date_of_birth": N_("Enter the date of birth as YYYY-MM-DD."),
    "v_number": N_("Enter the V-number: 10 digits."),
}
PREFERENCE_SAY = {
    "location_id": N_("Choose a location."),
    "interpreter_gender": N_("Choose the interpreter's gender."),
}
# Beside the field that does not match the booking (the others matched).
MISMATCH = {
    "applicant_name": N_("The name does not match this booking. Check the document."),
    "date_of_birth": N_("The date of birth does not match this booking. Check the document."),
    "v_number": N_("The V-number does not match this booking. Check the document."),
}
ASSIST_SAY = {"helper": N_("Choose who types the answers for the applicant.")}
ASSIST_NAMES = {"helper": "assisted"}
CANCEL_SAY = {"reason": N_("Say why the booking is cancelled.")}


def _errors(request: Request, refusal: Refusal, default: str) -> dict[str, str]:
    """The refusal's messages in the reader's language, keyed by the form's fields; a
    service refusal known here by its code sits beside the field it concerns."""
    gettext = gettext_for(language_of(request))
    if refusal.code in REFUSALS:
        field, message = REFUSALS[refusal.code]
        return {field or default: gettext(message)}
    return refusal.errors(language_of(request), default)


def _room_errors(
    request: Request,
    db: Session,
    refusal: Refusal,
    data: SessionIn | SessionEdit,
    own: uuid.UUID | None,
) -> dict[str, str] | None:
    """A taken or too small room, said with the other session's times or the room's seats."""
    language = language_of(request)
    gettext = gettext_for(language)
    if refusal.code == "room_too_small" and data.room_id:
        message = gettext("The room has %(seats)s seats; lower the seats or choose a bigger room.")
        return {"seats": message % {"seats": service.seats_in(db, data.room_id)}}
    clash = None
    if refusal.code == "room_taken" and data.room_id:
        clash = queries.room_clash(db, data.room_id, data.starts_at, data.duration_minutes, own)
    if clash is None:
        return None
    message = gettext("The room is taken at this time, by the session from %(start)s to %(end)s.")
    ends = clash.starts_at + timedelta(minutes=clash.duration_minutes)
    times = {"start": local_moment(clash.starts_at, language), "end": local_moment(ends, language)}
    return {"room_id": message % times}


# --- the host's start page and seat list -------------------------------------------------------


@router.get("/host", response_class=HTMLResponse)
def host_start(request: Request, db: Session, actor: OnSitePage) -> HTMLResponse:
    """Today's and coming sessions (a host: at their own location)."""
    sessions = queries.coming_sessions(db, actor)
    rooms = queries.room_names(db, [s.room_id for s, _, _ in sessions if s.room_id])
    context = {"sessions": sessions, "rooms": rooms}
    return render(request, "host/start.html", context, actor=actor)


@router.get("/host/sessions/{session_id}", response_class=HTMLResponse)
def seat_list(
    session: SessionOnSitePage, request: Request, db: Session, actor: OnSitePage
) -> HTMLResponse:
    """Who sits where: the host checks each applicant in, notes no-shows, hands out codes.
    The list names seats, not people: the name, date of birth and V-number are what the
    host checks against the document, so the page does not show them beforehand."""
    opens, closes = service.check_in_window(session)
    context = {
        "session": session,
        "place": queries.place_of(db, session),
        "seats": [b for b, _ in queries.seat_list(db, session.id)],
        "opens": opens,
        "closes": closes,
        # A no-show can be noted once the session has started.
        "started": session.starts_at <= utcnow(),
        "interpreters": queries.interpreters_by_session(db, [session.id])[session.id],
    }
    return render(request, "host/seats.html", context, actor=actor)


# --- check-in ----------------------------------------------------------------------------------


def _check_in_form(
    request: Request,
    db: Session,
    actor: Actor,
    booking: Booking,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    session = db.get_one(HearingSession, booking.session_id)
    context = {
        "booking": booking,
        "session": session,
        "place": queries.place_of(db, session),
        "errors": errors or {},
        "typed": typed or {},
    }
    return render(request, "host/check_in.html", context, actor=actor, status_code=status_code)


@router.get("/host/bookings/{booking_id}/check-in", response_class=HTMLResponse)
def check_in_form(
    booking: BookingAtDeskPage, request: Request, db: Session, actor: CheckerInPage
) -> HTMLResponse:
    """The host types in the name, date of birth and V-number from the document."""
    return _check_in_form(request, db, actor, booking)


@router.post("/host/bookings/{booking_id}/check-in", response_class=HTMLResponse)
def check_in(
    booking: BookingAtDeskPage,
    request: Request,
    db: Session,
    actor: CheckerInPage,
    applicant_name: Annotated[str, Form(max_length=200)] = "",
    date_of_birth: Annotated[str, Form(max_length=20)] = "",
    v_number: Annotated[str, Form(max_length=20)] = "",
    consent: Annotated[str, Form(max_length=10)] = "",
    low_literacy: Annotated[str, Form(max_length=10)] = "",
    assisted: Annotated[str, Form(max_length=20)] = "",
    assist_consent: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """The same service as ``POST /bookings/{id}/check-in``: identity checked and the
    applicant's own consent confirmed, the kiosk code; a refusal beside the field.
    ``assisted``: who types for the applicant (assisted filling), with their consent."""
    typed = {
        "applicant_name": applicant_name,
        "date_of_birth": date_of_birth,
        "v_number": v_number,
        "consent": consent,
        "low_literacy": low_literacy,
        "assisted": assisted,
        "assist_consent": assist_consent,
    }
    identity = {name: typed[name] for name in ("applicant_name", "date_of_birth", "v_number")}
    values = identity | {
        "applicant_consent_confirmed": consent == "yes",
        "low_literacy": low_literacy == "yes",
        "assisted_filling": _assist_values(assisted, assist_consent),
    }
    data = attempt(db, lambda: parse_form(CheckInIn, values, say=CHECK_IN_SAY))
    if isinstance(data, Refusal):
        errors = _errors(request, data, "applicant_name")
        return _check_in_form(request, db, actor, booking, errors, typed, data.status)
    code = attempt(
        db,
        lambda: service.check_in(
            db,
            booking,
            actor,
            data,
            data.applicant_consent_confirmed,
            data.low_literacy,
            data.assisted_filling,
        ),
    )
    if isinstance(code, Refusal):
        errors = _check_in_refused(request, db, booking, data, code)
        return _check_in_form(request, db, actor, booking, errors, typed, code.status)
    return _code_page(request, db, actor, booking, code)


def _assist_values(assisted: str, consent: str) -> dict[str, Any] | None:
    """The check-in form's assisted filling fields as the API's ``AssistIn`` (none chosen:
    no assisted filling)."""
    if not assisted:
        return None
    return {"helper": assisted, "applicant_consent": consent == "yes"}


def _assist_form(
    request: Request,
    db: Session,
    actor: Actor,
    booking: Booking,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "booking": booking,
        "session": db.get_one(HearingSession, booking.session_id),
        "errors": errors or {},
        "typed": typed or {},
        "HELPER_NAMES": service.HELPER_NAMES,
    }
    return render(request, "host/assist.html", context, actor=actor, status_code=status_code)


@router.get("/host/bookings/{booking_id}/assisted-filling", response_class=HTMLResponse)
def assist_form(
    booking: BookingAtDeskPage, request: Request, db: Session, actor: CheckerInPage
) -> HTMLResponse:
    """Assisted filling for an applicant already checked in: who types, their consent."""
    return _assist_form(request, db, actor, booking)


@router.post("/host/bookings/{booking_id}/assisted-filling", response_class=HTMLResponse)
def assist(
    booking: BookingAtDeskPage,
    request: Request,
    db: Session,
    actor: CheckerInPage,
    assisted: Annotated[str, Form(max_length=20)] = "",
    assist_consent: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The same service as ``POST /bookings/{id}/assisted-filling``; a refusal beside
    the field, then back to the seat list."""
    typed = {"assisted": assisted, "assist_consent": assist_consent}
    values = {"assisted": assisted, "applicant_consent": assist_consent == "yes"}

    def switch_on() -> Booking:
        data = parse_form(AssistIn, values, names=ASSIST_NAMES, say=ASSIST_SAY)
        return service.assist(db, booking, actor, data)

    done = attempt(db, switch_on)
    if isinstance(done, Refusal):
        errors = _errors(request, done, "assisted")
        return _assist_form(request, db, actor, booking, errors, typed, done.status)
    return see_other(f"/host/sessions/{booking.session_id}")


def _check_in_refused(
    request: Request, db: Session, booking: Booking, data: CheckInIn, refusal: Refusal
) -> dict[str, str]:
    """Which of the typed fields do not match the booking, or what else stands in the way."""
    if refusal.code != "identity_mismatch":
        return _errors(request, refusal, "applicant_name")
    gettext = gettext_for(language_of(request))
    wrong = service.mismatches(db.get_one(Case, booking.case_id), data)
    return {field: gettext(MISMATCH[field]) for field in wrong}


def _code_page(
    request: Request, db: Session, actor: Actor, booking: Booking, code: str
) -> HTMLResponse:
    case = db.get_one(Case, booking.case_id)
    context = {"booking": booking, "case": case, "code": code}
    return render(request, "host/kiosk_code.html", context, actor=actor)


@router.post("/host/bookings/{booking_id}/kiosk-code", response_class=HTMLResponse)
def new_kiosk_code(
    booking: BookingAtDeskPage, request: Request, db: Session, actor: CheckerInPage
) -> HTMLResponse:
    """A new code for a checked-in applicant; the previous one stops working."""
    return _code_page(request, db, actor, booking, service.reissue_code(db, booking, actor))


@router.post("/host/bookings/{booking_id}/no-show")
def no_show(booking: BookingAtDeskPage, db: Session, actor: CheckerInPage) -> Response:
    service.note_no_show(db, booking, actor)
    return see_other(f"/host/sessions/{booking.session_id}")


# --- kiosk devices ---------------------------------------------------------------------------


@router.get("/host/kiosks", response_class=HTMLResponse)
def kiosks(request: Request, db: Session, actor: CheckerInPage) -> HTMLResponse:
    """The rooms and seats at the host's location, to register this browser as a kiosk."""
    rooms = [
        (room, location, queries.seats_of(db, room.id))
        for room, location in queries.rooms_at(db, access.host_location(actor))
    ]
    return render(request, "host/kiosks.html", {"rooms": rooms}, actor=actor)


@router.post("/host/seats/{seat_id}/device", response_class=HTMLResponse)
def register_kiosk(
    seat: SeatAtDeskPage, request: Request, db: Session, actor: CheckerInPage
) -> HTMLResponse:
    """Make this browser the kiosk of the seat: a long-lived device cookie."""
    secret = service.register_device(db, seat, actor)
    context = {"seat": seat, "room": db.get_one(Room, seat.room_id)}
    response = render(request, "host/kiosk_registered.html", context, actor=actor)
    set_cookie(
        response,
        cookie_name(KIOSK_DEVICE_COOKIE),
        secret,
        max_age=KIOSK_DEVICE_DAYS * 24 * 3600,
    )
    return response


# --- the planner's sessions --------------------------------------------------------------------


@router.get("/planner/sessions", response_class=HTMLResponse)
def planner_sessions(request: Request, db: Session, actor: PlannerPage) -> HTMLResponse:
    """Coming sessions, and how many consented cases the proposal places in each."""
    sessions = queries.coming_sessions(db, actor)
    waiting = queries.candidates(db)
    placements = propose(queries.open_slots(db), waiting)
    placed = {p.case_id for p in placements}
    # Who no coming session fits, by language: where an interpreter or a session is missing.
    unplaced = Counter(c.languages[0] for c in waiting if c.case_id not in placed)
    context = {
        "sessions": sessions,
        "rooms": queries.room_names(db, [s.room_id for s, _, _ in sessions if s.room_id]),
        "proposed": Counter(p.session_id for p in placements),
        "unplaced": sorted(unplaced.items(), key=lambda item: (-item[1], item[0])),
        "interpreters": queries.interpreters_by_session(db, [s.id for s, _, _ in sessions]),
    }
    return render(request, "planner/sessions.html", context, actor=actor)


@router.get("/planner/sessions/new", response_class=HTMLResponse)
def new_session(request: Request, db: Session, actor: PlannerPage) -> HTMLResponse:
    form = {"time": "09:00", "duration_minutes": "240", "seats": "12", "language": "ar"}
    form["location_id"] = request.query_params.get("location_id", "")
    return _session_form_page(request, db, actor, form, {})


@router.get("/planner/sessions/{session_id}", response_class=HTMLResponse)
def planner_session(
    session: PlannedSessionPage, request: Request, db: Session, actor: PlannerPage
) -> HTMLResponse:
    """One session: the proposal to confirm, the bookings to move or cancel, the history."""
    return _planner_session_page(request, db, actor, session)


def _planner_session_page(
    request: Request,
    db: Session,
    actor: Actor,
    session: HearingSession,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 422,
) -> HTMLResponse:
    placements = queries.proposal(db, session.id)
    cases = {
        c.id: c
        for c in db.scalars(select(Case).where(Case.id.in_([p.case_id for p in placements])))
    }
    # Where a booking can move to: each option names its time, place, room, language and
    # free seats, so sessions at the same time in different rooms read differently.
    others = [
        row
        for row in queries.coming_sessions(db, actor)
        if row[0].id != session.id and row[0].cancelled_at is None
    ]
    language = language_of(request)
    context = {
        "session": session,
        "location": db.get_one(Location, session.location_id),
        "room": db.get(Room, session.room_id) if session.room_id else None,
        "interpreters": queries.interpreters_by_session(db, [session.id])[session.id],
        "proposal": by_language(placements),
        "cases": cases,
        "seats": [BookingOut.present(b, c) for b, c in queries.seat_list(db, session.id)],
        "history": [
            BookingOut.present(b, c)
            for b, c in queries.booking_history(db, session.id)
            if b.cancelled_at is not None
        ],
        "others": others,
        "rooms": queries.room_names(db, [s.room_id for s, _, _ in others if s.room_id]),
        "language_options": _language_options(db, request),
        "gender_options": [(g, gettext_for(language)(label)) for g, label in GENDERS.items()],
        "form": form or {"interpreter_language": session.language},
        "errors": errors or {},
        "saved": request.query_params.get("saved") == "true",
        "open": session.cancelled_at is None and session.starts_at > utcnow(),
    }
    status = status_code if errors else 200
    return render(request, "planner/session.html", context, actor=actor, status_code=status)


@router.post("/planner/sessions/{session_id}/confirm")
def confirm_proposal(
    session: PlannedSessionPage,
    db: Session,
    actor: PlannerPage,
    case_id: Annotated[list[uuid.UUID], Form(max_length=200)],
) -> Response:
    """Book the proposed cases the planner kept ticked, each on the first free seat.
    All or nothing: if one was just booked elsewhere the planner sees why and reloads."""
    service.book_proposal(db, actor, session, case_id)
    return see_other(f"/planner/sessions/{session.id}")


@router.post("/planner/bookings/{booking_id}/move", response_class=HTMLResponse)
def move_booking(
    booking: PlannedBookingPage,
    request: Request,
    db: Session,
    actor: PlannerPage,
    session_id: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The same service as ``POST /bookings/{id}/move``; a refusal beside the booking's
    "move to" choice."""
    values = {"session_id": session_id, "reason": reason}
    moved = attempt(db, lambda: service.move(db, actor, booking, parse_form(MoveIn, values)))
    if not isinstance(moved, Refusal):
        return see_other(f"/planner/sessions/{booking.session_id}")
    field = f"move-{booking.id}"
    errors = _errors(request, moved, field)
    if moved.code == "wrong_language_group":
        target = access.readable_session(db, uuid.UUID(session_id), actor)
        errors = {field: _wrong_group(request, db, target, db.get_one(Case, booking.case_id))}
    session = db.get_one(HearingSession, booking.session_id)
    return _planner_session_page(request, db, actor, session, None, errors, moved.status)


@router.get("/planner/bookings/{booking_id}/cancel", response_class=HTMLResponse)
def cancel_booking_form(
    booking: PlannedBookingPage, request: Request, db: Session, actor: PlannerPage
) -> HTMLResponse:
    """Confirm first: whose seat is freed, and why."""
    return _cancel_booking_page(request, db, actor, booking, "", {})


def _cancel_booking_page(
    request: Request,
    db: Session,
    actor: Actor,
    booking: Booking,
    reason: str,
    errors: dict[str, str],
    status_code: int = 422,
) -> HTMLResponse:
    session = db.get_one(HearingSession, booking.session_id)
    location, room = queries.place_of(db, session)
    context = {
        "booking": BookingOut.present(booking, db.get_one(Case, booking.case_id)),
        "session": session,
        "location": location,
        "room": room,
        "reason": reason,
        "errors": errors,
    }
    status = status_code if errors else 200
    return render(request, "planner/booking_cancel.html", context, actor=actor, status_code=status)


@router.post("/planner/bookings/{booking_id}/cancel", response_class=HTMLResponse)
def cancel_booking(
    booking: PlannedBookingPage,
    request: Request,
    db: Session,
    actor: PlannerPage,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The same service as ``DELETE /bookings/{id}``, once the planner said why."""
    cancelled = attempt(
        db,
        lambda: service.cancel_booking(
            db,
            booking,
            actor,
            parse_form(BookingCancelIn, {"reason": reason}, say=CANCEL_SAY).reason,
        ),
    )
    if isinstance(cancelled, Refusal):
        errors = _errors(request, cancelled, "reason")
        return _cancel_booking_page(request, db, actor, booking, reason, errors, cancelled.status)
    return see_other(f"/planner/sessions/{booking.session_id}#history")


# --- the roster --------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/roster", response_class=HTMLResponse)
def roster_page(
    session: SessionOnSitePage, request: Request, db: Session, actor: OnSitePage
) -> HTMLResponse:
    """Exactly who to bring: for the transport partner and the location's hosts."""
    context = {"roster": roster.roster_of(db, session)}
    return render(request, "sessions/roster.html", context, actor=actor)


@router.get("/sessions/{session_id}/roster.csv")
def roster_csv(session: SessionOnSitePage, db: Session) -> Response:
    found = roster.roster_of(db, session)
    return Response(
        roster.roster_csv(found).encode("utf-8-sig"),  # the BOM: Excel reads UTF-8
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{roster.filename(found, "csv")}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/sessions/{session_id}/roster.pdf")
def roster_pdf(session: SessionOnSitePage, request: Request, db: Session) -> Response:
    found = roster.roster_of(db, session)
    language = language_of(request)
    context = {
        "lang": language,
        "_": gettext_for(language),
        "date": lambda value: local_date(value, language),
        "moment": lambda value: local_moment(value, language),
        "language_name": lambda code: language_in(code, language),
    }
    return Response(
        roster.roster_pdf(found, context),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{roster.filename(found, "pdf")}"',
            "Cache-Control": "no-store",
        },
    )


# --- the planner's locations and rooms ---------------------------------------------------------


def _language_options(db: Session, request: Request) -> list[tuple[str, str]]:
    language = language_of(request)
    used = set(db.scalars(select(HearingSession.language).distinct()))
    codes = list(GROUP_LANGUAGES) + sorted(used - set(GROUP_LANGUAGES))
    return [(code, f"{language_in(code, language)} ({code})") for code in codes]


@router.get("/planner/locations", response_class=HTMLResponse)
def locations(request: Request, db: Session, actor: PlannerPage) -> HTMLResponse:
    return _locations_page(request, db, actor)


def _locations_page(
    request: Request,
    db: Session,
    actor: Actor,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 422,
) -> HTMLResponse:
    rooms = queries.rooms_at(db, None)
    context = {
        "locations": db.scalars(select(Location).order_by(Location.name)).all(),
        "rooms": Counter(location.id for _, location in rooms),
        "form": form or {},
        "errors": errors or {},
    }
    status = status_code if errors else 200
    return render(request, "planner/locations.html", context, actor=actor, status_code=status)


@router.post("/planner/locations", response_class=HTMLResponse)
def add_location(
    request: Request,
    db: Session,
    actor: PlannerPage,
    name: Annotated[str, Form(max_length=200)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """The same service as ``POST /locations`` (its kiosks are counted from its rooms)."""
    form = {"name": name, "address": address}
    values = {"name": name.strip(), "address": address.strip()}
    added = attempt(
        db, lambda: service.create_location(db, parse_form(LocationIn, values, say=LOCATION_SAY))
    )
    if isinstance(added, Refusal):
        errors = _errors(request, added, "name")
        return _locations_page(request, db, actor, form, errors, added.status)
    return see_other(f"/planner/locations/{added.id}")


def _location_page(
    request: Request,
    db: Session,
    actor: Actor,
    location: Location,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 422,
) -> HTMLResponse:
    rooms = db.scalars(select(Room).where(Room.location_id == location.id).order_by(Room.name))
    context = {
        "location": location,
        "rooms": [(room, service.seats_in(db, room.id)) for room in rooms],
        "form": form or {"seats": "12"},
        "errors": errors or {},
    }
    status = status_code if errors else 200
    return render(request, "planner/location.html", context, actor=actor, status_code=status)


@router.get("/planner/locations/{location_id}", response_class=HTMLResponse)
def location_page(
    location: PlannedLocationPage, request: Request, db: Session, actor: PlannerPage
) -> HTMLResponse:
    """A location's rooms with their seats (kiosks), and a form to add a room."""
    return _location_page(request, db, actor, location)


@router.post("/planner/locations/{location_id}/rooms", response_class=HTMLResponse)
def add_room(
    location: PlannedLocationPage,
    request: Request,
    db: Session,
    actor: PlannerPage,
    name: Annotated[str, Form(max_length=100)] = "",
    seats: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The same service as ``POST /locations/{id}/rooms``."""
    form = {"name": name, "seats": seats}
    values = {"name": name.strip(), "seats": seats.strip()}
    added = attempt(
        db, lambda: service.create_room(db, location, parse_form(RoomIn, values, say=ROOM_SAY))
    )
    if isinstance(added, Refusal):
        errors = _errors(request, added, "name")
        return _location_page(request, db, actor, location, form, errors, added.status)
    return see_other(f"/planner/locations/{location.id}")


# --- planning, changing and calling off a session ----------------------------------------------


def _session_form_page(
    request: Request,
    db: Session,
    actor: Actor,
    form: dict[str, str],
    errors: dict[str, str],
    session: HearingSession | None = None,
    status_code: int = 422,
) -> HTMLResponse:
    language = language_of(request)
    room_options = [("", "\u2013")] + [
        (str(room.id), f"{location.name} \u00b7 {room.name}")
        for room, location in queries.rooms_at(db, None)
        if session is None or location.id == session.location_id
    ]
    context = {
        "session": session,
        "location_options": [
            (str(loc.id), loc.name) for loc in db.scalars(select(Location).order_by(Location.name))
        ],
        "room_options": room_options,
        "language_options": _language_options(db, request),
        "gender_options": [(g, gettext_for(language)(label)) for g, label in GENDERS.items()],
        "form": form,
        "errors": errors,
    }
    status = status_code if errors else 200
    template = "planner/session_edit.html" if session else "planner/session_new.html"
    return render(request, template, context, actor=actor, status_code=status)


def _moment_of(day: str, time: str) -> datetime | None:
    """A date and a time typed in Dutch local time, as a UTC-aware moment."""
    try:
        local = datetime.combine(date.fromisoformat(day), dt_time.fromisoformat(time))
    except ValueError:
        return None
    return local.replace(tzinfo=LOCAL_TIME)


def _session_values(form: Mapping[str, str]) -> dict[str, Any]:
    """A session form's fields as the API's input: the date and time typed in Dutch
    local time as one moment, the first interpreter (if any) as a list."""
    values: dict[str, Any] = {
        name: form[name].strip()
        for name in ("location_id", "room_id", "duration_minutes", "seats", "language", "version")
        if name in form
    }
    # The moment goes where the model's ``starts_at`` is read from (SESSION_NAMES).
    values["date"] = _moment_of(form.get("date", "").strip(), form.get("time", "").strip())
    if form.get("interpreter_language") or form.get("interpreter_name"):
        interpreter = {
            "language": form.get("interpreter_language") or form.get("language", ""),
            "gender": form.get("interpreter_gender", ""),
            "name": form.get("interpreter_name", "").strip(),
        }
        values["interpreters"] = [interpreter]
    return values


def _session_refused(
    request: Request,
    db: Session,
    refusal: Refusal,
    data: SessionIn | SessionEdit,
    own: uuid.UUID | None = None,
) -> dict[str, str]:
    room = _room_errors(request, db, refusal, data, own)
    return room or _errors(request, refusal, "date")


@router.post("/planner/sessions", response_class=HTMLResponse)
def add_session(
    request: Request,
    db: Session,
    actor: PlannerPage,
    location_id: Annotated[str, Form(max_length=40)] = "",
    room_id: Annotated[str, Form(max_length=40)] = "",
    date: Annotated[str, Form(max_length=20)] = "",
    time: Annotated[str, Form(max_length=10)] = "",
    duration_minutes: Annotated[str, Form(max_length=10)] = "",
    seats: Annotated[str, Form(max_length=10)] = "",
    language: Annotated[str, Form(max_length=10)] = "",
    interpreter_language: Annotated[str, Form(max_length=10)] = "",
    interpreter_gender: Annotated[str, Form(max_length=10)] = "",
    interpreter_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Plan a session: the same service as ``POST /sessions``, refusals beside the field."""
    form = {
        "location_id": location_id,
        "room_id": room_id,
        "date": date,
        "time": time,
        "duration_minutes": duration_minutes,
        "seats": seats,
        "language": language,
        "interpreter_language": interpreter_language,
        "interpreter_gender": interpreter_gender,
        "interpreter_name": interpreter_name,
    }
    values = _session_values(form)
    data = attempt(db, lambda: parse_form(SessionIn, values, names=SESSION_NAMES, say=SESSION_SAY))
    if isinstance(data, Refusal):
        errors = _errors(request, data, "date")
        return _session_form_page(request, db, actor, form, errors)
    planned = attempt(db, lambda: service.create_session(db, data))
    if isinstance(planned, Refusal):
        errors = _session_refused(request, db, planned, data)
        return _session_form_page(request, db, actor, form, errors, status_code=planned.status)
    return see_other(f"/planner/sessions/{planned.id}")


def _edit_form(session: HearingSession) -> dict[str, str]:
    local = session.starts_at.astimezone(LOCAL_TIME)
    return {
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "duration_minutes": str(session.duration_minutes),
        "seats": str(session.seats),
        "language": session.language,
        "room_id": str(session.room_id or ""),
        "version": str(session.version),
    }


@router.get("/planner/sessions/{session_id}/edit", response_class=HTMLResponse)
def edit_session_form(
    session: PlannedSessionPage, request: Request, db: Session, actor: PlannerPage
) -> HTMLResponse:
    return _session_form_page(request, db, actor, _edit_form(session), {}, session)


@router.post("/planner/sessions/{session_id}/edit", response_class=HTMLResponse)
def edit_session(
    session: PlannedSessionPage,
    request: Request,
    db: Session,
    actor: PlannerPage,
    room_id: Annotated[str, Form(max_length=40)] = "",
    date: Annotated[str, Form(max_length=20)] = "",
    time: Annotated[str, Form(max_length=10)] = "",
    duration_minutes: Annotated[str, Form(max_length=10)] = "",
    seats: Annotated[str, Form(max_length=10)] = "",
    language: Annotated[str, Form(max_length=10)] = "",
    version: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The same service as ``PATCH /sessions/{id}``; a save by someone else since the
    form was opened is refused with their version, the planner's typing kept."""
    form = {
        "room_id": room_id,
        "date": date,
        "time": time,
        "duration_minutes": duration_minutes,
        "seats": seats,
        "language": language,
        "version": version,
    }
    values = _session_values(form)
    data = attempt(
        db, lambda: parse_form(SessionEdit, values, names=SESSION_NAMES, say=SESSION_SAY)
    )
    if isinstance(data, Refusal):
        errors = _errors(request, data, "date")
        return _session_form_page(request, db, actor, form, errors, session)
    saved = attempt(db, lambda: service.update_session(db, session, data))
    if not isinstance(saved, Refusal):
        return see_other(f"/planner/sessions/{session.id}?saved=true")
    if saved.code in ("concurrent_change", "stale_version"):
        db.refresh(session)  # the next save goes through with the version now stored
        form["version"] = str(session.version)
    errors = _session_refused(request, db, saved, data, session.id)
    return _session_form_page(request, db, actor, form, errors, session, saved.status)


@router.post("/planner/sessions/{session_id}/interpreters", response_class=HTMLResponse)
def add_interpreter(
    session: PlannedSessionPage,
    request: Request,
    db: Session,
    actor: PlannerPage,
    interpreter_language: Annotated[str, Form(max_length=10)] = "",
    interpreter_gender: Annotated[str, Form(max_length=10)] = "",
    interpreter_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The same service as ``POST /sessions/{id}/interpreters``."""
    form = {
        "interpreter_language": interpreter_language,
        "interpreter_gender": interpreter_gender,
        "interpreter_name": interpreter_name,
    }
    values = form | {"interpreter_name": interpreter_name.strip()}

    def add() -> Interpreter:
        data = parse_form(InterpreterIn, values, names=INTERPRETER_NAMES, say=INTERPRETER_SAY)
        return service.add_interpreter(db, session, data)

    added = attempt(db, add)
    if isinstance(added, Refusal):
        errors = _errors(request, added, "interpreter_language")
        return _planner_session_page(request, db, actor, session, form, errors, added.status)
    return see_other(f"/planner/sessions/{session.id}#interpreters")


@router.post("/planner/sessions/{session_id}/book", response_class=HTMLResponse)
def book_case(
    session: PlannedSessionPage,
    request: Request,
    db: Session,
    actor: PlannerPage,
    v_number: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Book one case by its V-number: the same service as ``POST /sessions/{id}/bookings``;
    no interpreter of the right language or gender, a full session or a case booked
    elsewhere is said beside the field."""

    def book() -> Booking:
        case = service.case_to_book(db, actor, v_number)
        return service.book_case(db, actor, session, parse_form(BookingIn, {"case_id": case.id}))

    booked = attempt(db, book)
    if not isinstance(booked, Refusal):
        return see_other(f"/planner/sessions/{session.id}#booked")
    errors = _errors(request, booked, "v_number")
    if booked.code == "wrong_language_group":
        case = service.case_to_book(db, actor, v_number)
        errors = {"v_number": _wrong_group(request, db, session, case)}
    form = {"v_number": v_number}
    return _planner_session_page(request, db, actor, session, form, errors, booked.status)


def _wrong_group(request: Request, db: Session, session: HearingSession, case: Case) -> str:
    """Why the case does not fit the session: its location, or no interpreter for it."""
    gettext = gettext_for(language_of(request))
    candidate = service.candidate_for(db, case)
    if candidate.location_id not in (None, session.location_id):
        return str(gettext("The applicant cannot be brought to this session's location."))
    values = {"languages": ", ".join(case.languages)}
    message = NO_INTERPRETER.get(candidate.interpreter_gender or "", NO_INTERPRETER[""])
    return str(gettext(message) % values)


@router.get("/planner/sessions/{session_id}/cancel", response_class=HTMLResponse)
def cancel_session_form(
    session: PlannedSessionPage, request: Request, db: Session, actor: PlannerPage
) -> HTMLResponse:
    """Confirm first: who loses their seat."""
    return _cancel_page(request, db, actor, session, "", {})


def _cancel_page(
    request: Request,
    db: Session,
    actor: Actor,
    session: HearingSession,
    reason: str,
    errors: dict[str, str],
    status_code: int = 409,
) -> HTMLResponse:
    context = {
        "session": session,
        "location": db.get_one(Location, session.location_id),
        "seats": [BookingOut.present(b, c) for b, c in queries.seat_list(db, session.id)],
        "reason": reason,
        "errors": errors,
    }
    status = status_code if errors else 200
    return render(request, "planner/session_cancel.html", context, actor=actor, status_code=status)


@router.post("/planner/sessions/{session_id}/cancel", response_class=HTMLResponse)
def cancel_session(
    session: PlannedSessionPage,
    request: Request,
    db: Session,
    actor: PlannerPage,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The same service as ``DELETE /sessions/{id}``: bookings cancelled, cases replanned."""
    cancelled = attempt(
        db,
        lambda: service.cancel_session(
            db, session, actor, parse_form(SessionCancelIn, {"reason": reason}).reason
        ),
    )
    if isinstance(cancelled, Refusal):
        errors = _errors(request, cancelled, "reason")
        return _cancel_page(request, db, actor, session, reason, errors, cancelled.status)
    return see_other(f"/planner/sessions/{session.id}")


@router.post("/planner/cases/{case_id}/planning-preference", response_class=HTMLResponse)
def planning_preference(
    case: PlannedCasePage,
    request: Request,
    db: Session,
    actor: PlannerPage,
    location_id: Annotated[str, Form(max_length=40)] = "",
    interpreter_gender: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Where the applicant can be brought and the interpreter they asked for: the same
    service as ``PUT /cases/{id}/planning-preference``."""
    values = {"location_id": location_id, "interpreter_gender": interpreter_gender}
    saved = attempt(
        db,
        lambda: service.set_preference(
            db, case, parse_form(PreferenceIn, values, say=PREFERENCE_SAY)
        ),
    )
    if isinstance(saved, Refusal):
        errors = _errors(request, saved, "location_id")
        return render_case(request, db, case, actor, errors=errors, status_code=saved.status)
    return see_other(f"/planner/cases/{case.id}?done=planning")
