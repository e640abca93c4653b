"""Sign-in throttling that attackers cannot use against users (issue 14, part 3).

- The counters are shared by every app process (database, or Redis when configured).
- **Race**: every attempt reserves its place before the password is checked, so many
  simultaneous wrong passwords get at most the limit evaluated, in Redis and in the
  database alike (a live app; the suite's database, so CI covers PostgreSQL).
- **Lockout as a weapon**: failures count per account *and* address; the account alone
  gets a pace of seconds, not a lock, and its owner's usual address is exempt; an
  address has a budget far above an office's; kiosk codes count per registered kiosk
  and per booking, not per location.
- **Redis unreachable**: sign-in keeps working (counting in the database), loudly logged.
"""

import random
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
import redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.auth import service as auth_service
from service.auth import throttle
from service.auth.exceptions import BadCredentials
from service.core.clock import utcnow
from service.core.errors import TooManyRequests
from service.core.settings import Settings, get_settings
from service.models import Role
from service.models.auth import RateCounter
from service.sessions import service as sessions
from service.sessions.schemas import Identity, RoomIn
from service.workflow import CaseState
from tests.conftest import REDIS_URL, require_server
from tests.helpers import API, PASSWORD, assert_problem, csrf_of, login_body, sign_in
from tests.live import App, _free_port, drop_database, engine_for, fresh_database, seeded, start_app
from tests.sessions.test_check_in_and_codes import check_in, kiosk_login

HTML = {"accept": "text/html"}


def _redis_reachable() -> None:
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as exc:
        require_server("Redis", False, f"{REDIS_URL}: {exc}")
    finally:
        server.close()


def _addresses(n: int) -> list[str]:
    """Addresses of this run only (Redis keeps counters between runs)."""
    net = f"10.{random.randrange(256)}.{random.randrange(256)}"
    return [f"{net}.{i + 1}" for i in range(n)]


def with_settings(monkeypatch: pytest.MonkeyPatch, **changes: object) -> Settings:
    settings = get_settings().model_copy(update=changes)
    monkeypatch.setattr(throttle, "get_settings", lambda: settings)
    return settings


# --- live apps ---------------------------------------------------------------------------


@dataclass
class Live:
    app: App
    username: str
    kiosk_codes: list[str]


def _live(tmp_path_factory: pytest.TempPathFactory, tag: str, **env: str) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp(tag)
    database_url = fresh_database(tmp, tag)
    try:
        with engine_for(database_url) as engine, seeded(engine) as factory:
            username = factory.person(Role.OFFICER).user.username
            host = factory.person(Role.HOST)
            codes = []
            for _ in range(2):
                case = factory.case_in(CaseState.SCHEDULED)
                booking = factory.booking(case)
                identity = Identity.on_file(case)
                codes.append(sessions.check_in(factory.db, booking, host.actor, identity, True))
        app = start_app(database_url, tmp, **env)
        try:
            yield Live(app, username, codes)
        finally:
            app.process.stop()
    finally:
        drop_database(database_url)


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, App, str]]:
    """Two app processes behind one (imagined) load balancer, one database."""
    tmp = tmp_path_factory.mktemp("throttle")
    database_url = fresh_database(tmp, "throttle")
    try:
        with engine_for(database_url) as engine, seeded(engine) as factory:
            username = factory.person(Role.OFFICER).user.username
        first = start_app(database_url, tmp_path_factory.mktemp("first"))
        second = start_app(database_url, tmp_path_factory.mktemp("second"))
        try:
            yield first, second, username
        finally:
            first.process.stop()
            second.process.stop()
    finally:
        drop_database(database_url)


@pytest.fixture(scope="module")
def counting_in_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from _live(tmp_path_factory, "in-database")


@pytest.fixture(scope="module")
def counting_in_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    _redis_reachable()
    yield from _live(tmp_path_factory, "in-redis", HEARING_REDIS_URL=REDIS_URL)


@pytest.fixture(scope="module")
def redis_unreachable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    closed = f"redis://127.0.0.1:{_free_port()}/0"  # nobody listens there
    yield from _live(tmp_path_factory, "no-redis", HEARING_REDIS_URL=closed)


