"""The request model (docs/request-model.md): one worker-thread hop per request, the
connection given back inside it, lean queries, and a fast 503 when over capacity."""

import asyncio
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import anyio.to_thread
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from service.core import db as db_module
from service.core import routing, web
from service.core.db import make_engine
from service.core.errors import ServiceBusy
from service.core.settings import Settings
from service.main import create_app
from service.models import Role
from service.questionnaires.forms import QuestionType
from service.questionnaires.service import policy_form
from service.workflow import CaseState
from tests.conftest import IS_POSTGRES
from tests.helpers import API, sign_in


@contextmanager
def counting_hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every hop to a thread: the request's own (``routing.in_thread``) and any that
    FastAPI or Starlette make themselves (anyio's worker threads)."""
    hops: list[str] = []
    anyios, ours = anyio.to_thread.run_sync, routing.in_thread

    async def counted(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        hops.append(getattr(func, "__name__", repr(func)))
        return await anyios(func, *args, **kwargs)

    async def counted_ours(work):  # type: ignore[no-untyped-def]
        hops.append(getattr(work, "__name__", repr(work)))
        return await ours(work)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    monkeypatch.setattr(routing, "in_thread", counted_ours)
    yield hops


@contextmanager
def counting_statements(db) -> Iterator[list[str]]:
    """The SQL statements the requests send (on the test's one connection)."""
    statements: list[str] = []
    connection = db.connection()

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split()[0].upper())

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


def text_question() -> str:
    return next(q.id for q in policy_form().questions if q.type is QuestionType.TEXT)


def test_a_request_takes_exactly_one_thread_hop(client, factory, monkeypatch):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.IN_PROGRESS)
    kiosk = factory.applicant_headers(case)
    sign_in(client, planner.user.username)
    requests = {
        "GET /me": lambda: client.get(f"{API}/me", headers=planner.headers),
        "kiosk save": lambda: client.put(
            f"{API}/kiosk/answers", headers=kiosk, json={"answers": {text_question(): "ja"}}
        ),
        "a page": lambda: client.get("/planner", headers={"accept": "text/html"}),
    }
    for name, send in requests.items():
        with counting_hops(monkeypatch) as hops:
            response = send()
        assert response.status_code == 200, (name, response.text)
        assert len(hops) == 1, (name, hops)


def test_signing_in_takes_one_query_and_a_kiosk_save_two_and_a_write(client, db, factory):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.IN_PROGRESS)
    kiosk = factory.applicant_headers(case)
    with counting_statements(db) as statements:
        assert client.get(f"{API}/me", headers=planner.headers).status_code == 200
    assert statements.count("SELECT") == 1, statements
    with counting_statements(db) as statements:
        saved = client.put(
            f"{API}/kiosk/answers", headers=kiosk, json={"answers": {text_question(): "ja"}}
        )
        assert saved.status_code == 200, saved.text
    assert (statements.count("SELECT"), statements.count("UPDATE")) == (2, 1), statements


def test_the_kiosk_pages_autosave_sends_the_api_saves_statements(client, db, factory):
    """The page's script saves as the API does: sign-in, the form read with the case's
    state, one UPDATE (no ORM read of the case and form before it)."""
    case = factory.case_in(CaseState.IN_PROGRESS)
    token = factory.applicant_headers(case)["Authorization"].removeprefix("Bearer ")
    section, question = next(
        (s.id, q.id)
        for s in policy_form().sections
        for q in s.questions
        if q.type is QuestionType.TEXT and q.show_if is None
    )
    client.cookies.set("kiosk", token)
    client.cookies.set("csrf", "a-browser")
    fields = {"csrf_token": web._token("anonymous:a-browser"), question: "ja"}
    with counting_statements(db) as statements:
        saved = client.post(f"/kiosk/autosave/{section}", data=fields)
        assert saved.status_code == 200, saved.text
    assert saved.json() == {"saved": True, "problems": {}}
    assert (statements.count("SELECT"), statements.count("UPDATE")) == (2, 1), statements


def test_a_json_routes_permission_is_one_dependency_documented_as_the_bearer_scheme():
    """FastAPI solves every dependency of every request anew: the permission of a JSON
    route is the bearer scheme itself, not a dependency on it; the OpenAPI schema still
    names the scheme ``HTTPBearer`` on every route that takes a token."""
    app = create_app()
    me = next(
        c.original_route
        for r in app.router.routes
        if hasattr(r, "effective_route_contexts")
        for c in r.effective_route_contexts()
        if c.path_format == f"{API}/me"
    )
    (permission,) = me.dependant.dependencies
    assert permission.dependencies == []
    schema = app.openapi()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert schema["paths"][f"{API}/me"]["get"]["security"] == [{"HTTPBearer": []}]
    assert app._telemetry["tracing"] is False  # no OpenTelemetry SDK: nothing to ask


