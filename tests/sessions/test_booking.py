"""Booking seats over HTTP: the 2020 failures (double booking, the wrong group at a
location) are refused with a clear 409, and the case's state follows its seat."""

from datetime import timedelta

from sqlalchemy import select

from service.core.clock import utcnow
from service.models import Role
from service.models.sessions import KioskCode
from service.workflow import CaseState
from tests.helpers import API, assert_problem


def book(client, planner, session_id, case_id, seat=None):
    body = {"case_id": str(case_id)} | ({"seat": seat} if seat is not None else {})
    return client.post(f"{API}/sessions/{session_id}/bookings", headers=planner.headers, json=body)


def state_of(client, planner, case) -> str:
    response = client.get(f"{API}/cases/{case.id}", headers=planner.headers)
    assert response.status_code == 200, response.text
    return response.json()["state"]


def seats_of(client, planner, session) -> dict[int, str]:
    response = client.get(f"{API}/sessions/{session.id}", headers=planner.headers)
    assert response.status_code == 200, response.text
    return {b["seat"]: b["case_id"] for b in response.json()["bookings"]}


def test_booking_puts_the_case_on_the_seat(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.CONSENTED)
    session = factory.session("ar", seats=4)

    booked = book(client, planner, session.id, case.id, seat=3)
    assert booked.status_code == 201, booked.text
    assert booked.json()["seat"] == 3
    assert state_of(client, planner, case) == "scheduled"
    assert seats_of(client, planner, session) == {3: str(case.id)}


def test_wrong_language_group_is_refused(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.CONSENTED)  # speaks Arabic
    farsi = factory.session("fa")

    problem = assert_problem(book(client, planner, farsi.id, case.id), 409, "wrong_language_group")
    assert "'fa'" in problem["detail"]
    assert state_of(client, planner, case) == "consented"
    assert seats_of(client, planner, farsi) == {}


def test_seat_outside_the_session_is_refused(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.CONSENTED)
    session = factory.session("ar", seats=4)

    assert_problem(book(client, planner, session.id, case.id, seat=5), 422, "seat_out_of_range")
    assert_problem(book(client, planner, session.id, case.id, seat=0), 422, "validation_error")
    assert_problem(book(client, planner, session.id, case.id, seat=-1), 422, "validation_error")
    assert state_of(client, planner, case) == "consented"
    # The last seat exists.
    assert book(client, planner, session.id, case.id, seat=4).status_code == 201


def test_full_session_is_refused(client, db, factory):
    planner = factory.person(Role.PLANNER)
    first, second, third = (factory.case_in(CaseState.CONSENTED) for _ in range(3))
    session = factory.session("ar", seats=2)

    # Without a seat number the first free seat is taken.
    assert book(client, planner, session.id, first.id).json()["seat"] == 1
    assert book(client, planner, session.id, second.id).json()["seat"] == 2
    assert_problem(book(client, planner, session.id, third.id), 409, "session_full")
    assert state_of(client, planner, third) == "consented"


def test_the_same_seat_is_never_booked_twice(client, db, factory):
    planner = factory.person(Role.PLANNER)
    first, second = (factory.case_in(CaseState.CONSENTED) for _ in range(2))
    session = factory.session("ar")

    assert book(client, planner, session.id, first.id, seat=7).status_code == 201
    assert_problem(book(client, planner, session.id, second.id, seat=7), 409, "seat_taken")
    # The refused case did not move (its state change was rolled back with the booking).
    assert state_of(client, planner, second) == "consented"
    assert seats_of(client, planner, session) == {7: str(first.id)}


def test_the_same_case_is_never_booked_twice(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.CONSENTED)
    morning, afternoon = factory.session("ar"), factory.session("ar")

    assert book(client, planner, morning.id, case.id).status_code == 201
    again = book(client, planner, afternoon.id, case.id)
    assert again.status_code == 409, again.text
    assert again.json()["code"] in {"illegal_transition", "case_already_booked"}
    assert seats_of(client, planner, afternoon) == {}
    # Booking the same session again is refused just the same.
    assert book(client, planner, morning.id, case.id).status_code == 409
    assert list(seats_of(client, planner, morning).values()) == [str(case.id)]


