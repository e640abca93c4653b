"""Faults answered clearly (issue 14, part 4): a database that cannot be reached gives
503 with Retry-After on every route, one log line and no traceback; service comes back
by itself. The job outbox, slow clients and the live outage tests are in
``tests/test_outbox.py``, ``tests/test_slow_clients.py`` and ``tests/test_outage.py``."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.orm import Session

from service.core import db as db_module
from service.core.db import make_engine
from service.core.web import session_cookie
from service.models import Role
from tests.helpers import API, assert_problem

# Nothing listens on port 1: connecting is refused at once, as with a stopped server.
STOPPED_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/hearing"


@pytest.fixture
def database_down(db, monkeypatch) -> Iterator[None]:
    """Every request's unit of work on a database server that is not running."""
    engine = make_engine(STOPPED_DATABASE, pool_size=2)

    @contextmanager
    def unreachable(write: bool = True) -> Iterator[Session]:
        with Session(engine) as session:
            yield session
            session.commit()

    monkeypatch.setattr(db_module, "request_unit_of_work", unreachable)
    yield
    engine.dispose()


def database_log_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("database unavailable")]


def test_api_routes_answer_503_with_retry_after_while_the_database_is_down(
    client, factory, database_down, caplog
):
    headers = factory.person(Role.PLANNER).headers
    caplog.set_level(logging.INFO)
    for method, path in [
        ("GET", f"{API}/cases"),
        ("POST", f"{API}/cases"),
        ("GET", f"{API}/sessions"),
    ]:
        response = client.request(method, path, headers=headers, json={})
        assert_problem(response, 503, "database_unavailable")
        assert int(response.headers["Retry-After"]) > 0
        assert response.headers["X-Request-ID"]
    # One line per failure, a warning without a traceback; nothing logged as an error.
    lines = database_log_lines(caplog)
    assert len(lines) == 3
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in lines)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_pages_show_a_short_page_in_dutch_or_english_with_retry_after(client, database_down):
    # A browser with a session: finding who it is needs the database.
    client.cookies.set(session_cookie(), "a-session-secret")
    for language, words in [("nl", "tijdelijk niet beschikbaar"), ("en", "temporarily")]:
        response = client.get(
            "/planner", headers={"Accept": "text/html", "Accept-Language": language}
        )
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("text/html")
        assert int(response.headers["Retry-After"]) > 0
        assert words in response.text
        assert "database_unavailable" in response.text


def test_health_answers_503_with_retry_after_and_recovers(client, db, monkeypatch):
    engine = make_engine(STOPPED_DATABASE, pool_size=2)

    @contextmanager
    def unreachable(write: bool = True) -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    working = db_module.request_unit_of_work
    monkeypatch.setattr(db_module, "request_unit_of_work", unreachable)
    response = client.get("/health")
    assert_problem(response, 503, "database_unavailable")
    assert int(response.headers["Retry-After"]) > 0
    # The database is back: the same process serves again, no restart.
    monkeypatch.setattr(db_module, "request_unit_of_work", working)
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}
    engine.dispose()
