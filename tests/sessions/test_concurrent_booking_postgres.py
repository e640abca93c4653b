"""Double booking and double claiming under real concurrency, on a real PostgreSQL database.

Eight planners press "book" at the same instant. The service's own checks cannot
see each other's uncommitted work, so the database has to refuse: the partial
unique indexes on (session, seat) and (case) for active bookings, and the optimistic
version column on cases. Exactly one booking may survive.

Always runs against PostgreSQL (a fresh database of its own), whatever database
the rest of the suite uses; under CI=true an unreachable server is a failure.
"""

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from service.auth.schemas import UserIn
from service.auth.service import create_user
from service.cases.schemas import CaseIn
from service.cases.service import create_case
from service.cli import run_migrations
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.db import make_engine
from service.eligibility.service import screen_case
from service.invitations import service as invitations
from service.invitations.schemas import ReplyIn
from service.models import Booking, Case, HearingSession, Role
from service.models.cases import CaseEventRow
from service.sessions import service as sessions
from service.sessions.exceptions import CaseAlreadyBooked, SeatTaken
from service.sessions.schemas import InterpreterIn, LocationIn, SessionIn
from service.workflow import CaseState
from tests.conftest import POSTGRES_URL, require_server, unique_v_number

pytestmark = pytest.mark.postgres

THREADS = 8
BOOKED = "booked"


