"""Pure ASGI middleware: security headers on every response, and a body size limit.

Written as plain ASGI (not Starlette's BaseHTTPMiddleware) so they add no task or
thread per request.
"""

from datetime import datetime

import anyio
from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class SecurityHeaders:
    """CSP, no framing, no sniffing, no referrer, and no caching of anything personal."""

    def __init__(self, app: ASGIApp, microphone_paths: tuple[str, ...] = ()) -> None:
        self.app = app
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        extra = (
            self.static
            if path.startswith(STATIC_PREFIX)
            else self.docs
            if path == "/docs"
            else self.with_microphone
            if self.microphone_paths and path.startswith(self.microphone_paths)
            else self.dynamic
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*_without(message.get("headers", []), b"server"), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def headers_for(self, path: str) -> list[tuple[bytes, bytes]]:
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


def _without(headers: list[tuple[bytes, bytes]], name: bytes) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() != name]


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"The request body is larger than {limit // 1024} KiB.")


class BodyLimit:
    """Refuse request bodies over the limit with 413, before reading them in full.

    The limit is ``max_body_bytes``, and ``max_upload_bytes`` for the paths that take
    files (the case import). A declared Content-Length over the limit is refused at once;
    a chunked body is counted as it streams in.
    """

    def __init__(
        self,
        app: ASGIApp,
        upload_paths: tuple[str, ...] = (),
        upload_suffixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.upload_paths = upload_paths
        # Paths with an id in them that take files end in one of these.
        self.upload_suffixes = upload_suffixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        limit = (
            settings.max_upload_bytes
            if scope["path"] in self.upload_paths or scope["path"].endswith(self.upload_suffixes)
            else settings.max_body_bytes
        )
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
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
                deadline = anyio.current_time() + settings.body_timeout_seconds
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

        await self.app(scope, counting_receive, send)


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


__all__ = ["BodyLimit", "SecurityHeaders"]


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
