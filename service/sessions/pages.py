"""The planner's session pages (proposal, confirm, move, cancel), the roster (page,
CSV, PDF) for planners and the location's hosts, and the host's check-in pages."""

import uuid
from collections import Counter
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.access import signed_in
from service.auth.service import KIOSK_DEVICE_COOKIE, KIOSK_DEVICE_DAYS
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.formatting import language_in, local_date, local_moment
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
from service.sessions.exceptions import IdentityMismatch, SeatNotFound
from service.sessions.grouping import by_language, propose
from service.sessions.schemas import BookingOut, Identity

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


@router.get("/planner/sessions/{session_id}", response_class=HTMLResponse)
def planner_session(
    session_id: uuid.UUID, request: Request, db: Session, actor: Planner
) -> HTMLResponse:
    """One session: the proposal to confirm, the bookings to move or cancel, the history."""
    session = access.readable_session(db, session_id, actor)
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
    context = {
        "session": session,
        "location": db.get_one(Location, session.location_id),
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
    }
    return render(request, "planner/session.html", context, actor=actor)


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