def _psycopg(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


@pytest.fixture(scope="module")
def pg_engine() -> Iterator[Engine]:
    """A fresh, migrated database with a unique name, dropped afterwards."""
    base = make_url(_psycopg(POSTGRES_URL))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except OperationalError as exc:
        admin.dispose()
        require_server("PostgreSQL", False, f"{base.render_as_string()}: {exc.orig}")
    name = f"hearing_race_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = None
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        run_migrations(url)
        engine = make_engine(url)
        yield engine
    finally:
        if engine is not None:
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Office:
    """Users, a location and consented cases, committed through the real services."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        tag = uuid.uuid4().hex[:8]
        with self.sessions.begin() as db:
            planner = self._user(db, Role.PLANNER, f"planner.{tag}")
            lawyer = self._user(db, Role.LAWYER, f"lawyer.{tag}")
            self.planner = Actor(role=Role.PLANNER, user_id=planner.id)
            self.lawyer = Actor(role=Role.LAWYER, user_id=lawyer.id)
            self.lawyer_name = lawyer.username
            self.location_id = sessions.create_location(db, LocationIn(name=f"Race {tag}")).id

    @staticmethod
    def _user(db: Session, role: Role, username: str):
        return create_user(
            db,
            UserIn(
                username=username,
                display_name=username,
                role=role,
                password="correct horse battery staple",
            ),
        )

    def hearing_sessions(self, count: int, seats: int) -> list[uuid.UUID]:
        with self.sessions.begin() as db:
            return [
                sessions.create_session(
                    db,
                    SessionIn(
                        location_id=self.location_id,
                        starts_at=utcnow() + timedelta(days=3, hours=i),
                        seats=seats,
                        language="ar",
                        interpreters=[InterpreterIn(language="ar", gender="female")],
                    ),
                ).id
                for i in range(count)
            ]

    def consented_cases(self, count: int) -> list[uuid.UUID]:
        ids = []
        with self.sessions.begin() as db:
            for _ in range(count):
                case = create_case(
                    db,
                    CaseIn(
                        v_number=unique_v_number(),
                        applicant_name="Amal Haddad",
                        date_of_birth=date(1991, 4, 17),
                        nationality="SY",
                        languages=["ar"],
                        date_of_application=date(2019, 11, 4),
                        lawyer=self.lawyer_name,
                        literacy="known",
                    ),
                    self.planner,
                )
                screen_case(db, case, self.planner)
                invitation = invitations.invite(db, case, self.planner)
                invitations.reply(
                    db, self.lawyer, invitation, ReplyIn(consent=True, note="client agrees")
                )
                assert case.state == "consented"
                ids.append(case.id)
        return ids


def race(office: Office, attempts: list[tuple[uuid.UUID, uuid.UUID, int]]) -> list[object]:
    """Each thread books (session, case, seat) in its own transaction, all at once.

    Returns per thread either BOOKED or the exception that refused it.
    """
    barrier = threading.Barrier(len(attempts), timeout=30)
    outcomes: list[object] = [None] * len(attempts)

    def attempt(i: int) -> None:
        session_id, case_id, seat = attempts[i]
        with office.sessions() as db:
            try:
                # Read first, like a request would; then everybody writes at once.
                hearing = db.get_one(HearingSession, session_id)
                case = db.get_one(Case, case_id)
                barrier.wait()
                sessions.book(db, hearing, case, office.planner, seat)
                db.commit()
                outcomes[i] = BOOKED
            except Exception as exc:
                db.rollback()
                outcomes[i] = exc

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a booking thread hung"
    return outcomes


def assert_one_winner(outcomes: list[object], refusals: tuple[type[Exception], ...]) -> None:
    winners = [o for o in outcomes if o == BOOKED]
    unexpected = [o for o in outcomes if o != BOOKED and not isinstance(o, refusals)]
    assert not unexpected, f"unexpected outcomes: {unexpected!r}"
    assert len(winners) == 1, f"{len(winners)} bookings committed: {outcomes!r}"


def count(office: Office, query: Callable[[], object]) -> int:
    with office.sessions() as db:
        return db.scalar(query())


def test_same_seat_booked_at_once_by_many_planners(pg_engine):
    office = Office(pg_engine)
    (session_id,) = office.hearing_sessions(1, seats=THREADS)
    cases = office.consented_cases(THREADS)

    outcomes = race(office, [(session_id, case_id, 1) for case_id in cases])

    assert_one_winner(outcomes, (SeatTaken, IntegrityError))
    active = Booking.cancelled_at.is_(None)
    assert (
        count(
            office,
            lambda: (
                select(func.count()).select_from(Booking).where(Booking.session_id == session_id)
            ),
        )
        == 1
    )
    assert (
        count(
            office,
            lambda: select(func.count()).where(
                Booking.session_id == session_id, Booking.seat == 1, active
            ),
        )
        == 1
    )
    # Only the winner's case moved on, with one event; the others are still to be planned.
    with office.sessions() as db:
        states = sorted(db.scalars(select(Case.state).where(Case.id.in_(cases))))
        schedules = db.scalar(
            select(func.count())
            .select_from(CaseEventRow)
            .where(CaseEventRow.case_id.in_(cases), CaseEventRow.event == "schedule")
        )
    assert states == ["consented"] * (THREADS - 1) + ["scheduled"]
    assert schedules == 1


def test_same_case_booked_at_once_into_different_sessions(pg_engine):
    office = Office(pg_engine)
    session_ids = office.hearing_sessions(THREADS // 2, seats=4)
    (case_id,) = office.consented_cases(1)
    # Different sessions and different seats: only the case itself is contended.
    attempts = [(session_ids[i % len(session_ids)], case_id, 1 + i // 2) for i in range(THREADS)]
    assert len(set(attempts)) == THREADS

    outcomes = race(office, attempts)

    assert_one_winner(outcomes, (StaleDataError, CaseAlreadyBooked, IntegrityError))
    assert (
        count(
            office,
            lambda: select(func.count()).select_from(Booking).where(Booking.case_id == case_id),
        )
        == 1
    )
    with office.sessions() as db:
        case = db.get_one(Case, case_id)
        schedules = db.scalar(
            select(func.count())
            .select_from(CaseEventRow)
            .where(CaseEventRow.case_id == case_id, CaseEventRow.event == "schedule")
        )
    assert case.state == "scheduled"
    assert schedules == 1


def test_one_file_claimed_at_once_by_many_officers(pg_engine):
    """Eight officers press "claim" on the same file: exactly one gets it."""
    from service.decisions import service as decisions
    from service.workflow import WorkflowError
    from tests.factories import Factory

    maker = sessionmaker(pg_engine, expire_on_commit=False)
    with maker.begin() as db:
        factory = Factory(db)
        case_id = factory.case_in(CaseState.READY_FOR_DECISION).id
        officers = [factory.person(Role.OFFICER, f"o{i}").actor for i in range(THREADS)]

    barrier = threading.Barrier(THREADS, timeout=30)
    outcomes: list[object] = [None] * THREADS

    def attempt(i: int) -> None:
        with maker() as db:
            try:
                case = db.get_one(Case, case_id)
                barrier.wait()
                decisions.claim(db, case, officers[i])
                db.commit()
                outcomes[i] = BOOKED
            except Exception as exc:
                db.rollback()
                outcomes[i] = exc

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert_one_winner(outcomes, (StaleDataError, WorkflowError))
    winner = officers[outcomes.index(BOOKED)]
    with maker() as db:
        case = db.get_one(Case, case_id)
        claims = db.scalar(
            select(func.count())
            .select_from(CaseEventRow)
            .where(CaseEventRow.case_id == case_id, CaseEventRow.event == "claim")
        )
    assert case.state == "claimed"
    assert case.claimed_by_id == winner.user_id
    assert claims == 1
