"""The request model: one worker-thread hop per request (docs/request-model.md).

FastAPI runs every sync dependency and the sync endpoint in separate thread-pool hops,
and serialises the response in yet another; a connection taken in the first hop is
held while the request queues for the next. Under load every thread then waits for a
connection held by a request that waits for a thread: the 30-second stall.

``UnitOfWorkRoute`` keeps FastAPI's declarations but changes when things run:

* dependencies that FastAPI resolves are async and do no I/O (they read the path,
  query, body, headers and cookies);
* the endpoint, with every value that needs the database (the session, the signed-in
  actor, an object checked for access), runs in ONE worker thread inside one unit of
  work that takes its connection and gives it back before the thread is released.

A dependency that needs the database returns an ``InUnitOfWork`` value: a small object
whose ``resolve(db)`` runs inside that hop (``allow(...)`` returns one that signs the
caller in and checks the role). Such a dependency may also carry a ``gate(request)``:
when the request's input is invalid, the gate is checked first, so a caller without
permission gets 401/403 rather than the route's validation errors.
"""

import asyncio
import contextlib
import inspect
import json
import os
import re
import typing
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from functools import partial
from typing import Any

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import Scope

from service.core import context, idempotency
from service.core import db as db_module
from service.core.errors import DomainError, ServiceBusy, database_unreachable
from service.core.settings import get_settings
from service.core.text import has_invalid_text

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class InUnitOfWork(ABC):
    """A dependency's value that is completed inside the request's unit of work."""

    @abstractmethod
    def resolve(self, db: Session) -> Any: ...


class UnitOfWorkRoute(APIRoute):
    """A route whose sync endpoint runs in one thread hop with its unit of work."""

    # Reads may write too (a browser session's last activity): begin as a writer.
    reads_write = False

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ("GET",)}
        self.writes = self.reads_write or not methods <= READ_METHODS
        status = kwargs.get("status_code") or 200
        super().__init__(path, in_one_hop(endpoint, write=self.writes, status=status), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        gates = [
            gate
            for dependency in self.dependant.dependencies
            if (gate := getattr(dependency.call, "gate", None)) is not None
        ]

        async def checked(request: Request) -> Response:
            request = CheckedRequest(request.scope, request.receive)
            try:
                try:
                    await _note_idempotency_key(request)
                    return await handler(request)
                except (RequestValidationError, HTTPException) as invalid:
                    # Who may call comes before what they sent: a caller who may not use
                    # the route learns nothing of its input rules (401/403, not 422, nor
                    # the 400 of a body that cannot be parsed).
                    if isinstance(invalid, HTTPException) and invalid.status_code != 400:
                        raise
                    await run_in_worker_thread(partial(_pass_gates, gates, request))
                    raise
            except Exception as exc:
                # Refused and failed attempts are witnessed too (the audit trail).
                # With the database unreachable there is nowhere to record the attempt.
                unreachable = database_unreachable(exc)
                if context.unrecorded() and not unreachable:
                    await run_in_worker_thread(partial(context.witness, status_of(exc)))
                raise

        return checked


class PageRoute(UnitOfWorkRoute):
    """A page: every request may note the browser session's activity, so on SQLite it
    takes the write lock up front (a read that turns into a write mid-transaction could
    find the database changed and fail at once instead of waiting its turn)."""

    reads_write = True


class CheckedRequest(Request):
    """Refuses JSON the database could not store, as a 422 like any malformed JSON."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                document = json.loads(body)
            except RecursionError:
                raise json.JSONDecodeError("the document is nested too deeply", "", 0) from None
            if has_invalid_text(document):
                raise json.JSONDecodeError("a string holds a NUL or a lone surrogate", "", 0)
            self._json = document
        return self._json


async def _note_idempotency_key(request: Request) -> None:
    key = request.headers.get(idempotency.HEADER)
    scope = context.current()
    if key is None or request.method != "POST" or scope is None:
        return
    body = await request.body()
    scope.idempotency = idempotency.read_request(
        key, request.method, request.url.path, body, request.headers.get("content-type", "")
    )


class WritingReadRoute(UnitOfWorkRoute):
    """A read that may write (an audited download, a kiosk form handed in when its time
    is up): it begins as a writer, so SQLite never upgrades a read mid-way, which fails
    at once under concurrent writers."""

    reads_write = True


def in_one_hop(
    endpoint: Callable[..., Any], *, write: bool, status: int = 200
) -> Callable[..., Any]:
    """Wrap a sync endpoint: parameters typed ``Session`` get the unit of work's session."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint  # async endpoints do no database work
    hints = typing.get_type_hints(endpoint, include_extras=True)
    signature = inspect.signature(endpoint)
    sessions = [name for name in signature.parameters if _is_session(hints.get(name))]
    parameters = [
        p.replace(annotation=hints.get(name, p.annotation))
        for name, p in signature.parameters.items()
        if name not in sessions
    ]

    async def run_in_one_hop(**values: Any) -> Any:
        work = partial(_unit_of_work, endpoint, values, sessions, write, status)
        return await run_in_worker_thread(work)

    returns = hints.get("return", signature.return_annotation)
    run_in_one_hop.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters, return_annotation=None if returns is type(None) else returns
    )
    for attribute in ("__name__", "__qualname__", "__doc__", "__module__"):
        setattr(run_in_one_hop, attribute, getattr(endpoint, attribute))
    return run_in_one_hop