def test_cancel_frees_the_seat_and_returns_the_case_to_consented(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case, other = (factory.case_in(CaseState.CONSENTED) for _ in range(2))
    session = factory.session("ar", seats=1)

    booking = book(client, planner, session.id, case.id).json()
    assert_problem(book(client, planner, session.id, other.id), 409, "session_full")

    url = f"{API}/bookings/{booking['id']}"
    # A cancellation says why: kept with the closed booking.
    assert_problem(client.delete(url, headers=planner.headers), 422, "validation_error")
    cancelled = client.delete(url, params={"reason": "ill"}, headers=planner.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled_at"] is not None
    assert cancelled.json()["cancel_reason"] == "ill"
    assert state_of(client, planner, case) == "consented"
    timeline = client.get(f"{API}/cases/{case.id}/timeline", headers=planner.headers).json()
    assert [e["event"] for e in timeline[-2:]] == ["schedule", "unschedule"]

    # The seat is free for another case; the cancelled case can be planned again.
    assert book(client, planner, session.id, other.id, seat=1).status_code == 201
    later = factory.session("ar")
    assert book(client, planner, later.id, case.id).status_code == 201
    assert state_of(client, planner, case) == "scheduled"

    # Cancelling twice changes nothing.
    again = client.delete(url, params={"reason": "again"}, headers=planner.headers)
    assert again.json()["cancelled_at"] == cancelled.json()["cancelled_at"]
    assert state_of(client, planner, case) == "scheduled"


def test_session_in_the_past_is_refused(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.CONSENTED)
    session = factory.session("ar")

    # A new session cannot be planned in the past ...
    planned = client.post(
        f"{API}/sessions",
        headers=planner.headers,
        json={
            "location_id": str(session.location_id),
            "starts_at": (utcnow() - timedelta(hours=1)).isoformat(),
            "seats": 10,
            "language": "ar",
        },
    )
    assert_problem(planned, 409, "session_in_past")
    # ... and one that has started takes no more bookings.
    session.starts_at = utcnow() - timedelta(minutes=5)
    assert_problem(book(client, planner, session.id, case.id), 409, "session_in_past")
    assert state_of(client, planner, case) == "consented"


def test_only_consented_cases_are_booked(client, db, factory):
    planner = factory.person(Role.PLANNER)
    invited = factory.case_in(CaseState.INVITED)
    session = factory.session("ar")

    problem = assert_problem(
        book(client, planner, session.id, invited.id), 409, "illegal_transition"
    )
    assert "'invited'" in problem["detail"]


def test_check_in_without_the_applicants_consent_gives_no_kiosk_code(client, db, factory):
    host = factory.person(Role.HOST)
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.SCHEDULED)
    booking = factory.booking(case)

    refused = client.post(
        f"{API}/bookings/{booking.id}/check-in",
        headers=host.headers,
        json=factory.identity(case) | {"applicant_consent_confirmed": False},
    )
    problem = assert_problem(refused, 409, "rule_violated")
    assert "consent" in problem["detail"]
    assert "kiosk_code" not in problem
    assert db.scalars(select(KioskCode).where(KioskCode.booking_id == booking.id)).all() == []
    assert state_of(client, planner, case) == "scheduled"
    db.refresh(booking)
    assert booking.checked_in_at is None

    confirmed = client.post(
        f"{API}/bookings/{booking.id}/check-in",
        headers=host.headers,
        json=factory.identity(case) | {"applicant_consent_confirmed": True},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["kiosk_code"]
    assert len(db.scalars(select(KioskCode).where(KioskCode.booking_id == booking.id)).all()) == 1
    assert state_of(client, planner, case) == "checked_in"


def test_cancelled_booking_cannot_be_checked_in(client, db, factory):
    host = factory.person(Role.HOST)
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.SCHEDULED)
    booking = factory.booking(case)

    cancelled = client.delete(
        f"{API}/bookings/{booking.id}", params={"reason": "ill"}, headers=planner.headers
    )
    assert cancelled.status_code == 200
    refused = client.post(
        f"{API}/bookings/{booking.id}/check-in",
        headers=host.headers,
        json=factory.identity(case) | {"applicant_consent_confirmed": True},
    )
    assert_problem(refused, 409, "booking_closed")
    assert db.scalars(select(KioskCode).where(KioskCode.booking_id == booking.id)).all() == []
