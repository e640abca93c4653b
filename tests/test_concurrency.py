"""Twenty identical requests at the same instant against a real app process: exactly one
succeeds, every other one gets a clean 409 (a used kiosk code: 401), never a 5xx, and the
database holds exactly one of each thing.

Runs on the suite's database, so CI covers SQLite and PostgreSQL. Regressions:

* SQLite began transactions DEFERRED: two writers that had both read upgraded to a write
  lock at once and one got "database is locked" (a 500). Writers now BEGIN IMMEDIATE.
* Kiosk codes were checked with a SELECT and spent with a later UPDATE: twenty logins
  with one code gave four kiosk sessions on PostgreSQL. One conditional UPDATE now spends
  the code, so exactly one login wins.
"""

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from service.audit import service as audit
from service.models import AuditEntry, Role
from service.models.auth import ApiToken
from service.models.cases import Case, CaseEventRow
from service.models.invitations import Invitation
from service.models.sessions import Booking, KioskCode
from service.sessions import service as sessions
from service.sessions.schemas import Identity
from service.workflow import CaseState
from tests.live import App, drop_database, engine_for, fresh_database, seeded, start_app
from tests.test_idempotency import new_case

REQUESTS = 20
API = "/api/v1"
PROBLEM_JSON = "application/problem+json"


