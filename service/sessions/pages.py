"""The planner's session pages (proposal, confirm, move, cancel), the roster (page,
CSV, PDF) for planners and the location's hosts, and the host's check-in pages."""

import uuid
from collections import Counter
from datetime import date, datetime
from datetime import time as dt_time
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.auth.access import signed_in
from service.auth.service import KIOSK_DEVICE_COOKIE, KIOSK_DEVICE_DAYS
from service.cases.access import readable_case
from service.cases.pages import render_case
from service.cases.schemas import normalise_v_number
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.errors import DomainError
from service.core.formatting import LOCAL_TIME, language_in, local_date, local_moment
from service.core.i18n import N_, gettext_for, language_of
from service.core.web import (
    cookie_name,
    page_router,
    render,
    see_other,
    set_cookie,
)
from service.models.auth import Role
from service.models.cases import Case
from service.models.sessions import HearingSession, Location, Room, Seat
from service.sessions import access, queries, roster, service
from service.sessions.exceptions import (
    IdentityMismatch,
    LocationNotFound,
    RoomTaken,
    RoomTooSmall,
    SeatNotFound,
    SessionChanged,
    WrongGroup,
)
from service.sessions.grouping import by_language, propose
from service.sessions.schemas import (
    BookingOut,
    Identity,
    InterpreterIn,
    LocationIn,
    PreferenceIn,
    RoomIn,
    SessionEdit,
    SessionIn,
)

router = page_router()

# Beside the field that does not match the booking (the others matched).
MISMATCH = {
    "applicant_name": N_("The name does not match this booking. Check the document."),
    "date_of_birth": N_("The date of birth does not match this booking. Check the document."),
    "v_number": N_("The V-number does not match this booking. Check the document."),
}

Planner = Annotated[Actor, Depends(signed_in(*access.PLANNERS))]
OnSite = Annotated[Actor, Depends(signed_in(*access.ON_SITE))]
CheckerIn = Annotated[Actor, Depends(signed_in(*access.CHECKERS_IN))]


# --- the host's start page and seat list -------------------------------------------------------


@router.get("/host", response_class=HTMLResponse)
def host_start(request: Request, db: Session, actor: OnSite) -> HTMLResponse:
    """Today's and coming sessions (a host: at their own location)."""
    sessions = queries.coming_sessions(db, actor)
    rooms = queries.room_names(db, [s.room_id for s, _, _ in sessions if s.room_id])
    context = {"sessions": sessions, "rooms": rooms}
    return render(request, "host/start.html", context, actor=actor)


@router.get("/host/sessions/{session_id}", response_class=HTMLResponse)
def seat_list(session_id: uuid.UUID, request: Request, db: Session, actor: OnSite) -> HTMLResponse:
    """Who sits where: the host checks each applicant in, notes no-shows, hands out codes.
    The list names seats, not people: the name, date of birth and V-number are what the
    host checks against the document, so the page does not show them beforehand."""
    session = access.readable_session(db, session_id, actor)
    seats = [b for b, _ in queries.seat_list(db, session.id)]
    opens, closes = service.check_in_window(session)
    context = {
        "session": session,
        "place": queries.place_of(db, session),
        "seats": seats,
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
    booking_id: uuid.UUID,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    booking = access.booking_on_site(db, booking_id, actor)
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
    booking_id: uuid.UUID, request: Request, db: Session, actor: CheckerIn
) -> HTMLResponse:
    """The host types in the name, date of birth and V-number from the document."""
    return _check_in_form(request, db, actor, booking_id)


def _identity_errors(
    gettext: Any, name: str, born: str, v_number: str, consent: str
) -> tuple[dict[str, str], Identity | None]:
    errors = {}
    if not name.strip():
        errors["applicant_name"] = gettext("Enter the name as on the document.")
    try:
        birth_date = date.fromisoformat(born) if born else None
    except ValueError:
        errors["date_of_birth"] = gettext("Enter the date of birth as YYYY-MM-DD.")
        birth_date = None
    if consent != "yes":
        errors["consent"] = gettext(
            "Confirm that the applicant takes part of their own free will, or do not check them in."
        )
    identity = None
    if not errors:
        try:
            identity = Identity(applicant_name=name, date_of_birth=birth_date, v_number=v_number)
        except ValueError:
            errors["v_number"] = gettext("Enter the V-number: 10 digits.")
    return errors, identity