def _pass_gates(gates: list[Callable[[Request], InUnitOfWork]], request: Request) -> None:
    with db_module.request_unit_of_work(False) as db:
        for gate in gates:
            gate(request).resolve(db)


def _is_session(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation is Session


def _unit_of_work(
    endpoint: Callable[..., Any],
    values: dict[str, Any],
    sessions: list[str],
    write: bool,
    status: int,
) -> Any:
    try:
        with db_module.request_unit_of_work(write) as db:
            arguments = {
                name: value.resolve(db) if isinstance(value, InUnitOfWork) else value
                for name, value in values.items()
            }
            arguments.update(dict.fromkeys(sessions, db))
            scope = context.current()
            if scope is not None and scope.idempotency is not None and scope.actor is not None:
                result = _once(db, scope.actor, scope.idempotency, status, endpoint, arguments)
            else:
                result = endpoint(**arguments)
            # A witness that can records in this transaction (one commit for both).
            context.witness_in(db, 200)
    except BaseException:
        context.committed(False)  # rolled back: the failure is witnessed on its own
        raise
    context.committed(True)
    # Still in this thread, before anything is sent: a read whose witness cannot
    # record it (the audit trail) fails instead of showing the data unrecorded.
    context.witness(200)
    return result


def _once(
    db: Session,
    actor: Any,
    request: idempotency.IdempotentRequest,
    status: int,
    endpoint: Callable[..., Any],
    arguments: dict[str, Any],
) -> Any:
    """Run a keyed write once: later requests with the key get the stored answer."""
    stored = idempotency.stored_answer(db, actor, request)
    if stored is not None:
        return stored
    result = endpoint(**arguments)
    idempotency.store_answer(db, actor, request, status, result)
    return result


def status_of(exc: BaseException) -> int:
    """The HTTP status an exception will be answered with."""
    if isinstance(exc, DomainError):
        return exc.status
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, RequestValidationError):
        return 422
    if database_unreachable(exc):
        return 503
    return 500


# --- matching ------------------------------------------------------------------------------


def match_by_prefix(app: FastAPI) -> None:
    """Let each included router pass over a path none of its routes can match.

    FastAPI tries every route of every included router in turn, a regular expression and
    some bookkeeping each: about 15 µs a route here, so a path matched late (the decision
    queue, the officer's pages) spent 1.5-4.5 ms in matching alone, twice (once to find
    the router, once inside it). A route's path up to its first parameter is a prefix
    every path it matches starts with: a router whose prefixes all differ from the path
    answers "no match" at once, as it would have after trying each route. A router whose
    routes this cannot read (no ``path_format``) is matched as FastAPI does."""
    for route in app.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is None:
            continue  # a plain route or a mount: FastAPI's own matching
        formats = [
            getattr(c.starlette_route, "path_format", None) or getattr(c, "path_format", None)
            for c in contexts()
        ]
        known = [f for f in formats if isinstance(f, str)]
        if not known or len(known) < len(formats):
            continue
        prefixes = sorted({f.split("{", 1)[0] for f in known})
        pattern = re.compile("|".join(map(re.escape, prefixes)))
        setattr(route, "matches", _skipping(route.matches, pattern))  # noqa: B010 - this router only