@dataclass
class Live:
    app: App
    engine: Engine

    def count(self, query: Any) -> int:
        with Session(self.engine) as db:
            return int(db.scalar(query) or 0)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app in a real uvicorn process on a fresh, migrated database of its own."""
    tmp = tmp_path_factory.mktemp("concurrency")
    database_url = fresh_database(tmp, "concurrency")
    try:
        with engine_for(database_url) as engine:
            app = start_app(database_url, tmp)
            try:
                yield Live(app, engine)
            finally:
                app.process.stop()
    finally:
        drop_database(database_url)


@pytest.fixture
def server(live: Live) -> Iterator[Live]:
    """The live app; a traceback or a 500 in its log during the test fails the test."""
    live.app.new_errors()  # earlier output belongs to earlier tests
    yield live
    excerpt = live.app.new_errors()
    if excerpt:
        pytest.fail(f"server error during this test:\n{excerpt}", pytrace=False)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: Any


def at_once(app: App, send: Callable[[httpx.Client, int], httpx.Response]) -> list[Answer]:
    """Send ``REQUESTS`` requests, each on its own connection, released by one barrier."""
    barrier = threading.Barrier(REQUESTS, timeout=30)
    answers: list[Answer | BaseException | None] = [None] * REQUESTS

    def one(i: int) -> None:
        try:
            with httpx.Client(base_url=app.url, timeout=60, trust_env=False) as client:
                client.get("/health").raise_for_status()  # the connection is open before
                barrier.wait()
                response = send(client, i)
                content_type = response.headers.get("content-type", "")
                body = response.json() if "json" in content_type else response.text
                answers[i] = Answer(response.status_code, content_type, body)
        except BaseException as exc:  # reported below, with the others
            barrier.abort()
            answers[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(t.is_alive() for t in threads), "a request hung"
    failed = [a for a in answers if not isinstance(a, Answer)]
    assert not failed, f"requests failed: {failed!r}"
    return [a for a in answers if isinstance(a, Answer)]


def one_winner(answers: list[Answer], won: int, lost: int, codes: set[str]) -> Answer:
    """Exactly one ``won``; every other answer a ``lost`` problem document with a known code."""
    statuses = sorted(a.status for a in answers)
    errors = [a for a in answers if a.status >= 500]
    assert not errors, f"{len(errors)} server errors ({statuses}), e.g. {errors[0]!r}"
    winners = [a for a in answers if a.status == won]
    assert len(winners) == 1, f"{len(winners)} requests succeeded: {statuses}"
    losers = [a for a in answers if a is not winners[0]]
    for answer in losers:
        assert answer.status == lost, answers
        assert answer.content_type.startswith(PROBLEM_JSON), answer
        assert answer.body["status"] == lost
        assert answer.body["code"] in codes, answer.body
        assert answer.body["detail"]
    return winners[0]


def events(case_id: uuid.UUID, event: str) -> Any:
    return (
        select(func.count())
        .select_from(CaseEventRow)
        .where(CaseEventRow.case_id == case_id, CaseEventRow.event == event)
    )


# Refusals of a second identical write: the workflow, a closed thing, or the version check.
SECOND_WRITE = {"illegal_transition", "concurrent_change", "conflict"}


def test_twenty_consent_replies_to_one_invitation(server: Live):
    with seeded(server.engine) as factory:
        lawyer = factory.person(Role.LAWYER)
        case = factory.case_in(CaseState.INVITED)
        invitation = factory.db.scalars(
            select(Invitation).where(Invitation.case_id == case.id)
        ).one()

    answers = at_once(
        server.app,
        lambda client, i: client.post(
            f"{API}/invitations/{invitation.id}/reply",
            headers=lawyer.headers,
            json={"consent": True, "note": f"reply {i}"},
        ),
    )

    winner = one_winner(answers, 200, 409, SECOND_WRITE | {"invitation_closed"})
    assert winner.body["status"] == "consented"
    assert server.count(events(case.id, "consent")) == 1
    with Session(server.engine) as db:
        assert db.get_one(Case, case.id).state == CaseState.CONSENTED
        assert db.get_one(Invitation, invitation.id).note == winner.body["note"]


def test_twenty_check_ins_of_one_booking(server: Live):
    with seeded(server.engine) as factory:
        host = factory.person(Role.HOST)
        case = factory.case_in(CaseState.SCHEDULED)  # in a session that starts in 30 minutes
        booking = factory.booking(case)

    answers = at_once(
        server.app,
        lambda client, i: client.post(
            f"{API}/bookings/{booking.id}/check-in",
            headers=host.headers,
            json=factory.identity(case) | {"applicant_consent_confirmed": True},
        ),
    )

    winner = one_winner(answers, 200, 409, SECOND_WRITE)
    assert winner.body["kiosk_code"]
    assert server.count(events(case.id, "check_in")) == 1
    codes = select(func.count()).select_from(KioskCode).where(KioskCode.booking_id == booking.id)
    assert server.count(codes) == 1, "one kiosk code per check-in"


def test_twenty_kiosk_logins_with_one_code(server: Live):
    with seeded(server.engine) as factory:
        host = factory.person(Role.HOST)
        case = factory.case_in(CaseState.SCHEDULED)
        identity = Identity.on_file(case)
        code = sessions.check_in(factory.db, factory.booking(case), host.actor, identity, True)

    answers = at_once(
        server.app,
        lambda client, i: client.post(
            f"{API}/kiosk/login",
            json={"code": code},
            # Twenty kiosks of one location: the sign-in throttle counts per client.
            headers={"X-Forwarded-For": f"10.0.0.{i + 1}"},
        ),
    )

    winner = one_winner(answers, 200, 401, {"kiosk_code_invalid"})
    assert winner.body["role"] == "applicant"
    tokens = select(func.count()).select_from(ApiToken).where(ApiToken.case_id == case.id)
    assert server.count(tokens) == 1, "one kiosk session per code"
    me = httpx.get(
        f"{server.app.url}{API}/me",
        headers={"Authorization": f"Bearer {winner.body['access_token']}"},
        trust_env=False,
    )
    assert me.status_code == 200, me.text
    assert me.json()["case_id"] == str(case.id)


def test_twenty_invitations_of_one_case(server: Live):
    with seeded(server.engine) as factory:
        planner = factory.person(Role.PLANNER)
        case = factory.case_in(CaseState.SCREENED)

    answers = at_once(
        server.app,
        lambda client, i: client.post(
            f"{API}/cases/{case.id}/invitation", headers=planner.headers, json={}
        ),
    )

    one_winner(answers, 201, 409, SECOND_WRITE)
    invitations = select(func.count()).select_from(Invitation).where(Invitation.case_id == case.id)
    assert server.count(invitations) == 1
    assert server.count(events(case.id, "invite")) == 1


def test_twenty_bookings_of_one_seat(server: Live):
    with seeded(server.engine) as factory:
        planner = factory.person(Role.PLANNER)
        hearing = factory.session("ar", seats=REQUESTS)
        cases = [factory.case_in(CaseState.CONSENTED) for _ in range(REQUESTS)]

    answers = at_once(
        server.app,
        lambda client, i: client.post(
            f"{API}/sessions/{hearing.id}/bookings",
            headers=planner.headers,
            json={"case_id": str(cases[i].id), "seat": 1},
        ),
    )

    winner = one_winner(answers, 201, 409, {"seat_taken"})
    assert winner.body["seat"] == 1
    in_session = select(func.count()).select_from(Booking).where(Booking.session_id == hearing.id)
    assert server.count(in_session) == 1
    ids = [c.id for c in cases]
    schedules = (
        select(func.count())
        .select_from(CaseEventRow)
        .where(CaseEventRow.case_id.in_(ids), CaseEventRow.event == "schedule")
    )
    assert server.count(schedules) == 1
    with Session(server.engine) as db:
        states = {c.id: c.state for c in db.scalars(select(Case).where(Case.id.in_(ids)))}
    assert states[uuid.UUID(winner.body["case_id"])] == CaseState.SCHEDULED
    assert sorted(states.values()) == sorted(
        [CaseState.SCHEDULED] + [CaseState.CONSENTED] * (REQUESTS - 1)
    )


def hearing(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The ``hearing`` command line against the live app's database."""
    env = {**os.environ, "HEARING_DATABASE_URL": database_url, "HEARING_ENV": "test"}
    return subprocess.run(  # noqa: S603 - our own fixed command
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_twenty_reads_at_once_keep_one_audit_trail(server: Live):
    with seeded(server.engine) as factory:
        officer = factory.person(Role.OFFICER)
        case = factory.case_in(CaseState.SUBMITTED)

    answers = at_once(
        server.app,
        lambda client, i: client.get(f"{API}/cases/{case.id}/answers", headers=officer.headers),
    )
    assert [a.status for a in answers] == [200] * REQUESTS
    with Session(server.engine) as db:
        recorded = db.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id)).all()
        assert len(recorded) == REQUESTS
        assert audit.verify(db).intact

    sealed = hearing(server.app.database_url, "audit", "seal")
    assert sealed.returncode == 0, sealed.stderr
    verified = hearing(server.app.database_url, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "none unsealed" in verified.stdout
    with Session(server.engine) as db:
        last = audit.head(db)
        everything = db.scalar(select(func.max(AuditEntry.seq)))
    assert last is not None
    assert last.last_seq == everything
    head = hearing(server.app.database_url, "audit", "head")
    assert head.stdout.split() == [str(last.number), str(last.last_seq), last.hash]


def test_twenty_keyed_creations_at_once_create_one_case(server: Live):
    v_number = f"{uuid.uuid4().int % 10**10:010d}"
    with seeded(server.engine) as factory:
        planner = factory.person(Role.PLANNER)
        body = new_case(factory, v_number)
    headers = {**planner.headers, "Idempotency-Key": f"create-{v_number}"}

    answers = at_once(
        server.app, lambda client, i: client.post(f"{API}/cases", json=body, headers=headers)
    )
    assert [a.status for a in answers] == [201] * REQUESTS, [a.body for a in answers]
    assert len({a.body["id"] for a in answers}) == 1
    assert server.count(select(func.count()).where(Case.v_number == v_number)) == 1
