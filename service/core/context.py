"""What one request carries through its hops: its id, who turned out to be calling, and
the witnesses its route declared (e.g. the audit trail's note of a read).

Set by the ``RequestEnvelope`` middleware (``enter``, ``leave``) in a context variable;
the worker thread of the request's unit of work sees the same object (``routing.in_thread``
copies the context into it), so the actor signed in there is visible afterwards on the
event loop.
"""

import itertools
import logging
import os
import re
import time
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session
from starlette.types import Scope

from service.core.actor import Actor

# A caller's own request id is kept if it is short and plain (it goes into logs).
access_log = logging.getLogger("service.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


# A new request id: this process's random prefix and a counter, unique without a
# system call per request (a uuid4 each was 2 % of the request floor's CPU). A forked
# child draws its own prefix.
_prefix = ""
_counter = itertools.count()


def _new_prefix() -> None:
    global _prefix, _counter
    _prefix, _counter = os.urandom(10).hex(), itertools.count()


_new_prefix()
os.register_at_fork(after_in_child=_new_prefix)


def new_request_id() -> str:
    return f"{_prefix}{next(_counter):012x}"


class Witness(Protocol):
    """Something a route declared that must know how its request ended."""

    def joins(self, db: Session) -> bool:
        """Whether it records a success in the request's own transaction (``db``)."""

    def record(self, status: int, db: Session | None = None) -> None:
        """Called in a worker thread: with ``db``, inside the request's unit of work just
        before it commits, if it ``joins`` it (what it writes commits with the request's
        work, or not at all); without, once that unit of work has ended."""


@dataclass
class RequestScope:
    request_id: str
    method: str = ""
    path: str = ""
    actor: Actor | None = None
    witnesses: list[Witness] = field(default_factory=list)
    # The witnesses (ids) that recorded how the request ended, and of those the ones
    # whose record waits for the request's transaction to commit.
    recorded: set[int] = field(default_factory=set)
    uncommitted: set[int] = field(default_factory=set)
    # A write sent with an Idempotency-Key (core/idempotency.py).
    idempotency: Any = None


_current: ContextVar[RequestScope | None] = ContextVar("request_scope", default=None)


def current() -> RequestScope | None:
    return _current.get()


def current_request_id() -> str | None:
    scope = _current.get()
    return scope.request_id if scope else None


def note_actor(actor: Actor) -> None:
    scope = _current.get()
    if scope is not None:
        scope.actor = actor


def witness_in(db: Session, status: int) -> None:
    """Tell the witnesses that join the request's transaction how it ended, in it."""
    scope = _current.get()
    if scope is None:
        return
    for each in scope.witnesses:
        if id(each) not in scope.recorded and each.joins(db):
            each.record(status, db)
            scope.recorded.add(id(each))
            scope.uncommitted.add(id(each))


def committed(done: bool) -> None:
    """The request's transaction ended: what the witnesses recorded in it stands, or
    (``done`` false: rolled back) is gone, and ``witness`` tells them again."""
    scope = _current.get()
    if scope is not None:
        if not done:
            scope.recorded -= scope.uncommitted
        scope.uncommitted.clear()


def unrecorded() -> bool:
    """Some declared witness has not recorded how the request ended."""
    scope = _current.get()
    return scope is not None and any(id(each) not in scope.recorded for each in scope.witnesses)


def witness(status: int) -> None:
    """Tell every declared witness that has not recorded it how the request ended,
    each in a transaction of its own (a witness whose record failed is told again by
    the request's error handling, with the error's status)."""
    scope = _current.get()
    if scope is None:
        return
    for each in scope.witnesses:
        if id(each) not in scope.recorded:
            each.record(status)
            scope.recorded.add(id(each))


def enter(scope: Scope) -> tuple[RequestScope, Token[RequestScope | None]]:
    """The request's id (a caller's plain ``X-Request-ID`` or a new one), set as the
    current request until ``leave``. The id is echoed in the response (``RequestEnvelope``)
    so a user's report can be found in the logs."""
    raw: bytes = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
    given = raw.decode("latin-1")
    request_id = given if REQUEST_ID.match(given) else new_request_id()
    request = RequestScope(request_id, scope["method"], scope["path"])
    return request, _current.set(request)


def leave(scope: Scope, status: int, started: float, token: Token[RequestScope | None]) -> None:
    """Log one access line for the request: the route's template (never a raw path or a
    query string, which may hold a V-number or a purpose), the status, the time taken and
    the caller; then the request is no longer current."""
    try:
        _log_access(scope, status, started)
    finally:
        _current.reset(token)


def _log_access(scope: Scope, status: int, started: float) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return
    request = _current.get()
    actor = request.actor if request else None
    access_log.info(
        "request",
        extra={
            "method": scope["method"],
            "route": _template(scope),
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "role": actor.role if actor else None,
            "user_id": str(actor.user_id) if actor and actor.user_id else None,
        },
    )


def _template(scope: Scope) -> str:
    """The matched route's template; routers included with a prefix (``/api/v1``) keep
    it out of the route's own path, so it is taken from the request's path."""
    route = scope.get("route")
    template: str | None = getattr(route, "path", None)
    if template is None:
        return "(no route)"
    path: str = scope["path"]
    prefix = "/" + path.split("/")[1] + "/" + path.split("/")[2] if path.startswith("/api/") else ""
    return prefix + template if not template.startswith(prefix) else template