def _skipping(
    matches: Callable[[Scope], tuple[Match, Scope]], prefixes: re.Pattern[str]
) -> Callable[[Scope], tuple[Match, Scope]]:
    def matches_by_prefix(scope: Scope) -> tuple[Match, Scope]:
        # Behind a root path FastAPI strips it first: left to FastAPI.
        plain = scope["type"] == "http" and not scope.get("root_path")
        if plain and not prefixes.match(scope["path"]):
            return Match.NONE, {}
        return matches(scope)

    return matches_by_prefix


class Turns:
    """At most ``size`` requests in their unit of work at once; the rest wait for a turn
    in arrival order. Plain asyncio futures: a wait is a future and a timer, where anyio's
    capacity limiter with a timed cancel scope around it cost several times that per
    request under load (docs/request-model.md)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.taken = 0
        self.waiting: deque[asyncio.Future[bool]] = deque()

    def take_now(self) -> bool:
        """A turn at once if one is free and nobody waits before this request."""
        if self.taken < self.size and not self.waiting:
            self.taken += 1
            return True
        return False

    async def wait(self, timeout: float) -> bool:
        """Wait for a turn, in arrival order: False if none came within ``timeout``."""
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[bool] = loop.create_future()
        self.waiting.append(turn)
        timer = loop.call_later(timeout, _too_late, turn)
        try:
            given = await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled() and turn.result():
                self.give_back()  # given a turn, but cancelled before taking it up
            self._forget(turn)
            raise
        finally:
            timer.cancel()
        if not given:
            self._forget(turn)
        return given

    def give_back(self) -> None:
        """The turn passes to the first request still waiting, or is free again."""
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(True)
                return
        self.taken -= 1

    def _forget(self, turn: asyncio.Future[bool]) -> None:
        with contextlib.suppress(ValueError):
            self.waiting.remove(turn)


def _too_late(turn: asyncio.Future[bool]) -> None:
    if not turn.done():
        turn.set_result(False)


_turns: RunVar[Turns] = RunVar("request_turns")


def _request_turns() -> Turns:
    """At most ``threads`` requests run at once; the rest wait here, in order.

    One per event loop (a ``RunVar``), like anyio's own default limiter.
    """
    try:
        return _turns.get()
    except LookupError:
        threads = get_settings().threads
        # The default limiter (Starlette uses it, e.g. for uploads) has room for every
        # request that holds a turn, so such a request never waits twice.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads + 8
        turns = Turns(threads)
        _turns.set(turns)
        return turns


async def run_in_worker_thread(work: Callable[[], Any]) -> Any:
    """Run ``work`` in a worker thread once one is free; refuse fast when overloaded."""
    turns = _request_turns()
    if not turns.take_now():
        await _wait_for_a_thread(turns)
    try:
        return await in_thread(work)
    finally:
        turns.give_back()


async def _wait_for_a_thread(turns: Turns) -> None:
    """Wait in arrival order for a thread, as long as the queue and the time allow."""
    settings = get_settings()
    if len(turns.waiting) >= settings.max_waiting_requests:
        raise ServiceBusy("The service is busy; try again in a moment.")
    if not await turns.wait(settings.queue_timeout_seconds):
        raise ServiceBusy("The service is busy; try again in a moment.")


# The request threads: as many as requests run at once (``threads``), created as needed
# and kept. Not anyio's worker threads: its hop (a checkpoint, its own limiter's turn, a
# shielded cancel scope, a queue with a condition variable) cost twice the event loop's
# time of a plain executor's (docs/request-model.md).
_executor: ThreadPoolExecutor | None = None


def _request_threads() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(get_settings().threads, thread_name_prefix="request")
    return _executor


def _no_threads_in_child() -> None:
    global _executor
    _executor = None  # a forked child has none of its parent's threads


os.register_at_fork(after_in_child=_no_threads_in_child)


async def in_thread(work: Callable[[], Any]) -> Any:
    """The request's one hop: ``work`` in a request thread, seeing the request's context
    (its id, and the actor it signs in, visible again on the event loop afterwards). A
    request cancelled meanwhile stops waiting; its work, once begun, runs to its end (its
    unit of work commits or rolls back), and never more than ``threads`` run at once."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_request_threads(), copy_context().run, work)