@router.post("/host/bookings/{booking_id}/check-in", response_class=HTMLResponse)
def check_in(
    booking_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: CheckerIn,
    applicant_name: Annotated[str, Form(max_length=200)] = "",
    date_of_birth: Annotated[str, Form(max_length=20)] = "",
    v_number: Annotated[str, Form(max_length=20)] = "",
    consent: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """Identity checked and the applicant's own consent confirmed: the kiosk code."""
    gettext = gettext_for(language_of(request))
    typed = {
        "applicant_name": applicant_name,
        "date_of_birth": date_of_birth,
        "v_number": v_number,
        "consent": consent,
    }
    errors, identity = _identity_errors(gettext, applicant_name, date_of_birth, v_number, consent)
    booking = access.booking_on_site(db, booking_id, actor)
    if identity is not None:
        try:
            code = service.check_in(db, booking, actor, identity, consent_confirmed=True)
        except IdentityMismatch as mismatch:
            for field in mismatch.fields:
                errors[field] = gettext(MISMATCH[field])
        else:
            return _code_page(request, db, actor, booking.id, code)
    return _check_in_form(request, db, actor, booking_id, errors, typed, status_code=422)


def _code_page(
    request: Request, db: Session, actor: Actor, booking_id: uuid.UUID, code: str
) -> HTMLResponse:
    booking = access.booking_on_site(db, booking_id, actor)
    case = db.get_one(Case, booking.case_id)
    context = {"booking": booking, "case": case, "code": code}
    return render(request, "host/kiosk_code.html", context, actor=actor)


@router.post("/host/bookings/{booking_id}/kiosk-code", response_class=HTMLResponse)
def new_kiosk_code(
    booking_id: uuid.UUID, request: Request, db: Session, actor: CheckerIn
) -> HTMLResponse:
    """A new code for a checked-in applicant; the previous one stops working."""
    booking = access.booking_on_site(db, booking_id, actor)
    return _code_page(request, db, actor, booking.id, service.reissue_code(db, booking, actor))


@router.post("/host/bookings/{booking_id}/no-show")
def no_show(booking_id: uuid.UUID, db: Session, actor: CheckerIn) -> Response:
    booking = access.booking_on_site(db, booking_id, actor)
    service.note_no_show(db, booking, actor)
    return see_other(f"/host/sessions/{booking.session_id}")


# --- kiosk devices ---------------------------------------------------------------------------


@router.get("/host/kiosks", response_class=HTMLResponse)
def kiosks(request: Request, db: Session, actor: CheckerIn) -> HTMLResponse:
    """The rooms and seats at the host's location, to register this browser as a kiosk."""
    location_id = actor.location_id if actor.is_(Role.HOST) else None
    rooms = [
        (room, location, queries.seats_of(db, room.id))
        for room, location in queries.rooms_at(db, location_id)
    ]
    return render(request, "host/kiosks.html", {"rooms": rooms}, actor=actor)


@router.post("/host/seats/{seat_id}/device", response_class=HTMLResponse)
def register_kiosk(
    seat_id: uuid.UUID, request: Request, db: Session, actor: CheckerIn
) -> HTMLResponse:
    """Make this browser the kiosk of the seat: a long-lived device cookie."""
    seat = db.get(Seat, seat_id)
    room = db.get(Room, seat.room_id) if seat else None
    if (
        seat is None
        or room is None
        or (actor.is_(Role.HOST) and room.location_id != actor.location_id)
    ):
        raise SeatNotFound(f"No seat {seat_id} at your location.")
    secret = service.register_device(db, seat, actor)
    context = {"seat": seat, "room": room}
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
def planner_sessions(request: Request, db: Session, actor: Planner) -> HTMLResponse:
    """Coming sessions, and how many consented cases the proposal places in each."""
    sessions = queries.coming_sessions(db, actor)
    waiting = queries.candidates(db)
    placements = propose(queries.open_slots(db), waiting)
    proposed = Counter(p.session_id for p in placements)
    placed = {p.case_id for p in placements}
    # Who no coming session fits, by language: where an interpreter or a session is missing.
    unplaced = Counter(c.languages[0] for c in waiting if c.case_id not in placed)
    context = {
        "sessions": sessions,
        "proposed": proposed,
        "unplaced": sorted(unplaced.items(), key=lambda item: (-item[1], item[0])),
        "interpreters": queries.interpreters_by_session(db, [s.id for s, _, _ in sessions]),
    }
    return render(request, "planner/sessions.html", context, actor=actor)


@router.get("/planner/sessions/new", response_class=HTMLResponse)
def new_session(request: Request, db: Session, actor: Planner) -> HTMLResponse:
    form = {"time": "09:00", "duration_minutes": "240", "seats": "12", "language": "ar"}
    form["location_id"] = request.query_params.get("location_id", "")
    return _session_form_page(request, db, actor, form, {})


@router.get("/planner/sessions/{session_id}", response_class=HTMLResponse)
def planner_session(
    session_id: uuid.UUID, request: Request, db: Session, actor: Planner
) -> HTMLResponse:
    """One session: the proposal to confirm, the bookings to move or cancel, the history."""
    session = access.readable_session(db, session_id, actor)
    return _planner_session_page(request, db, actor, session)


def _planner_session_page(
    request: Request,
    db: Session,
    actor: Actor,
    session: HearingSession,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    placements = queries.proposal(db, session.id)
    cases = {
        c.id: c
        for c in db.scalars(select(Case).where(Case.id.in_([p.case_id for p in placements])))
    }
    others = [
        (s, location)
        for s, location, _ in queries.coming_sessions(db, actor)
        if s.id != session.id and s.cancelled_at is None
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
        "language_options": _language_options(db, request),
        "gender_options": [(g, gettext_for(language)(label)) for g, label in GENDERS.items()],
        "form": form or {"interpreter_language": session.language},
        "errors": errors or {},
        "saved": request.query_params.get("saved") == "true",
        "open": session.cancelled_at is None and session.starts_at > utcnow(),
    }
    status = 422 if errors else 200
    return render(request, "planner/session.html", context, actor=actor, status_code=status)


@router.post("/planner/sessions/{session_id}/confirm")
def confirm_proposal(
    session_id: uuid.UUID,
    db: Session,
    actor: Planner,
    case_id: Annotated[list[uuid.UUID], Form(max_length=200)],
) -> Response:
    """Book the proposed cases the planner kept ticked, each on the first free seat.
    All or nothing: if one was just booked elsewhere the planner sees why and reloads."""
    session = access.readable_session(db, session_id, actor)
    for case in db.scalars(select(Case).where(Case.id.in_(case_id)).order_by(Case.consented_at)):
        service.book(db, session, case, actor)
    return see_other(f"/planner/sessions/{session.id}")


@router.post("/planner/bookings/{booking_id}/move")
def move_booking(
    booking_id: uuid.UUID,
    db: Session,
    actor: Planner,
    session_id: Annotated[uuid.UUID, Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    booking = access.booking_on_site(db, booking_id, actor)
    target = access.readable_session(db, session_id, actor)
    service.move_booking(db, booking, target, actor, reason=reason)
    return see_other(f"/planner/sessions/{booking.session_id}")


@router.post("/planner/bookings/{booking_id}/cancel")
def cancel_booking(
    booking_id: uuid.UUID,
    db: Session,
    actor: Planner,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    booking = access.booking_on_site(db, booking_id, actor)
    service.cancel_booking(db, booking, actor, reason or "cancelled by planner")
    return see_other(f"/planner/sessions/{booking.session_id}")


# --- the roster --------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/roster", response_class=HTMLResponse)
def roster_page(
    session_id: uuid.UUID, request: Request, db: Session, actor: OnSite
) -> HTMLResponse:
    """Exactly who to bring: for the transport partner and the location's hosts."""
    session = access.readable_session(db, session_id, actor)
    context = {"roster": roster.roster_of(db, session)}
    return render(request, "sessions/roster.html", context, actor=actor)


@router.get("/sessions/{session_id}/roster.csv")
def roster_csv(session_id: uuid.UUID, db: Session, actor: OnSite) -> Response:
    found = roster.roster_of(db, access.readable_session(db, session_id, actor))
    return Response(
        roster.roster_csv(found).encode("utf-8-sig"),  # the BOM: Excel reads UTF-8
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{roster.filename(found, "csv")}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/sessions/{session_id}/roster.pdf")
def roster_pdf(session_id: uuid.UUID, request: Request, db: Session, actor: OnSite) -> Response:
    found = roster.roster_of(db, access.readable_session(db, session_id, actor))
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


# --- the planner's locations, rooms, sessions and interpreters ------------------------------

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

# A refusal of the service, by its code: the field it belongs beside and what it means.
REFUSALS: dict[str, tuple[str, str]] = {
    "duplicate_location": ("name", N_("A location with this name exists already.")),
    "duplicate_room": ("name", N_("This location has a room with this name already.")),
    "location_not_found": ("location_id", N_("Choose a location.")),
    "room_not_found": ("room_id", N_("Choose a room at the session's location.")),
    "session_in_past": ("date", N_("Choose a date and time in the future.")),
    "session_cancelled": ("date", N_("This session was cancelled; it can no longer change.")),
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
    "session_full": ("v_number", N_("Every seat in this session is booked.")),
    "case_already_booked": ("v_number", N_("This case has a seat already.")),
    "seat_taken": ("v_number", N_("The seat was just taken. Try again: the next free seat.")),
    "illegal_transition": (
        "v_number",
        N_("This case cannot be booked now: the lawyer has not consented (yet)."),
    ),
    "booking_checked_in": (
        "reason",
        N_("Applicants have checked in for this session; it cannot be called off."),
    ),
}


def _refused(request: Request, refusal: DomainError) -> tuple[str, str]:
    """The field and the message, in the reader's language, for a refusal."""
    language = language_of(request)
    gettext = gettext_for(language)
    if isinstance(refusal, RoomTaken):
        return "room_id", gettext(
            "The room is taken at this time, by the session from %(start)s to %(end)s."
        ) % {
            "start": local_moment(refusal.starts_at, language),
            "end": local_moment(refusal.ends_at, language),
        }
    if isinstance(refusal, RoomTooSmall):
        return "seats", gettext(
            "The room has %(seats)s seats; lower the seats or choose a bigger room."
        ) % {"seats": refusal.available}
    if refusal.code not in REFUSALS:
        raise refusal
    field, message = REFUSALS[refusal.code]
    return field, gettext(message)


def _moment_of(day: str, time: str) -> datetime | None:
    """A date and a time typed in Dutch local time, as a UTC-aware moment."""
    try:
        local = datetime.combine(date.fromisoformat(day), dt_time.fromisoformat(time))
    except ValueError:
        return None
    return local.replace(tzinfo=LOCAL_TIME)


def _language_options(db: Session, request: Request) -> list[tuple[str, str]]:
    language = language_of(request)
    used = set(db.scalars(select(HearingSession.language).distinct()))
    codes = list(GROUP_LANGUAGES) + sorted(used - set(GROUP_LANGUAGES))
    return [(code, f"{language_in(code, language)} ({code})") for code in codes]


@router.get("/planner/locations", response_class=HTMLResponse)
def locations(request: Request, db: Session, actor: Planner) -> HTMLResponse:
    return _locations_page(request, db, actor)


def _locations_page(
    request: Request,
    db: Session,
    actor: Actor,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    rooms = queries.rooms_at(db, None)
    per_location = Counter(location.id for _, location in rooms)
    context = {
        "locations": db.scalars(select(Location).order_by(Location.name)).all(),
        "rooms": per_location,
        "form": form or {},
        "errors": errors or {},
    }
    status = 422 if errors else 200
    return render(request, "planner/locations.html", context, actor=actor, status_code=status)


@router.post("/planner/locations", response_class=HTMLResponse)
def add_location(
    request: Request,
    db: Session,
    actor: Planner,
    name: Annotated[str, Form(max_length=200)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """A new location (its kiosks are counted from its rooms' seats)."""
    gettext = gettext_for(language_of(request))
    form = {"name": name, "address": address}
    try:
        data = LocationIn(name=name.strip(), address=address.strip())
    except ValidationError as invalid:
        fields = {str(e["loc"][0]) for e in invalid.errors()}
        errors = {}
        if "name" in fields:
            errors["name"] = gettext("Enter the location's name: at least 2 characters.")
        if "address" in fields:
            errors["address"] = gettext("Enter the address in plain text, at most 300 characters.")
        return _locations_page(request, db, actor, form, errors)
    try:
        with db.begin_nested():
            location = service.create_location(db, data)
    except DomainError as refusal:
        field, message = _refused(request, refusal)
        return _locations_page(request, db, actor, form, {field: message})
    return see_other(f"/planner/locations/{location.id}")


def _location_page(
    request: Request,
    db: Session,
    actor: Actor,
    location: Location,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    rooms = db.scalars(select(Room).where(Room.location_id == location.id).order_by(Room.name))
    context = {
        "location": location,
        "rooms": [(room, service.seats_in(db, room.id)) for room in rooms],
        "form": form or {"seats": "12"},
        "errors": errors or {},
    }
    status = 422 if errors else 200
    return render(request, "planner/location.html", context, actor=actor, status_code=status)


def _planner_location(db: Session, location_id: uuid.UUID) -> Location:
    location = db.get(Location, location_id)
    if location is None:
        raise LocationNotFound(f"No location {location_id}.")
    return location


@router.get("/planner/locations/{location_id}", response_class=HTMLResponse)
def location_page(
    location_id: uuid.UUID, request: Request, db: Session, actor: Planner
) -> HTMLResponse:
    """A location's rooms with their seats (kiosks), and a form to add a room."""
    return _location_page(request, db, actor, _planner_location(db, location_id))


@router.post("/planner/locations/{location_id}/rooms", response_class=HTMLResponse)
def add_room(
    location_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Planner,
    name: Annotated[str, Form(max_length=100)] = "",
    seats: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    gettext = gettext_for(language_of(request))
    location = _planner_location(db, location_id)
    form = {"name": name, "seats": seats}
    try:
        data = RoomIn(name=name.strip(), seats=seats.strip() or "x")
    except ValidationError as invalid:
        fields = {str(e["loc"][0]) for e in invalid.errors()}
        errors = {}
        if "name" in fields:
            errors["name"] = gettext("Enter the room's name.")
        if "seats" in fields:
            errors["seats"] = gettext("Enter the seats (kiosks): a whole number from 1 to 200.")
        return _location_page(request, db, actor, location, form, errors)
    try:
        with db.begin_nested():
            service.create_room(db, location, data)
    except DomainError as refusal:
        field, message = _refused(request, refusal)
        return _location_page(request, db, actor, location, form, {field: message})
    return see_other(f"/planner/locations/{location.id}")


def _session_form_page(
    request: Request,
    db: Session,
    actor: Actor,
    form: dict[str, str],
    errors: dict[str, str],
    session: HearingSession | None = None,
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
    status = 422 if errors else 200
    template = "planner/session_edit.html" if session else "planner/session_new.html"
    return render(request, template, context, actor=actor, status_code=status)


def _session_fields(
    gettext: Any, day: str, time: str, duration: str, seats: str
) -> tuple[dict[str, str], datetime | None, int, int]:
    """Errors of the fields every session form has, and their values."""
    errors = {}
    starts_at = _moment_of(day.strip(), time.strip())
    if starts_at is None:
        errors["date"] = gettext("Enter the date as YYYY-MM-DD and the time as HH:MM.")
    minutes = int(duration) if duration.strip().isdigit() else 0
    if not 30 <= minutes <= 480:
        errors["duration_minutes"] = gettext("Enter the duration in minutes: 30 to 480.")
    count = int(seats) if seats.strip().isdigit() else 0
    if not 1 <= count <= 200:
        errors["seats"] = gettext("Enter the seats: a whole number from 1 to 200.")
    return errors, starts_at, minutes, count


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@router.post("/planner/sessions", response_class=HTMLResponse)
def add_session(
    request: Request,
    db: Session,
    actor: Planner,
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
    gettext = gettext_for(language_of(request))
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
    errors, starts_at, minutes, count = _session_fields(
        gettext, date, time, duration_minutes, seats
    )
    location = _uuid_or_none(location_id)
    if location is None:
        errors["location_id"] = gettext("Choose a location.")
    interpreters = []
    if interpreter_language or interpreter_name:
        try:
            interpreters.append(
                InterpreterIn(
                    language=interpreter_language or language,
                    gender=interpreter_gender,
                    name=interpreter_name.strip(),
                )
            )
        except ValidationError:
            errors["interpreter_gender"] = gettext("Choose the interpreter's gender.")
    if errors:
        return _session_form_page(request, db, actor, form, errors)
    try:
        data = SessionIn(
            location_id=location,
            room_id=_uuid_or_none(room_id),
            starts_at=starts_at,
            duration_minutes=minutes,
            seats=count,
            language=language,
            interpreters=interpreters,
        )
    except ValidationError:
        errors["language"] = gettext("Choose the group's language.")
        return _session_form_page(request, db, actor, form, errors)
    try:
        with db.begin_nested():
            session = service.create_session(db, data)
    except DomainError as refusal:
        field, message = _refused(request, refusal)
        return _session_form_page(request, db, actor, form, {field: message})
    return see_other(f"/planner/sessions/{session.id}")


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
    session_id: uuid.UUID, request: Request, db: Session, actor: Planner
) -> HTMLResponse:
    session = access.readable_session(db, session_id, actor)
    return _session_form_page(request, db, actor, _edit_form(session), {}, session)


@router.post("/planner/sessions/{session_id}/edit", response_class=HTMLResponse)
def edit_session(
    session_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Planner,
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
    gettext = gettext_for(language_of(request))
    session = access.readable_session(db, session_id, actor)
    form = {
        "room_id": room_id,
        "date": date,
        "time": time,
        "duration_minutes": duration_minutes,
        "seats": seats,
        "language": language,
        "version": version,
    }
    errors, starts_at, minutes, count = _session_fields(
        gettext, date, time, duration_minutes, seats
    )
    if errors:
        return _session_form_page(request, db, actor, form, errors, session)
    try:
        data = SessionEdit(
            room_id=_uuid_or_none(room_id),
            starts_at=starts_at,
            duration_minutes=minutes,
            seats=count,
            language=language,
            version=int(version) if version.isdigit() else 1,
        )
    except ValidationError:
        errors["language"] = gettext("Choose the group's language.")
        return _session_form_page(request, db, actor, form, errors, session)
    try:
        with db.begin_nested():
            service.update_session(db, session, data)
    except (DomainError, StaleDataError) as refusal:
        if isinstance(refusal, StaleDataError):
            refusal = SessionChanged("Someone else changed this session.")
        db.refresh(session)
        field, message = _refused(request, refusal)
        if refusal.code == "concurrent_change":
            form["version"] = str(session.version)
        return _session_form_page(request, db, actor, form, {field: message}, session)
    return see_other(f"/planner/sessions/{session.id}?saved=true")


@router.post("/planner/sessions/{session_id}/interpreters", response_class=HTMLResponse)
def add_interpreter(
    session_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Planner,
    interpreter_language: Annotated[str, Form(max_length=10)] = "",
    interpreter_gender: Annotated[str, Form(max_length=10)] = "",
    interpreter_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The same service as ``POST /sessions/{id}/interpreters``."""
    gettext = gettext_for(language_of(request))
    session = access.readable_session(db, session_id, actor)
    form = {
        "interpreter_language": interpreter_language,
        "interpreter_gender": interpreter_gender,
        "interpreter_name": interpreter_name,
    }
    try:
        data = InterpreterIn(
            language=interpreter_language,
            gender=interpreter_gender,
            name=interpreter_name.strip(),
        )
    except ValidationError as invalid:
        fields = {str(e["loc"][0]) for e in invalid.errors()}
        errors = {}
        if "language" in fields:
            errors["interpreter_language"] = gettext("Choose the interpreter's language.")
        if "gender" in fields:
            errors["interpreter_gender"] = gettext("Choose the interpreter's gender.")
        if "name" in fields:
            errors["interpreter_name"] = gettext("Enter the name in plain text.")
        return _planner_session_page(request, db, actor, session, form, errors)
    service.add_interpreter(db, session, data)
    return see_other(f"/planner/sessions/{session.id}#interpreters")


@router.post("/planner/sessions/{session_id}/book", response_class=HTMLResponse)
def book_case(
    session_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Planner,
    v_number: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Book one case by its V-number: the same service as ``POST /sessions/{id}/bookings``;
    no interpreter of the right language or gender, a full session or a case booked
    elsewhere is said beside the field."""
    gettext = gettext_for(language_of(request))
    session = access.readable_session(db, session_id, actor)
    form = {"v_number": v_number}
    case = None
    try:
        number = normalise_v_number(v_number)
    except ValueError:
        number = ""
    if number:
        case = db.scalar(select(Case).where(Case.v_number == number))
    if case is None:
        errors = {"v_number": gettext("No case with this V-number.")}
        return _planner_session_page(request, db, actor, session, form, errors)
    case = readable_case(db, case.id, actor)
    try:
        with db.begin_nested():
            service.book(db, session, case, actor)
    except WrongGroup:
        message = _wrong_group(gettext, db, session, case)
        return _planner_session_page(request, db, actor, session, form, {"v_number": message})
    except DomainError as refusal:
        message = _refused(request, refusal)[1]
        return _planner_session_page(request, db, actor, session, form, {"v_number": message})
    return see_other(f"/planner/sessions/{session.id}#booked")


def _wrong_group(gettext: Any, db: Session, session: HearingSession, case: Case) -> str:
    candidate = service.candidate_for(db, case)
    if candidate.location_id not in (None, session.location_id):
        return str(gettext("The applicant cannot be brought to this session's location."))
    values = {"languages": ", ".join(case.languages)}
    message = NO_INTERPRETER.get(candidate.interpreter_gender or "", NO_INTERPRETER[""])
    return str(gettext(message) % values)


@router.get("/planner/sessions/{session_id}/cancel", response_class=HTMLResponse)
def cancel_session_form(
    session_id: uuid.UUID, request: Request, db: Session, actor: Planner
) -> HTMLResponse:
    """Confirm first: who loses their seat."""
    session = access.readable_session(db, session_id, actor)
    return _cancel_page(request, db, actor, session, "", {})


def _cancel_page(
    request: Request,
    db: Session,
    actor: Actor,
    session: HearingSession,
    reason: str,
    errors: dict[str, str],
) -> HTMLResponse:
    context = {
        "session": session,
        "location": db.get_one(Location, session.location_id),
        "seats": [BookingOut.present(b, c) for b, c in queries.seat_list(db, session.id)],
        "reason": reason,
        "errors": errors,
    }
    status = 409 if errors else 200
    return render(request, "planner/session_cancel.html", context, actor=actor, status_code=status)


@router.post("/planner/sessions/{session_id}/cancel", response_class=HTMLResponse)
def cancel_session(
    session_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Planner,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The same service as ``DELETE /sessions/{id}``: bookings cancelled, cases replanned."""
    session = access.readable_session(db, session_id, actor)
    try:
        with db.begin_nested():
            service.cancel_session(db, session, actor, reason.strip())
    except DomainError as refusal:
        field, message = _refused(request, refusal)
        return _cancel_page(request, db, actor, session, reason, {field: message})
    return see_other(f"/planner/sessions/{session.id}")


@router.post("/planner/cases/{case_id}/planning-preference", response_class=HTMLResponse)
def planning_preference(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Planner,
    location_id: Annotated[str, Form(max_length=40)] = "",
    interpreter_gender: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Where the applicant can be brought and the interpreter they asked for: the same
    service as ``PUT /cases/{id}/planning-preference``."""
    gettext = gettext_for(language_of(request))
    case = readable_case(db, case_id, actor)
    try:
        data = PreferenceIn(
            location_id=_uuid_or_none(location_id), interpreter_gender=interpreter_gender or None
        )
    except ValidationError:
        errors = {"interpreter_gender": gettext("Choose the interpreter's gender.")}
        return render_case(request, db, case, actor, errors=errors, status_code=422)
    try:
        with db.begin_nested():
            service.set_preference(db, case, data)
    except LocationNotFound:
        errors = {"location_id": gettext("Choose a location.")}
        return render_case(request, db, case, actor, errors=errors, status_code=422)
    return see_other(f"/planner/cases/{case.id}?done=planning")