def test_take_next_signs_in_and_moves_the_file_in_one_statement(client, db, factory):
    officer = factory.officer("quick")
    factory.case_in(CaseState.READY_FOR_DECISION)
    db.commit()
    with counting_statements(db) as statements:
        taken = client.post(f"{API}/decision-queue/take-next", headers=officer.headers)
        assert taken.status_code == 200, taken.text
    # Sign-in (SQLite: and the skills); the UPDATE picks and moves and returns the
    # guard's facts (read as for every move: tests/test_procedure_batches.py; on
    # PostgreSQL it reads the officer's skills too); the event row.
    sent = [s for s in statements if s not in ("SAVEPOINT", "RELEASE", "ROLLBACK")]
    skills = [] if IS_POSTGRES else ["SELECT"]
    assert sent == ["SELECT", *skills, "UPDATE", "INSERT"], statements


def test_matching_by_prefix_answers_as_fastapi_for_every_route_of_the_app():
    """Each included router may pass over a path none of its routes can match
    (``routing.match_by_prefix``): for the path of every route of the app, and paths of
    none, every router answers as FastAPI's own matching does."""
    app = create_app()
    routers = [r for r in app.router.routes if "matches" in vars(r)]
    assert routers, "no router matches by prefix"
    formats = {c.path_format for r in routers for c in r.effective_route_contexts()}
    paths = {re.sub(r"\{[^}]*\}", "x", f) for f in formats if f}
    paths |= {p.rstrip("/") + "/more" for p in paths} | {"/", "/nowhere", "/api/v1"}
    for path in sorted(paths):
        for method in ("GET", "POST"):
            scope = {"type": "http", "method": method, "path": path, "root_path": ""}
            scope |= {"headers": [], "query_string": b""}
            for router in routers:
                ours, _ = router.matches(dict(scope))
                theirs, _ = type(router).matches(router, dict(scope))
                assert ours == theirs, (method, path, router)


def test_the_connection_goes_back_to_the_pool_when_the_unit_of_work_ends(tmp_path, monkeypatch):
    """So a thread never holds a connection while it waits: no pool stall."""
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.db'}", pool_size=2)
    monkeypatch.setattr(db_module, "get_sessionmaker", lambda: sessionmaker(engine))
    try:
        with db_module.unit_of_work(write=True) as db:
            db.execute(text("SELECT 1"))
            assert engine.pool.checkedout() == 1
        assert engine.pool.checkedout() == 0

        def failing_work() -> None:
            with db_module.unit_of_work(write=True) as db:
                db.execute(text("SELECT 1"))
                raise ServiceBusy("an error inside the unit of work")

        with pytest.raises(ServiceBusy):
            failing_work()
        assert engine.pool.checkedout() == 0
    finally:
        engine.dispose()


def over_capacity(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routing, "get_settings", lambda: settings)

    async def scenario() -> None:
        turns = routing._request_turns()
        for _ in range(turns.size):
            assert turns.take_now()
        started = anyio.current_time()
        with pytest.raises(ServiceBusy) as refused:
            await routing.run_in_worker_thread(lambda: "never runs")
        assert refused.value.status == 503
        assert refused.value.retry_after
        assert anyio.current_time() - started < settings.queue_timeout_seconds + 1

    anyio.run(scenario)


def test_over_capacity_a_request_gets_a_fast_503_not_a_hang(monkeypatch):
    over_capacity(Settings(env="test", threads=2, max_waiting_requests=0), monkeypatch)


def test_a_request_waits_its_turn_then_gets_a_503(monkeypatch):
    over_capacity(Settings(env="test", threads=2, queue_timeout_seconds=0.2), monkeypatch)


def test_requests_take_their_turns_in_arrival_order_and_a_cancelled_one_loses_none():
    """A turn given back passes to the first request still waiting; one cancelled while
    waiting, or after it was given a turn but before it took it up, passes it on."""

    async def scenario() -> None:
        turns = routing.Turns(1)
        assert turns.take_now()
        served: list[str] = []

        async def request(name: str) -> None:
            assert await turns.wait(5)
            served.append(name)
            turns.give_back()

        given_then_gone, gone_waiting, first, second = (
            asyncio.create_task(request(name))
            for name in ("given then gone", "gone waiting", "first", "second")
        )
        await asyncio.sleep(0)  # all four wait, in this order
        assert len(turns.waiting) == 4
        gone_waiting.cancel()
        turns.give_back()  # to the first waiting ...
        given_then_gone.cancel()  # ... which is cancelled before it takes it up
        await asyncio.gather(first, second)
        for gone in (given_then_gone, gone_waiting):
            with pytest.raises(asyncio.CancelledError):
                await gone
        assert served == ["first", "second"]
        assert turns.taken == 0
        assert not turns.waiting
        assert turns.take_now()

    asyncio.run(scenario())