def at_once(app: App, n: int, send: Callable[[httpx.Client, int], httpx.Response]) -> list[int]:
    """Send ``n`` requests, each on its own open connection, released by one barrier;
    their statuses."""
    barrier = threading.Barrier(n, timeout=60)
    statuses: list[int | BaseException | None] = [None] * n

    def one(i: int) -> None:
        try:
            with httpx.Client(base_url=app.url, timeout=120, trust_env=False) as client:
                client.get("/health").raise_for_status()
                barrier.wait()
                statuses[i] = send(client, i).status_code
        except BaseException as exc:  # reported below
            barrier.abort()
            statuses[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a request hung"
    failed = [s for s in statuses if not isinstance(s, int)]
    assert not failed, f"requests failed: {failed!r}"
    return [s for s in statuses if isinstance(s, int)]


# --- shared by processes -----------------------------------------------------------------


def test_failures_on_two_processes_add_up_to_one_lockout(two_processes):
    first, second, username = two_processes
    wrong = login_body(username, "not the password")
    for app in (first, second, first, second, first):
        answer = httpx.post(f"{app.url}/api/v1/auth/token", json=wrong)
        assert answer.status_code == 401, answer.text
    right = login_body(username)
    for app in (second, first):
        locked = httpx.post(f"{app.url}/api/v1/auth/token", json=right)
        assert locked.status_code == 429, locked.text
        assert int(locked.headers["retry-after"]) > 0
    assert first.new_errors() is None
    assert second.new_errors() is None


@pytest.mark.redis
def test_with_redis_the_counters_live_in_redis(db, monkeypatch):
    _redis_reachable()
    with_settings(monkeypatch, redis_url=REDIS_URL)
    account = f"someone-{uuid.uuid4().hex[:8]}"
    (client,) = _addresses(1)
    for _ in range(get_settings().sign_in_failures):
        attempt = throttle.sign_in(db, account, client)
        assert isinstance(attempt.counters.storage, throttle.RedisStorage)
    # Another process (a new session) sees the same count.
    with Session(db.get_bind()) as other, pytest.raises(TooManyRequests):
        throttle.sign_in(other, account, client)
    server = redis.Redis.from_url(REDIS_URL)
    try:
        assert server.keys(f"*sign-in:pair:{account}*")
    finally:
        server.close()


# --- the race: reserve before the check --------------------------------------------------

RACERS = 30


def _race_one_address(live: Live) -> None:
    (address,) = _addresses(1)
    wrong = {"username": live.username, "password": "not the password", "code": "000000"}
    statuses = at_once(
        live.app,
        RACERS,
        lambda client, _: client.post(
            f"{API}/auth/token", json=wrong, headers={"X-Forwarded-For": address}
        ),
    )
    evaluated = statuses.count(401)
    assert evaluated <= get_settings().sign_in_failures, sorted(statuses)
    assert evaluated + statuses.count(429) == RACERS, sorted(statuses)


def _race_many_addresses(live: Live) -> None:
    """A spread-out guess: each address is under its own limits; the account's pace
    lets at most its free budget and one more through."""
    addresses = _addresses(RACERS)
    settings = get_settings()
    username = live.username
    statuses = at_once(
        live.app,
        RACERS,
        lambda client, i: client.post(
            f"{API}/auth/token",
            json={"username": username, "password": f"guess {i}", "code": "000000"},
            headers={"X-Forwarded-For": addresses[i]},
        ),
    )
    evaluated = statuses.count(401)
    assert evaluated <= settings.sign_in_account_free + 1, sorted(statuses)
    assert evaluated + statuses.count(429) == RACERS, sorted(statuses)


def test_simultaneous_wrong_passwords_counted_in_the_database(counting_in_database):
    live = counting_in_database
    live.app.new_errors()
    _race_one_address(live)
    assert live.app.new_errors() is None


@pytest.mark.redis
def test_simultaneous_wrong_passwords_counted_in_redis(counting_in_redis):
    live = counting_in_redis
    live.app.new_errors()
    _race_one_address(live)
    assert live.app.new_errors() is None


@pytest.mark.redis
def test_simultaneous_guesses_from_many_addresses_counted_in_redis(counting_in_redis):
    live = counting_in_redis
    live.app.new_errors()
    _race_many_addresses(live)
    # Paced, not locked: the answer says to wait seconds, not a quarter of an hour.
    (elsewhere,) = _addresses(1)
    paced = httpx.post(
        f"{live.app.url}{API}/auth/token",
        json=login_body(live.username),
        headers={"X-Forwarded-For": elsewhere},
        trust_env=False,
    )
    assert paced.status_code == 429, paced.text
    assert 0 < int(paced.headers["retry-after"]) <= get_settings().sign_in_pace_max_seconds
    assert live.app.new_errors() is None


# --- lockout as a weapon -----------------------------------------------------------------


def _fail(db: Session, username: str, client: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(BadCredentials):
            auth_service.authenticate(db, username, "not the password", client)


def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(db, factory):
    owner = factory.person(Role.OFFICER).user
    attacker, home = _addresses(2)
    _fail(db, owner.username, attacker, get_settings().sign_in_failures)
    with pytest.raises(TooManyRequests):  # the attacker's pair waits
        auth_service.authenticate(db, owner.username, PASSWORD, attacker)
    assert auth_service.authenticate(db, owner.username, PASSWORD, home) == owner


def test_a_guess_from_many_addresses_paces_the_account_but_not_its_usual_address(db, factory):
    owner = factory.person(Role.OFFICER).user
    settings = get_settings()
    home, stranger, *botnet = _addresses(2 + settings.sign_in_account_free)
    assert auth_service.authenticate(db, owner.username, PASSWORD, home) == owner
    for address in botnet:
        _fail(db, owner.username, address)
    # Over the free budget: an unknown address is paced (seconds, not a lock) ...
    _fail(db, owner.username, stranger)
    with pytest.raises(TooManyRequests) as paced:
        auth_service.authenticate(db, owner.username, PASSWORD, stranger)
    assert 0 < (paced.value.retry_after or 0) <= settings.sign_in_pace_max_seconds
    # ... the owner's usual address is not.
    assert auth_service.authenticate(db, owner.username, PASSWORD, home) == owner


def test_failures_for_many_accounts_do_not_lock_an_office_address(db, factory, monkeypatch):
    """Five colleagues behind one NAT mistyping is daily life, not an attack."""
    office, *_ = _addresses(1)
    colleagues = [factory.person(Role.OFFICER, f"colleague{i}").user for i in range(6)]
    for colleague in colleagues[:5]:
        _fail(db, colleague.username, office)
    assert auth_service.authenticate(db, colleagues[5].username, PASSWORD, office)
    # The address's own budget (far above that) does exist.
    budget = with_settings(monkeypatch, sign_in_address_failures=7).sign_in_address_failures
    _fail(db, "nobody-here", office, budget - 5)
    with pytest.raises(TooManyRequests):
        auth_service.authenticate(db, colleagues[5].username, PASSWORD, office)


def test_wrong_codes_from_unregistered_kiosks_do_not_lock_the_location(client, factory):
    """The report: 100 wrong codes locked every kiosk of a location (one address)."""
    for _ in range(100):
        assert_problem(kiosk_login(client, "AAAA-AAAA"), 401, "kiosk_code_invalid")
    code = check_in(client, factory, factory.case_in(CaseState.SCHEDULED)).json()["kiosk_code"]
    assert kiosk_login(client, code).status_code == 200


def test_registered_kiosks_do_not_share_the_address_budget(client, db, factory, monkeypatch):
    host = factory.person(Role.HOST)
    room = sessions.create_room(db, factory.location(), RoomIn(name="Zaal 7", seats=4))
    case = factory.case_in(CaseState.CONSENTED)
    hearing = factory.session("ar", seats=4)
    hearing.room_id = room.id
    sessions.book(db, hearing, case, factory.person(Role.PLANNER).actor, seat=2)
    kiosk = sessions.register_device(db, sessions.seat_at(db, room.id, 2), host.actor)
    code = check_in(client, factory, case).json()["kiosk_code"]
    budget = with_settings(monkeypatch, kiosk_code_failures=3).kiosk_code_failures
    for _ in range(budget):
        assert_problem(kiosk_login(client, "AAAA-AAAA"), 401, "kiosk_code_invalid")
    assert_problem(kiosk_login(client, "AAAA-AAAA"), 429, "too_many_attempts")
    # The registered kiosk at the same address counts on its own.
    assert kiosk_login(client, code, device=kiosk).status_code == 200


def test_a_code_tried_away_from_its_kiosk_is_limited_per_booking(client, db, factory):
    host = factory.person(Role.HOST)
    room = sessions.create_room(db, factory.location(), RoomIn(name="Zaal 8", seats=4))
    case = factory.case_in(CaseState.CONSENTED)
    hearing = factory.session("ar", seats=4)
    hearing.room_id = room.id
    sessions.book(db, hearing, case, factory.person(Role.PLANNER).actor, seat=1)
    own = sessions.register_device(db, sessions.seat_at(db, room.id, 1), host.actor)
    code = check_in(client, factory, case).json()["kiosk_code"]
    others = [
        sessions.register_device(db, sessions.seat_at(db, room.id, seat), host.actor)
        for seat in (2, 3, 4)
    ]
    limit = get_settings().kiosk_booking_failures
    for i in range(limit):  # each wrong kiosk is far from its own limit
        wrong = kiosk_login(client, code, device=others[i % len(others)])
        assert_problem(wrong, 401, "kiosk_code_invalid")
    assert_problem(kiosk_login(client, code, device=others[0]), 429, "too_many_attempts")
    assert_problem(kiosk_login(client, code), 429, "too_many_attempts")
    # The applicant at the booked seat is not held up by it.
    assert kiosk_login(client, code, device=own).status_code == 200


# --- Redis unreachable -------------------------------------------------------------------


def test_with_redis_unreachable_sign_in_works_and_still_counts(redis_unreachable):
    live = redis_unreachable
    url = live.app.url
    live.app.new_errors()
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as client:
        token = client.post(f"{API}/auth/token", json=login_body(live.username))
        assert token.status_code == 200, token.text

        kiosk = client.post(f"{API}/kiosk/login", json={"code": live.kiosk_codes[0]})
        assert kiosk.status_code == 200, kiosk.text

        form = client.get("/kiosk", headers=HTML)
        data = {"csrf_token": csrf_of(form.text), "code": live.kiosk_codes[1], "lang": "nl"}
        page = client.post("/kiosk", data=data, headers=HTML)
        assert page.status_code == 303, page.text
        assert page.headers["location"].startswith("/kiosk/continue")

    with httpx.Client(base_url=url, timeout=60, trust_env=False) as browser:
        signed_in = sign_in(browser, live.username)
        assert signed_in.status_code == 303, signed_in.text
        assert browser.get("/officer", headers=HTML).status_code == 200

    # Failures are still counted (in the database) while Redis is away.
    (address,) = _addresses(1)
    # The password is checked first: a wrong one needs no authenticator code of its own.
    wrong = {"username": live.username, "password": "not the password", "code": "000000"}
    forwarded = {"X-Forwarded-For": address}
    for _ in range(get_settings().sign_in_failures):
        answer = httpx.post(f"{url}{API}/auth/token", json=wrong, headers=forwarded)
        assert answer.status_code == 401, answer.text
    locked = httpx.post(f"{url}{API}/auth/token", json=login_body(live.username), headers=forwarded)
    assert locked.status_code == 429, locked.text

    assert live.app.new_errors() is None
    assert "Redis is unreachable" in live.app.process.output()


def test_expired_counters_are_deleted(db):
    (address,) = _addresses(1)
    throttle.Counters(db).add(f"sign-in:address:{address}", 60)
    db.execute(
        update(RateCounter)
        .where(RateCounter.key == f"sign-in:address:{address}")
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    throttle.Counters(db).add(f"sign-in:pair:x:{address}", 60)
    assert throttle.forget_expired(db) >= 1
    keys = set(db.scalars(select(RateCounter.key).where(RateCounter.key.contains(address))))
    assert keys == {f"sign-in:pair:x:{address}"}
