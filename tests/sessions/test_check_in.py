"""Hosts work at one location: they see its sessions and seat lists (with the names they
check people in by), nothing of other locations, and check in only there and only in the
session's window (from an hour before the start until its end)."""

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session, object_session

from service.core.clock import utcnow
from service.models import Role
from service.models.cases import Case
from service.models.sessions import Booking, HearingSession, Location
from service.sessions import service as sessions
from service.sessions.schemas import Identity
from service.workflow import CaseState
from tests.factories import Factory
from tests.helpers import API, assert_problem, ok

CHECK_IN = {"applicant_consent_confirmed": True}


def elsewhere(db: Session, factory: Factory) -> tuple[HearingSession, Booking]:
    """A booked session at another location than the factory's (the host's) one."""
    other = Location(name=f"Elders {uuid.uuid4().hex[:6]}", address="Elders")
    db.add(other)
    db.flush()
    case = factory.case_in(CaseState.CONSENTED)
    hearing = factory.session("ar", seats=4, starts_in=timedelta(minutes=30), location=other)
    booking = sessions.book(db, hearing, case, factory.person(Role.PLANNER).actor)
    return hearing, booking


def check_in(client, headers, booking: Booking):
    """The host types in what the applicant's document says (here: what the file says)."""
    case = object_session(booking).get_one(Case, booking.case_id)
    identity = Identity.on_file(case).model_dump(mode="json")
    return client.post(
        f"{API}/bookings/{booking.id}/check-in", headers=headers, json=identity | CHECK_IN
    )


# --- seat lists ---------------------------------------------------------------------------


def test_host_reads_the_seat_list_of_their_location_with_names(client, db, factory):
    host = factory.person(Role.HOST)
    case = factory.case_in(
        CaseState.SCHEDULED, applicant_name="Hawa Abdi Warsame", date_of_birth="1988-09-30"
    )
    booking = factory.booking(case)

    seat_list = ok(client.get(f"{API}/sessions/{booking.session_id}", headers=host.headers))
    assert seat_list["booked"] == 1
    (seat,) = seat_list["bookings"]
    assert seat["case_id"] == str(case.id)
    assert seat["seat"] == booking.seat
    # What the host checks the person at the desk against.
    assert seat["applicant_name"] == "Hawa Abdi Warsame"
    assert seat["date_of_birth"] == "1988-09-30"
    assert seat["v_number"] == case.v_number


def test_host_does_not_see_another_locations_sessions(client, db, factory):
    host = factory.person(Role.HOST)
    own = factory.session("ar")
    other, _ = elsewhere(db, factory)

    listed = {s["id"] for s in ok(client.get(f"{API}/sessions", headers=host.headers))}
    assert str(own.id) in listed
    assert str(other.id) not in listed
    by_location = client.get(
        f"{API}/sessions?location_id={other.location_id}", headers=host.headers
    )
    assert ok(by_location) == []
    assert_problem(
        client.get(f"{API}/sessions/{other.id}", headers=host.headers), 404, "session_not_found"
    )
    # A planner sees both.
    planner = factory.person(Role.PLANNER)
    everything = {s["id"] for s in ok(client.get(f"{API}/sessions", headers=planner.headers))}
    assert {str(own.id), str(other.id)} <= everything
    ok(client.get(f"{API}/sessions/{other.id}", headers=planner.headers))


def test_host_checks_in_only_at_their_own_location(client, db, factory):
    host = factory.person(Role.HOST)
    own_case = factory.case_in(CaseState.SCHEDULED)
    _, foreign = elsewhere(db, factory)

    assert_problem(check_in(client, host.headers, foreign), 404, "booking_not_found")
    db.refresh(foreign)
    assert foreign.checked_in_at is None
    checked_in = ok(check_in(client, host.headers, factory.booking(own_case)))
    assert checked_in["kiosk_code"]
    assert checked_in["booking"]["applicant_name"] == own_case.applicant_name


# --- the check-in window ------------------------------------------------------------------


def test_check_in_for_a_session_tomorrow_is_closed(client, db, factory):
    host = factory.person(Role.HOST)
    case = factory.case(nationality="SY")
    tomorrow = factory.session("ar", starts_in=timedelta(days=1))
    driver = factory.driver()
    driver.seat = lambda _: tomorrow
    driver.drive(case, CaseState.SCHEDULED)

    problem = assert_problem(
        check_in(client, host.headers, factory.booking(case)), 409, "check_in_closed"
    )
    assert "open from" in problem["detail"]
    db.refresh(case)
    assert case.state == CaseState.SCHEDULED


def test_check_in_after_the_session_ended_is_closed(client, db, factory):
    host = factory.person(Role.HOST)
    case = factory.case_in(CaseState.SCHEDULED)
    booking = factory.booking(case)
    hearing = db.get_one(HearingSession, booking.session_id)
    hearing.starts_at = utcnow() - timedelta(minutes=hearing.duration_minutes + 1)
    db.flush()

    assert_problem(check_in(client, host.headers, booking), 409, "check_in_closed")
    db.refresh(case)
    assert case.state == CaseState.SCHEDULED


def test_check_in_opens_an_hour_before_the_start(client, db, factory):
    host = factory.person(Role.HOST)
    early, on_time = factory.case_in(CaseState.SCHEDULED), factory.case_in(CaseState.SCHEDULED)
    for case, starts_in in ((early, timedelta(minutes=61)), (on_time, timedelta(minutes=59))):
        hearing = db.get_one(HearingSession, factory.booking(case).session_id)
        hearing.starts_at = utcnow() + starts_in
    db.flush()

    assert_problem(check_in(client, host.headers, factory.booking(early)), 409, "check_in_closed")
    ok(check_in(client, host.headers, factory.booking(on_time)))
