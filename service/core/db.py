"""Engine, sessions and the unit of work.

One unit of work per request (and per job): it commits on success and rolls back on
any error; services only flush. See docs/request-model.md for why a request's whole
unit of work runs in one worker thread.
"""

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service.core.errors import DomainError
from service.core.settings import get_settings

AFTER_COMMIT = "after_commit_callbacks"
# Execution option read by the SQLite BEGIN hook: "IMMEDIATE" takes the write lock at
# once, so concurrent writers queue on the busy timeout instead of failing mid-way.
SQLITE_BEGIN = "sqlite_begin"
SQLITE_BUSY_TIMEOUT_MS = 30_000
ONE_STATEMENT = "one statement"
CONNECT_TIMEOUT_SECONDS = 5


def make_engine(url: str, pool_size: int | None = None) -> Engine:
    """The engine with a pool as large as the request threads (a thread never waits)."""
    settings = get_settings()
    size = pool_size or settings.threads
    pool = {"pool_size": size, "max_overflow": 4, "pool_timeout": settings.pool_timeout_seconds}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connect = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        engine = create_engine(
            url,
            # Errors and logs never show the values of a statement (personal data).
            hide_parameters=True,
            connect_args=connect | {"factory": _taking_turns(path)},
            **pool,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No pre-ping: a round trip on every checkout halves the request floor. Connections
    # are recycled before servers or proxies drop them; a dead one fails one request.
    # A database host that does not answer fails a request within seconds (a 503),
    # rather than holding its thread for the operating system's TCP time-out.
    return create_engine(
        url,
        pool_recycle=1800,
        hide_parameters=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        **pool,
    )


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    # pysqlite begins transactions lazily (a SAVEPOINT first would commit on release);
    # take over and emit BEGIN ourselves, as the SQLAlchemy docs recommend.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL: durable across a crash of the process; the embedded default is
    # for one machine, production runs on PostgreSQL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


# SQLite's page cache while a bulk import writes (KiB; its default is 2 MiB). An import's
# index inserts land on random pages of indexes that grow with the database (uuids, the
# name keys' hashes); with 2 MiB most of them are read back from the write-ahead log,
# whose lookups grow with the transaction: time per row grew with the file.
BULK_CACHE_KIB = 64 * 1024


@contextmanager
def bulk_page_cache(session: Session) -> Iterator[None]:
    """A larger SQLite page cache for a bulk write on ``session``'s connection, back to
    what it was after (memory: up to ``BULK_CACHE_KIB``, for the import's duration and
    only as the pages are used). Other databases: nothing."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before or 0)}")


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "")
    raw: WriterTurns = connection.connection.dbapi_connection
    if mode in ("IMMEDIATE", ONE_STATEMENT) and not raw.take_turn():
        # As SQLite's own busy time-out: a 503 with Retry-After (core/error_handlers.py).
        locked = sqlite3.OperationalError("database is locked")
        raise OperationalError("BEGIN IMMEDIATE", None, locked)
    if mode == ONE_STATEMENT:
        return  # SQLite's autocommit: the statement is its own transaction
    try:
        connection.exec_driver_sql(f"BEGIN {mode}".strip())
    except BaseException:
        raw.give_back_turn()
        raise


class WriterTurns(sqlite3.Connection):
    """A SQLite connection whose writers take turns with the process's other writers of
    the same database file before ``BEGIN IMMEDIATE``, and give the turn back once they
    commit or roll back.

    Why: SQLite lets one writer in at a time; a writer that finds the lock taken sleeps
    in its busy handler (1, 2, 5, 10, 15, 20, 25 ... ms) and looks again, so with a dozen
    request threads writing (kiosk autosaves, audited reads) the lock sat free while
    they slept, and the unlucky ones waited tens of milliseconds. A thread waiting here
    is woken the moment the turn is free. Writers in other processes still meet on
    SQLite's lock: at most one from each process."""

    turn: threading.Lock  # one per database file (``_taking_turns``)
    holds_turn = False

    def take_turn(self) -> bool:
        """Wait for the turn as long as SQLite's busy time-out; False when it did not come."""
        self.holds_turn = self.turn.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        return self.holds_turn

    def give_back_turn(self) -> None:
        if self.holds_turn:
            self.holds_turn = False
            self.turn.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_back_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_back_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_back_turn()


_TURNS: dict[str, type[WriterTurns]] = {}
_TURNS_MADE = threading.Lock()


def _taking_turns(path: str) -> type[WriterTurns]:
    """The connection class of one database file: its writers share one turn (an
    in-memory database is its connection's own)."""
    if not path or path == ":memory:":
        return type("WriterTurns", (WriterTurns,), {"turn": threading.Lock()})
    key = str(Path(path).resolve())
    with _TURNS_MADE:
        if key not in _TURNS:
            _TURNS[key] = type("WriterTurns", (WriterTurns,), {"turn": threading.Lock()})
        return _TURNS[key]


def _new_turns_in_child() -> None:
    for taking in _TURNS.values():
        taking.turn = threading.Lock()  # a forked child holds none of its parent's turns


os.register_at_fork(after_in_child=_new_turns_in_child)


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
    # SQLAlchemy fires after_commit for a released savepoint too: only the real commit
    # may run them (a job run then would read, or wait on, work not yet committed).
    if session.in_nested_transaction():
        return
    for callback in session.info.pop(AFTER_COMMIT, []):
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, _previous: Any) -> None:
    # Any rollback of the whole unit of work (even before it touched the database)
    # cancels its jobs; a savepoint rolled back inside it does not.
    if not session.in_transaction():
        session.info.pop(AFTER_COMMIT, None)


def begin_writing(session: Session) -> None:
    """Start the transaction as a writer (SQLite: take the write lock now, so the
    reads that decide what to write see the latest committed state)."""
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def begin_one_statement(session: Session) -> None:
    """A writer of one statement (SQLite: with no BEGIN, so SQLite takes and gives back
    its write lock while it runs that statement). Other databases, or a session already
    in a transaction: as any transaction."""
    if not session.in_transaction():
        session.connection(execution_options={SQLITE_BEGIN: ONE_STATEMENT})


def writing(session: Session) -> bool:
    """Whether the session's transaction began as a writer (``begin_writing``)."""
    return session.connection().get_execution_options().get(SQLITE_BEGIN) == "IMMEDIATE"


@contextmanager
def unit_of_work(write: bool = True) -> Iterator[Session]:
    """Commit on success, roll back on any error. Services only flush.

    A ``DomainError`` with ``keep_changes`` (a failed sign-in that must still count)
    commits what was written before it is raised on.
    """
    session = get_sessionmaker()()
    try:
        if write:
            begin_writing(session)
        yield session
        session.commit()
    except DomainError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# The unit of work a request opens; tests swap it for one inside their transaction.
request_unit_of_work: Callable[[bool], AbstractContextManager[Session]] = unit_of_work
