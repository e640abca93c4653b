"""The planner's side: rooms and seats, interpreters, the proposal, confirming it on
the page, and moves and cancellations that keep their history."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from service.models import Role
from service.models.cases import CaseEventRow
from service.models.sessions import Booking, Location, Seat
from service.sessions import service as sessions
from service.sessions.schemas import PreferenceIn, RoomIn
from service.workflow import CaseState
from tests.factories import Factory
from tests.helpers import API, assert_problem, csrf_of, ok, sign_in

HTML = {"accept": "text/html"}


def proposal(client, planner) -> list[dict]:
    return ok(client.get(f"{API}/proposal", headers=planner.headers))


def test_a_room_brings_numbered_seats_and_a_session_fits_in_it(client, db, factory):
    planner = factory.person(Role.PLANNER)
    location = factory.location()
    room = ok(
        client.post(
            f"{API}/locations/{location.id}/rooms",
            headers=planner.headers,
            json={"name": "Zaal 1", "seats": 6},
        ),
        201,
    )
    numbers = db.scalars(select(Seat.number).where(Seat.room_id == uuid.UUID(room["id"]))).all()
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]
    starts = (factory.session().starts_at + timedelta(days=1)).isoformat()
    body = {"location_id": str(location.id), "room_id": room["id"], "starts_at": starts}
    too_big = body | {"seats": 7, "language": "ar"}
    assert_problem(
        client.post(f"{API}/sessions", headers=planner.headers, json=too_big), 422, "room_too_small"
    )
    created = ok(
        client.post(
            f"{API}/sessions",
            headers=planner.headers,
            json=body
            | {
                "seats": 6,
                "language": "ar",
                "interpreters": [{"language": "ar", "gender": "male"}],
            },
        ),
        201,
    )
    assert created["duration_minutes"] == 240  # the 4-hour window by default
    assert created["room_id"] == room["id"]
    again = client.post(
        f"{API}/locations/{location.id}/rooms",
        headers=planner.headers,
        json={"name": "Zaal 1", "seats": 2},
    )
    assert_problem(again, 409, "duplicate_room")


def test_the_proposal_never_places_a_language_without_an_interpreter(client, db, factory):
    planner = factory.person(Role.PLANNER)
    arabic = [factory.case_in(CaseState.CONSENTED) for _ in range(3)]
    farsi = factory.case_in(CaseState.CONSENTED, languages=["fa"], nationality="IR")
    session = factory.session("ar", seats=2, interpreters=(("ar", "male"), ("ti", "female")))

    placed = proposal(client, planner)

    # Two seats: the two who consented first; nobody speaking Farsi.
    assert [p["case_id"] for p in placed] == [str(c.id) for c in arabic[:2]]
    assert {p["session_id"] for p in placed} == {str(session.id)}
    assert sorted(p["seat"] for p in placed) == [1, 2]
    assert str(farsi.id) not in {p["case_id"] for p in placed}
    # Booking by hand is refused the same way.
    refused = client.post(
        f"{API}/sessions/{session.id}/bookings",
        headers=planner.headers,
        json={"case_id": str(farsi.id)},
    )
    assert (
        "no interpreter" in assert_problem(refused, 409, "wrong_language_group")["detail"].lower()
    )


def test_an_asked_for_female_interpreter_and_the_location_are_honoured(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.CONSENTED)
    ok(
        client.put(
            f"{API}/cases/{case.id}/planning-preference",
            headers=planner.headers,
            json={"interpreter_gender": "female"},
        )
    )
    male_only = factory.session("ar", interpreters=(("ar", "male"),))
    assert proposal(client, planner) == []
    refused = client.post(
        f"{API}/sessions/{male_only.id}/bookings",
        headers=planner.headers,
        json={"case_id": str(case.id)},
    )
    assert "female" in assert_problem(refused, 409, "wrong_language_group")["detail"]

    with_woman = factory.session("ar", starts_in=timedelta(days=2))
    (placed,) = proposal(client, planner)
    assert placed["session_id"] == str(with_woman.id)

    # She can only be brought to another location: no session there, no proposal.
    other = factory.location().__class__(name="IND Ter Apel", address="Ter Apel")
    db.add(other)
    db.flush()
    sessions.set_preference(
        db, case, PreferenceIn(location_id=other.id, interpreter_gender="female")
    )
    assert proposal(client, planner) == []
    there = factory.session("ar", starts_in=timedelta(days=3), location=other)
    assert [p["session_id"] for p in proposal(client, planner)] == [str(there.id)]


def test_the_planner_confirms_the_proposal_on_the_session_page(client, db, factory):
    planner = factory.person(Role.PLANNER)
    first, second, third = (factory.case_in(CaseState.CONSENTED) for _ in range(3))
    session = factory.session("ar", seats=3)
    sign_in(client, planner.user.username)

    page = client.get(f"/planner/sessions/{session.id}", headers=HTML)
    assert page.status_code == 200
    for case in (first, second, third):
        assert case.v_number in page.text
    # The planner unticks the third and confirms the rest.
    confirmed = client.post(
        f"/planner/sessions/{session.id}/confirm",
        data={"csrf_token": csrf_of(page.text), "case_id": [str(first.id), str(second.id)]},
        headers=HTML,
        follow_redirects=False,
    )
    assert confirmed.status_code == 303, confirmed.text
    booked = db.scalars(select(Booking).where(Booking.session_id == session.id)).all()
    assert {b.case_id for b in booked} == {first.id, second.id}
    assert {b.seat for b in booked} == {1, 2}
    for case in (first, second):
        db.refresh(case)
        assert case.state == CaseState.SCHEDULED
    listing = client.get("/planner/sessions", headers=HTML)
    assert listing.status_code == 200
    assert "2 / 3" in listing.text


def test_a_move_keeps_the_old_booking_and_points_back_at_it(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.SCHEDULED)
    old = factory.booking(case)
    later = factory.session("ar", starts_in=timedelta(days=7))

    moved = ok(
        client.post(
            f"{API}/bookings/{old.id}/move",
            headers=planner.headers,
            json={"session_id": str(later.id), "seat": 4, "reason": "applicant is ill"},
        )
    )

    assert moved["session_id"] == str(later.id)
    assert moved["seat"] == 4
    assert moved["moved_from_id"] == str(old.id)
    db.refresh(old)
    assert old.cancelled_at is not None
    assert old.cancel_reason == "moved: applicant is ill"
    assert old.cancelled_by_id == planner.user.id
    db.refresh(case)
    assert case.state == CaseState.SCHEDULED
    rows = db.scalars(select(Booking).where(Booking.case_id == case.id)).all()
    assert len(rows) == 2
    # A closed booking is history: moving it again is refused.
    assert_problem(
        client.post(
            f"{API}/bookings/{old.id}/move",
            headers=planner.headers,
            json={"session_id": str(later.id)},
        ),
        409,
        "booking_closed",
    )


def test_a_move_to_a_taken_seat_changes_nothing(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case, other = (factory.case_in(CaseState.CONSENTED) for _ in range(2))
    session = factory.session("ar", seats=2)
    later = factory.session("ar", seats=2, starts_in=timedelta(days=2))
    booking = sessions.book(db, session, case, planner.actor)
    sessions.book(db, later, other, planner.actor, seat=1)

    refused = client.post(
        f"{API}/bookings/{booking.id}/move",
        headers=planner.headers,
        json={"session_id": str(later.id), "seat": 1},
    )

    assert_problem(refused, 409, "seat_taken")
    db.expire_all()
    assert db.get_one(Booking, booking.id).cancelled_at is None


def test_a_cancellation_keeps_the_row_with_who_and_why_and_the_page_shows_it(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.SCHEDULED)
    booking = factory.booking(case)
    sign_in(client, planner.user.username)
    page = client.get(f"/planner/sessions/{booking.session_id}", headers=HTML)

    cancelled = client.post(
        f"/planner/bookings/{booking.id}/cancel",
        data={"csrf_token": csrf_of(page.text), "reason": "lawyer asked for another date"},
        headers=HTML,
        follow_redirects=False,
    )

    assert cancelled.status_code == 303
    db.refresh(booking)
    assert booking.cancel_reason == "lawyer asked for another date"
    assert booking.cancelled_by_id == planner.user.id
    db.refresh(case)
    assert case.state == CaseState.CONSENTED
    events = db.scalars(
        select(CaseEventRow.event).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id)
    ).all()
    assert events[-2:] == ["schedule", "unschedule"]
    history = client.get(f"/planner/sessions/{booking.session_id}", headers=HTML).text
    assert "lawyer asked for another date" in history


def test_rooms_are_listed_for_the_location(client, db, factory: Factory):
    host = factory.person(Role.HOST)
    sessions.create_room(db, factory.location(), RoomIn(name="Zaal 2", seats=3))
    rooms = ok(client.get(f"{API}/locations/{factory.location().id}/rooms", headers=host.headers))
    assert [(r["name"], r["seats"]) for r in rooms] == [("Zaal 2", 3)]


def test_a_host_lists_only_the_rooms_of_their_own_location(client, db, factory: Factory):
    host = factory.person(Role.HOST)
    elsewhere = Location(name=f"Elders {uuid.uuid4().hex[:6]}", address="Elders")
    db.add(elsewhere)
    db.flush()
    sessions.create_room(db, elsewhere, RoomIn(name="Zaal Elders", seats=4))
    refused = client.get(f"{API}/locations/{elsewhere.id}/rooms", headers=host.headers)
    assert_problem(refused, 404, "location_not_found")
    assert "Zaal Elders" not in refused.text
    # Planners plan every location.
    planner = factory.person(Role.PLANNER)
    rooms = ok(client.get(f"{API}/locations/{elsewhere.id}/rooms", headers=planner.headers))
    assert [r["name"] for r in rooms] == ["Zaal Elders"]


def test_one_sessions_proposal_takes_whoever_fits_even_if_an_earlier_session_would(
    client, db, factory
):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.CONSENTED)
    earlier = factory.session("ar", starts_in=timedelta(days=1))
    chosen = factory.session("ar", starts_in=timedelta(days=5))

    (overall,) = proposal(client, planner)
    assert overall["session_id"] == str(earlier.id)
    one = ok(
        client.get(
            f"{API}/proposal", params={"session_id": str(chosen.id)}, headers=planner.headers
        )
    )
    assert [(p["session_id"], p["case_id"]) for p in one] == [(str(chosen.id), str(case.id))]


def test_the_sessions_page_lists_who_waits_without_a_fitting_session(client, db, factory):
    planner = factory.person(Role.PLANNER)
    factory.case_in(CaseState.CONSENTED)  # Arabic: the session below fits
    factory.case_in(CaseState.CONSENTED, languages=["fa"], nationality="IR")
    factory.session("ar", starts_in=timedelta(days=1))
    sign_in(client, planner.user.username)

    page = client.get("/planner/sessions", headers=HTML).text

    waiting = page.split('id="unplaced"')[1]
    assert "Perzisch" in waiting
    assert "Arabisch" not in waiting


def test_a_cancelled_session_gives_every_seat_back_and_takes_no_more(client, db, factory):
    planner = factory.person(Role.PLANNER)
    first, second, later = (factory.case_in(CaseState.CONSENTED) for _ in range(3))
    session = factory.session("ar", seats=3, starts_in=timedelta(days=4))
    for case in (first, second):
        sessions.book(db, session, case, planner.actor)

    called_off = ok(
        client.delete(
            f"{API}/sessions/{session.id}",
            params={"reason": "no interpreter"},
            headers=planner.headers,
        )
    )

    assert called_off["cancelled_at"] is not None
    for case in (first, second):
        db.refresh(case)
        assert case.state == CaseState.CONSENTED
    closed = db.scalars(select(Booking).where(Booking.session_id == session.id)).all()
    assert {b.cancel_reason for b in closed} == {"session cancelled: no interpreter"}
    refused = client.post(
        f"{API}/sessions/{session.id}/bookings",
        headers=planner.headers,
        json={"case_id": str(later.id)},
    )
    assert_problem(refused, 409, "session_cancelled")
    assert proposal(client, planner) == []


def test_a_session_with_someone_checked_in_is_not_called_off(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.CHECKED_IN)
    booking = factory.booking(case)
    refused = client.delete(f"{API}/sessions/{booking.session_id}", headers=planner.headers)
    assert_problem(refused, 409, "booking_checked_in")
