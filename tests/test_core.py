"""Plumbing the rules rely on: UTC timestamps and SQLite transactions."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from service.core.clock import as_utc
from service.core.db import make_engine


def test_other_offsets_are_converted_to_utc_not_relabelled():
    amsterdam = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert as_utc(amsterdam) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert as_utc(amsterdam).tzinfo is UTC
    assert as_utc(datetime(2026, 12, 1, 8, 0)) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_sqlite_savepoint_inside_a_transaction_does_not_commit(tmp_path):
    """pysqlite's lazy BEGIN would let a first SAVEPOINT's release commit for good."""
    engine = make_engine(f"sqlite:///{tmp_path / 'tx.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with engine.connect() as conn:
        outer = conn.begin()
        nested = conn.begin_nested()
        conn.execute(text("INSERT INTO t VALUES (1)"))
        nested.commit()
        outer.rollback()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
    engine.dispose()


def test_health_checks_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_an_unreachable_database_as_503(client, monkeypatch):
    from contextlib import contextmanager

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from service.core import db as db_module

    unreachable = create_engine("sqlite:////proc/no-such-dir/hearing.db")

    @contextmanager
    def broken_unit_of_work(write: bool = True):
        with Session(unreachable) as session:
            yield session

    monkeypatch.setattr(db_module, "request_unit_of_work", broken_unit_of_work)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_after_commit_callbacks_run_only_when_the_transaction_commits(tmp_path):
    """Jobs are enqueued after commit, so a worker never sees uncommitted data."""
    from sqlalchemy.orm import Session

    from service.core.db import after_commit

    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    ran: list[str] = []
    with Session(engine) as session:
        after_commit(session, lambda: ran.append("rolled back"))
        session.rollback()
        after_commit(session, lambda: ran.append("committed"))
        assert ran == []
        session.commit()
    assert ran == ["committed"]
    engine.dispose()


def test_enum_and_time_columns_bind_their_plain_values_and_refuse_the_rest():
    """The bind fast paths (an enum's text by lookup, a UTC datetime as is) keep the
    columns' refusals: an unknown state, a naive datetime."""
    from sqlalchemy.dialects import sqlite

    from service.models.base import StrEnumColumn, UtcDateTime
    from service.models.cases import CaseState

    state, when, dialect = StrEnumColumn(CaseState, 30), UtcDateTime(), sqlite.dialect()
    for given in (CaseState.SCREENED, "screened"):
        bound = state.process_bind_param(given, dialect)
        assert bound == "screened"
        assert type(bound) is str
    with pytest.raises(ValueError, match="no-such-state"):
        state.process_bind_param("no-such-state", dialect)
    now = datetime.now(UTC)
    assert when.process_bind_param(now, dialect) is now
    cet = now.astimezone(timezone(timedelta(hours=1)))
    assert when.process_bind_param(cet, dialect) == now
    assert when.process_bind_param(cet, dialect).tzinfo is UTC
    with pytest.raises(ValueError, match="naive datetime"):
        when.process_bind_param(now.replace(tzinfo=None), dialect)
