"""Test set-up: a fresh database per run, built by the migrations; a rolled-back
transaction per test. ``HEARING_TEST_DATABASE_URL`` picks the database (default:
a SQLite file); the same suite runs on PostgreSQL in CI."""

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="hearing-tests-"))
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "HEARING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("HEARING_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _database_for_worker(url: str) -> str:
    """PostgreSQL: a fresh database per xdist worker next to the one given."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{WORKER}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


_requested = os.environ.get("HEARING_TEST_DATABASE_URL", "")
TEST_DATABASE_URL = (
    _database_for_worker(_requested)
    if _requested.startswith("postgres")
    else f"sqlite:///{_TMP / 'test.db'}"
)
os.environ["HEARING_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["HEARING_ENV"] = "test"
os.environ["HEARING_REDIS_URL"] = ""
os.environ["HEARING_HUEY_SQLITE_PATH"] = str(_TMP / "huey.db")
os.environ.setdefault("HEARING_ELIGIBILITY_POLICY", "taskforce-2020")
# Four eyes samples a share of decisions by case id; tests that are not about it decide
# directly (tests/decisions set the share where they need it).
os.environ.setdefault("HEARING_REVIEW_SHARE", "0")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from service.auth.access import ACTOR  # noqa: E402
from service.cli import run_migrations  # noqa: E402
from service.core import db as db_module  # noqa: E402
from service.core import jobs as jobs_module  # noqa: E402
from service.core.db import get_engine  # noqa: E402
from service.core.errors import DomainError  # noqa: E402
from service.main import app  # noqa: E402
from tests.factories import Factory  # noqa: E402

IS_POSTGRES = TEST_DATABASE_URL.startswith("postgres")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test marked ``own_database`` does the same whatever the suite's database: the
    SQLite run (``make test``, .ci/run's first) runs it, the PostgreSQL run not again."""
    if not IS_POSTGRES:
        return
    again = pytest.mark.skip(reason="the same on any suite database: the SQLite run has it")
    for item in items:
        if item.get_closest_marker("own_database"):
            item.add_marker(again)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if IS_POSTGRES:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        get_engine().dispose()
        url = make_url(TEST_DATABASE_URL)
        admin = create_engine(
            url.set(database=make_url(_requested).database), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine() -> Engine:
    run_migrations(TEST_DATABASE_URL)
    return get_engine()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )

    @contextmanager
    def request_unit_of_work(write: bool = True) -> Iterator[Session]:
        # Keep the test's own set-up when a request fails and rolls back its savepoint.
        session.commit()
        session.info.pop(ACTOR, None)  # every request signs in anew
        try:
            yield session
            session.commit()
        except DomainError as exc:
            session.commit() if exc.keep_changes else session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise

    db_module.request_unit_of_work = request_unit_of_work
    # Jobs queued "after commit" would run (Huey's immediate mode) at a savepoint's commit,
    # on another connection that cannot see this test's data: keep them for the test to
    # inspect (``db.info["queued_jobs"]``: the callbacks) instead of running them.
    queued: list[Callable[[], Any]] = []
    session.info["queued_jobs"] = queued
    jobs_module.after_commit = lambda _session, callback: queued.append(callback)
    try:
        yield session
    finally:
        jobs_module.after_commit = db_module.after_commit
        db_module.request_unit_of_work = db_module.unit_of_work
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def factory(db: Session) -> Factory:
    return Factory(db)


def require_server(kind: str, reachable: bool, detail: str) -> None:
    """Under CI=true a missing server fails the test; locally it skips."""
    if reachable:
        return
    message = f"{kind} not reachable: {detail}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def unique_v_number() -> str:
    return f"{uuid.uuid4().int % 10**10:010d}"
