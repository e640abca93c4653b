"""Engine, sessions and the one-unit-of-work-per-request dependency."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from service.core.settings import get_settings

AFTER_COMMIT = "after_commit_callbacks"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    # pysqlite begins transactions lazily (a SAVEPOINT first would commit on release);
    # take over and emit BEGIN ourselves, as the SQLAlchemy docs recommend.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(get_engine(), expire_on_commit=False)


def after_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run ``callback`` only once the surrounding transaction has committed."""
    if not session.in_transaction():
        session.begin()  # so that a rollback, even of no work, cancels the callback
    session.info.setdefault(AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(AFTER_COMMIT, []):
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, _previous: Any) -> None:
    # Any rollback of the whole unit of work (even before it touched the database)
    # cancels its jobs; a savepoint rolled back inside it does not.
    if not session.in_transaction():
        session.info.pop(AFTER_COMMIT, None)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit on success, roll back on any error. Services only flush."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_db() -> Iterator[Session]:
    with unit_of_work() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db, scope="function")]