def test_a_busy_service_answers_503_with_retry_after(client, factory, monkeypatch):
    async def busy(work):  # type: ignore[no-untyped-def]
        raise ServiceBusy("The service is busy; try again in a moment.")

    monkeypatch.setattr(routing, "run_in_worker_thread", busy)
    planner = factory.person(Role.PLANNER)
    response = client.get(f"{API}/me", headers=planner.headers)
    assert response.status_code == 503
    assert response.json()["code"] == "service_busy"
    assert response.headers["retry-after"] == "2"


def test_generated_request_ids_are_plain_and_unique_in_a_process_and_its_forks():
    import os

    from service.core import context

    ours = {context.new_request_id() for _ in range(1000)}
    assert len(ours) == 1000
    assert all(context.REQUEST_ID.match(i) and len(i) == 32 for i in ours)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: its ids, then out at once
        os.write(write, context.new_request_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    theirs = os.read(read, 64).decode()
    os.close(read)
    assert theirs[:20] != next(iter(ours))[:20]
    assert theirs not in ours


# --- SQLite's writers take turns in the process ------------------------------------------


def _writer(engine):
    return engine.connect().execution_options(**{db_module.SQLITE_BEGIN: "IMMEDIATE"})


def test_sqlite_writers_of_one_file_wait_their_turn_in_the_process_not_in_sqlites_sleeps(
    tmp_path,
):
    """A second writer waits on the process's turn (woken when the first commits), not in
    SQLite's busy handler (switched off for it here: it would fail at once); two engines
    on the same file share the turn; readers take none."""
    path = tmp_path / "turns.db"
    first_engine, second_engine = (make_engine(f"sqlite:///{path}") for _ in range(2))
    with first_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    first = _writer(first_engine)
    first.begin()
    first.exec_driver_sql("INSERT INTO t VALUES (1)")
    turn = first.connection.dbapi_connection.turn
    assert turn.locked()
    with second_engine.connect() as reader, reader.begin():  # a deferred BEGIN: no turn
        assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0

    waiting = threading.Event()
    finished: list[int] = []

    def second_writer() -> None:
        with _writer(second_engine) as conn:
            conn.connection.dbapi_connection.execute("PRAGMA busy_timeout=0")
            waiting.set()
            with conn.begin():
                conn.exec_driver_sql("INSERT INTO t VALUES (2)")
                finished.append(conn.exec_driver_sql("SELECT count(*) FROM t").scalar())

    thread = threading.Thread(target=second_writer)
    thread.start()
    waiting.wait(5)
    thread.join(0.3)
    assert thread.is_alive()  # waiting for the turn
    assert not finished
    first.commit()
    first.close()
    thread.join(5)
    assert finished == [2]
    assert not turn.locked()
    first_engine.dispose()
    second_engine.dispose()


def test_a_writers_turn_comes_back_on_rollback_and_a_wait_ends_as_database_is_locked(
    tmp_path, monkeypatch
):
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    for end in ("rollback", "close"):
        conn = _writer(engine)
        conn.begin()
        turn = conn.connection.dbapi_connection.turn
        getattr(conn, end)()
        assert not turn.locked(), end
        conn.close()
    holder = _writer(engine)
    holder.begin()
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 50)
    with pytest.raises(OperationalError, match="database is locked"), _writer(engine) as late:
        late.begin()
    holder.rollback()
    holder.close()
    engine.dispose()


def test_a_writer_of_one_statement_holds_sqlites_lock_only_while_sqlite_runs_it(tmp_path):
    """The audit entry of a read on SQLite (``begin_one_statement``): no BEGIN, so the
    statement is its own transaction and SQLite's write lock is free again as soon as it
    has run, while the process's turn is still held (a writer of another process, which
    waits on SQLite's lock, never waits for this one's Python between its statements)."""
    path = tmp_path / "one.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    session = sessionmaker(engine)()
    db_module.begin_one_statement(session)
    raw = session.connection().connection.dbapi_connection
    ran: list[str] = []
    raw.set_trace_callback(ran.append)
    assert raw.turn.locked()
    session.execute(text("INSERT INTO t VALUES (1)"))
    # Another process's writer, with no busy handler: it would fail at once were the lock held.
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (2)")
    other.execute("COMMIT")
    other.close()
    session.commit()
    session.close()
    assert ran == ["INSERT INTO t VALUES (1)"]
    assert not raw.turn.locked()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM t ORDER BY n").scalars().all() == [1, 2]
    engine.dispose()


def test_a_forked_child_takes_its_own_turns_not_its_parents(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    holder = _writer(engine)
    holder.begin()
    turn_of = type(holder.connection.dbapi_connection)
    child = os.fork()
    if child == 0:  # the child: the parent's turn is taken, its own is free
        os._exit(0 if turn_of.turn.acquire(timeout=1) else 1)
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0
    assert turn_of.turn.locked()  # the parent's writer still holds its turn
    holder.rollback()
    holder.close()
    engine.dispose()
