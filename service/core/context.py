"""What one request carries through its hops: its id, who turned out to be calling, and
the witnesses its route declared (e.g. the audit trail's note of a read).

Set by ``RequestContext`` middleware in a context variable; the worker thread of the
request's unit of work sees the same object (anyio copies the context into it), so the
actor signed in there is visible afterwards on the event loop.
"""

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.core.actor import Actor

# A caller's own request id is kept if it is short and plain (it goes into logs).
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


class Witness(Protocol):
    """Something a route declared that must know how its request ended."""

    def record(self, status: int) -> None:
        """Called in a worker thread once the request's unit of work has ended."""


@dataclass
class RequestScope:
    request_id: str
    method: str = ""
    path: str = ""
    actor: Actor | None = None
    witnesses: list[Witness] = field(default_factory=list)
    witnessed: bool = False
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


def witness(status: int) -> None:
    """Tell every declared witness how the request ended (once)."""
    scope = _current.get()
    if scope is None or scope.witnessed:
        return
    scope.witnessed = True
    for each in scope.witnesses:
        each.record(status)


class RequestContext:
    """Gives every request an id (a caller's plain ``X-Request-ID`` or a new one),
    echoed in the response so a user's report can be found in the logs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        token = _current.set(RequestScope(request_id, scope["method"], scope["path"]))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
