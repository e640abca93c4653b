"""Pure ASGI middleware: every request passes ``RequestEnvelope`` (its id and access
line, the security headers, the body limit), and a replay's app ``SimulatedNow``.

Written as plain ASGI (not Starlette's BaseHTTPMiddleware) so they add no task or
thread per request; and the envelope is one middleware, not three: a request passes one
wrapper and its response one send wrapper (the request floor, docs/request-model.md).
"""

import time
from datetime import datetime

import anyio
from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.core import context
from service.core.clock import told
from service.core.errors import problem
from service.core.settings import get_settings

# Scripts and styles only from this service (no inline code, no CDN); data: images for
# the design system's checkbox and select icons; blob: audio to listen back to a recording.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; media-src 'self' blob:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
# Swagger UI (dev and test only) sets inline styles from its scripts.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
STATIC_PREFIX = "/static/"
Headers = list[tuple[bytes, bytes]]


class RequestEnvelope:
    """What every HTTP request passes through, outermost:

    - its id (a caller's plain ``X-Request-ID`` or a new one), echoed in the response so
      a user's report can be found in the logs, and one access line when it ends
      (``context.enter``, ``context.leave``);
    - the security headers on every response (``SecurityHeaders``), without ``server``;
    - the body limit (``BodyLimit``): 413 over the limit, 408 for a body not sent in time.
    """

    def __init__(
        self,
        app: ASGIApp,
        upload_paths: tuple[str, ...] = (),
        upload_suffixes: tuple[str, ...] = (),
        microphone_paths: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.security = SecurityHeaders(microphone_paths)
        self.limit = BodyLimit(upload_paths, upload_suffixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request, token = context.enter(scope)
        started = time.perf_counter()
        status = 500
        # Built once per request: the path's security headers and the id after them.
        extra = [
            *self.security.for_path(scope["path"]),
            (b"x-request-id", request.request_id.encode()),
        ]

        async def send_enveloped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*_without_server(message.get("headers", [])), *extra]
            await send(message)

        try:
            limit = self.limit.for_path(scope["path"])
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                await _refuse(scope, receive, send_enveloped, limit)
            else:
                await self.app(scope, self.limit.receiving(receive, limit), send_enveloped)
        finally:
            context.leave(scope, status, started, token)


class SecurityHeaders:
    """CSP, no framing, no sniffing, no referrer, and no caching of anything personal."""

    def __init__(self, microphone_paths: tuple[str, ...] = ()) -> None:
        self.hsts = get_settings().env == "production"
        # Fixed sets, built once: pages and API, static files, the API docs, and the
        # pages that may use the microphone (spoken answers at the kiosk).
        self.dynamic = self.headers_for("/")
        self.static = self.headers_for(STATIC_PREFIX)
        self.docs = self.headers_for("/docs")
        self.microphone_paths = microphone_paths
        self.with_microphone = [
            (name, b"camera=(), microphone=(self), geolocation=()")
            if name == b"permissions-policy"
            else (name, value)
            for name, value in self.dynamic
        ]

    def for_path(self, path: str) -> Headers:
        return (
            self.static
            if path.startswith(STATIC_PREFIX)
            else self.docs
            if path == "/docs"
            else self.with_microphone
            if self.microphone_paths and path.startswith(self.microphone_paths)
            else self.dynamic
        )

    def headers_for(self, path: str) -> Headers:
        policy = DOCS_CSP if path == "/docs" else CSP
        headers = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
            # No microphone, except on the recording pages (``microphone_paths``).
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if not path.startswith(STATIC_PREFIX):
            # Case data must not stay in browser or proxy caches (a shared kiosk!).
            headers.append((b"cache-control", b"no-store"))
        if self.hsts:
            headers.append((b"strict-transport-security", b"max-age=31536000"))
        return headers


def _without_server(headers: Headers) -> Headers:
    return [(k, v) for k, v in headers if k.lower() != b"server"]


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"The request body is larger than {limit // 1024} KiB.")


class BodyLimit:
    """Refuse request bodies over the limit with 413, before reading them in full.

    The limit is ``max_body_bytes``, and ``max_upload_bytes`` for the paths that take
    files (the case import). A declared Content-Length over the limit is refused at once;
    a chunked body is counted as it streams in.
    """

    def __init__(
        self, upload_paths: tuple[str, ...] = (), upload_suffixes: tuple[str, ...] = ()
    ) -> None:
        self.upload_paths = upload_paths
        # Paths with an id in them that take files end in one of these.
        self.upload_suffixes = upload_suffixes

    def for_path(self, path: str) -> int:
        settings = get_settings()
        if path in self.upload_paths or path.endswith(self.upload_suffixes):
            return settings.max_upload_bytes
        return settings.max_body_bytes

    def receiving(self, receive: Receive, limit: int) -> Receive:
        """``receive``, counting the body against ``limit`` and its time."""
        timeout = get_settings().body_timeout_seconds
        received = 0
        complete = False
        # A body trickled in byte by byte holds a request thread's turn: it must be
        # complete this long after the app first asks for it, or the request gets 408.
        deadline: float | None = None

        async def counting_receive() -> Message:
            nonlocal received, complete, deadline
            if complete:  # the body is in; later calls only wait for a disconnect
                return await receive()
            if deadline is None:
                deadline = anyio.current_time() + timeout
            with anyio.move_on_at(deadline) as waiting:
                message = await receive()
            if waiting.cancelled_caught:
                raise HTTPException(408, "The request body was not sent in time.")
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # a streamed body without Content-Length
                    raise too_large(limit)
                complete = not message.get("more_body", False)
            return message

        return counting_receive


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = problem(413, "body_too_large", str(too_large(limit).detail))
    await response(scope, receive, send)


__all__ = ["RequestEnvelope", "SimulatedNow"]


SIMULATED_NOW = b"x-simulated-now"


class SimulatedNow:
    """A replay's request says what time it is (``X-Simulated-Now``, ISO 8601): the
    replay's simulated clock, shared with the app processes it drives over HTTP
    (``service/simulate``). Only an app with ``simulated_clock`` on installs it, and the
    settings refuse that in production: there nobody may set the service's clock."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        said = (
            dict(scope.get("headers", ())).get(SIMULATED_NOW) if scope["type"] == "http" else None
        )
        if said is None:
            await self.app(scope, receive, send)
            return
        with told(datetime.fromisoformat(said.decode())):
            await self.app(scope, receive, send)
