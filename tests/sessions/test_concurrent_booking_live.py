"""Booking, moving and re-issuing codes at the same instant against a real app process.

Twenty planners (or hosts) press the button at once; the service's own checks cannot
see each other's uncommitted work, so the database decides: the partial unique indexes
on (session, seat) and on the case for active bookings, the case's version column, and
the unique index on a booking's live kiosk code. Never a 5xx, never a seat or a case
twice, never more people in a session than it has seats.

Runs on the suite's database: with HEARING_TEST_DATABASE_URL on PostgreSQL the app
process gets a fresh PostgreSQL database of its own.
"""

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from service.models import Role
from service.models.sessions import Booking, KioskCode
from service.sessions import service as sessions
from service.sessions.schemas import Identity
from service.workflow import CaseState
from tests.live import drop_database, engine_for, fresh_database, seeded, start_app
from tests.test_concurrency import API, REQUESTS, SECOND_WRITE, Live, at_once, one_winner

ACTIVE = Booking.cancelled_at.is_(None)


@pytest.fixture(scope="module")
def booking_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("booking-race")
    database_url = fresh_database(tmp, "booking_race")
    try:
        with engine_for(database_url) as engine:
            app = start_app(database_url, tmp)
            try:
                live = Live(app, engine)
                live.app.new_errors()
                yield live
                excerpt = live.app.new_errors()
                assert not excerpt, f"server error:\n{excerpt}"
            finally:
                app.process.stop()
    finally:
        drop_database(database_url)


def test_one_case_into_twenty_overlapping_sessions(booking_server: Live):
    with seeded(booking_server.engine) as factory:
        planner = factory.person(Role.PLANNER)
        # Twenty sessions in the same morning: the same applicant cannot sit in two.
        hearings = [
            factory.session("ar", seats=2, starts_in=timedelta(days=1, minutes=i))
            for i in range(REQUESTS)
        ]
        case = factory.case_in(CaseState.CONSENTED)

    answers = at_once(
        booking_server.app,
        lambda client, i: client.post(
            f"{API}/sessions/{hearings[i].id}/bookings",
            headers=planner.headers,
            json={"case_id": str(case.id)},
        ),
    )

    one_winner(answers, 201, 409, SECOND_WRITE | {"case_already_booked"})
    mine = select(func.count()).select_from(Booking).where(Booking.case_id == case.id)
    assert booking_server.count(mine) == 1


def test_twenty_cases_for_five_seats_fill_exactly_five(booking_server: Live):
    with seeded(booking_server.engine) as factory:
        planner = factory.person(Role.PLANNER)
        hearing = factory.session("ar", seats=5, starts_in=timedelta(days=2))
        cases = [factory.case_in(CaseState.CONSENTED) for _ in range(REQUESTS)]

    # No seat given: each request takes "the first free seat" it read.
    answers = at_once(
        booking_server.app,
        lambda client, i: client.post(
            f"{API}/sessions/{hearing.id}/bookings",
            headers=planner.headers,
            json={"case_id": str(cases[i].id)},
        ),
    )

    statuses = sorted(a.status for a in answers)
    assert all(s in (201, 409) for s in statuses), statuses
    refused = {a.body["code"] for a in answers if a.status == 409}
    assert refused <= {"seat_taken", "session_full"}, refused
    booked = [a.body["seat"] for a in answers if a.status == 201]
    assert 1 <= len(booked) <= 5
    assert len(set(booked)) == len(booked)
    in_session = select(Booking.seat).where(Booking.session_id == hearing.id, ACTIVE)
    with booking_server.engine.connect() as conn:
        seats = conn.scalars(in_session).all()
    assert sorted(seats) == sorted(booked)
    assert len(seats) <= 5


def test_twenty_moves_of_one_booking(booking_server: Live):
    with seeded(booking_server.engine) as factory:
        planner = factory.person(Role.PLANNER)
        case = factory.case_in(CaseState.SCHEDULED)
        booking = factory.booking(case)
        targets = [
            factory.session("ar", seats=1, starts_in=timedelta(days=3, hours=i))
            for i in range(REQUESTS)
        ]

    answers = at_once(
        booking_server.app,
        lambda client, i: client.post(
            f"{API}/bookings/{booking.id}/move",
            headers=planner.headers,
            json={"session_id": str(targets[i].id), "reason": f"move {i}"},
        ),
    )

    winner = one_winner(answers, 200, 409, SECOND_WRITE | {"booking_closed", "case_already_booked"})
    assert winner.body["moved_from_id"] == str(booking.id)
    active = select(func.count()).where(Booking.case_id == case.id, ACTIVE)
    assert booking_server.count(active) == 1
    everything = select(func.count()).select_from(Booking).where(Booking.case_id == case.id)
    assert booking_server.count(everything) == 2  # the old one, closed, and the new one


def test_twenty_new_codes_for_one_applicant_leave_one_live_code(booking_server: Live):
    with seeded(booking_server.engine) as factory:
        host = factory.person(Role.HOST)
        case = factory.case_in(CaseState.SCHEDULED)
        booking = factory.booking(case)
        sessions.check_in(factory.db, booking, host.actor, Identity.on_file(case), True)

    answers = at_once(
        booking_server.app,
        lambda client, i: client.post(
            f"{API}/bookings/{booking.id}/kiosk-code", headers=host.headers
        ),
    )

    assert all(a.status in (200, 409) for a in answers), [a.status for a in answers]
    assert any(a.status == 200 for a in answers)
    live = select(func.count()).where(
        KioskCode.booking_id == booking.id,
        KioskCode.used_at.is_(None),
        KioskCode.revoked_at.is_(None),
    )
    assert booking_server.count(live) == 1
    # Only the code of the last committed re-issue signs in; every other one is dead.
    codes = [a.body["kiosk_code"] for a in answers if a.status == 200]
    signed_in = [c for c in codes if kiosk_login(booking_server, c) == 200]
    assert len(signed_in) == 1


def kiosk_login(server: Live, code: str) -> int:
    response = httpx.post(
        f"{server.app.url}{API}/kiosk/login", json={"code": code}, trust_env=False
    )
    return response.status_code
