"""Sign-in lockouts hold across app processes: the counters live in the database (or in
Redis when configured), never in one process's memory."""

from collections.abc import Iterator

import httpx
import pytest
import redis
from sqlalchemy.orm import Session

from service.auth import throttle
from service.core.errors import TooManyRequests
from service.core.settings import Settings
from service.models import Role
from tests.conftest import REDIS_URL, require_server
from tests.helpers import login_body
from tests.live import App, drop_database, engine_for, fresh_database, seeded, start_app


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
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as exc:
        require_server("Redis", False, f"{REDIS_URL}: {exc}")
    server.flushdb()
    settings = Settings(env="test", redis_url=REDIS_URL, sign_in_failures=2)
    monkeypatch.setattr(throttle, "get_settings", lambda: settings)
    try:
        guard = throttle.Throttle(db, "sign-in", 2)
        assert isinstance(guard.limiter.storage, throttle.RedisStorage)
        guard.fail("someone")
        guard.fail("someone")
        # Another process (a new Throttle, a new session) sees the same count.
        with Session(db.get_bind()) as other, pytest.raises(TooManyRequests):
            throttle.Throttle(other, "sign-in", 2).check("someone")
        assert server.keys("*sign-in*someone*")
    finally:
        server.flushdb()
        server.close()
