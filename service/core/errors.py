"""Domain errors, and the one place that turns any error into a response: an RFC 9457
problem document for the API, a readable page in the user's language for pages."""

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
# While the database cannot be reached, clients come back after this many seconds.
DATABASE_RETRY_SECONDS = 5
log = logging.getLogger("service.errors")


class DomainError(Exception):
    """Base for every error the service raises on purpose: status + stable code."""

    status: int = 400
    code: str = "bad_request"
    # Seconds a client should wait before trying again (429, 503), sent as Retry-After.
    retry_after: int | None = None
    # Commit what the unit of work wrote before this error (a failed sign-in still counts).
    keep_changes: bool = False
    # For pages: send the browser here (with ?next=) instead of showing an error page.
    html_redirect: str | None = None
    # For pages: the form field the refusal is about, so the message sits beside it.
    field: str | None = None

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        problems: list[str] | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        # Every problem found, when there are several (an uploaded file's, say).
        self.problems = problems or []
        if code:
            self.code = code
        if status:
            self.status = status
        if retry_after is not None:
            self.retry_after = retry_after
        if field:
            self.field = field


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


class ServiceBusy(DomainError):
    """Over capacity: the client retries shortly instead of hanging."""

    status = 503
    code = "service_busy"
    retry_after = 2


def wants_html(request: Request) -> bool:
    """Pages get a readable error page; the API and other clients a problem document."""
    path = request.url.path
    accept = request.headers.get("accept", "")
    return not path.startswith(("/api/", "/health")) and "text/html" in accept


def problem(
    status: int, code: str, detail: str, retry_after: int | None = None, **extra: Any
) -> JSONResponse:
    body = {
        "type": f"https://hearing.example/problems/{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# One realistic example per documented status, so a client sees the code it will get.
_EXAMPLES: dict[int, tuple[str, str]] = {
    401: ("not_authenticated", "Sign in first: send 'Authorization: Bearer <token>'."),
    403: ("role_not_allowed", "Role 'lawyer' may not do this (allowed: admin, planner)."),
    404: ("case_not_found", "No case 6a1f1a0e-7d44-4c8e-9e36-0f6f0e0b7c55 that you may see."),
    409: ("illegal_transition", "A case in state 'submitted' cannot 'consent'."),
    422: ("validation_error", "body.seat: Input should be greater than or equal to 1"),
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "Stable, machine-readable error code"},
        "detail": {"type": "string"},
    },
}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": HTTPStatus(status).phrase,
        "content": {
            PROBLEM_JSON: {
                "schema": PROBLEM_SCHEMA,
                "example": {
                    "type": f"https://hearing.example/problems/{code}",
                    "title": HTTPStatus(status).phrase,
                    "status": status,
                    "code": code,
                    "detail": detail,
                },
            }
        },
    }
    for status, (code, detail) in _EXAMPLES.items()
}


def _message(error: dict[str, Any]) -> str:
    """Pydantic's message; for unreadable JSON also what exactly is wrong with it."""
    message = str(error.get("msg", ""))
    reason = (error.get("ctx") or {}).get("error")
    if error.get("type") == "json_invalid" and reason:
        message = f"{message}: {reason}"
    return message


def respond(request: Request, status: int, code: str, detail: str, **extra: Any) -> Response:
    """The one error responder: a page in the user's language, or a problem document."""
    retry_after = extra.pop("retry_after", None)
    if wants_html(request):
        if extra.get("problems"):
            detail = " ".join([detail, *extra["problems"]])
        from service.core.web import render_error  # pages import errors, not the reverse

        return render_error(request, status, code, detail, retry_after=retry_after)
    return problem(status, code, detail, retry_after=retry_after, **extra)


def _sign_in_first(request: Request, sign_in: str) -> Response:
    """A page that needs a signed-in user sends the browser to sign in, then back."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{sign_in}?next={quote(here)}", status_code=303)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if exc.html_redirect and wants_html(request):
            return _sign_in_first(request, exc.html_redirect)
        extra = {"problems": exc.problems} if exc.problems else {}
        return respond(
            request, exc.status, exc.code, exc.detail, retry_after=exc.retry_after, **extra
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": _message(e), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        detail = summary or "Invalid request"
        return respond(request, 422, "validation_error", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return respond(request, exc.status_code, code, str(exc.detail))

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> Response:
        # Optimistic locking: someone else changed the case between read and write.
        detail = "The case changed meanwhile; reload and retry."
        return respond(request, 409, "concurrent_change", detail)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        # A constraint caught a race the service checks could not see (double booking, ...).
        detail = "The change conflicts with existing data; reload and retry."
        return respond(request, 409, "conflict", detail)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> Response:
        # Input the validators let through but the database cannot hold: bad input.
        return respond(request, 422, "invalid_input", "A value in the request cannot be stored.")

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> Response:
        # The database gave no connection in time: come back shortly.
        detail = "The database is busy; try again in a moment."
        return respond(request, 503, "database_busy", detail, retry_after=2)

    async def _database_unavailable(request: Request, exc: Exception) -> Response:
        # The database is down or restarting (or dropped this connection): nothing of the
        # request was committed. One line per failure, no traceback; the client retries.
        log.warning("database unavailable: %s", _first_line(exc))
        return respond(
            request,
            503,
            "database_unavailable",
            "The database cannot be reached; try again in a moment.",
            retry_after=DATABASE_RETRY_SECONDS,
        )

    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(InterfaceError, _database_unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A bug, not bad input: still a readable answer; the server logs the traceback.
        return respond(request, 500, "internal_error", "An unexpected error occurred.")


def database_unreachable(exc: BaseException) -> bool:
    """A database error that says the database cannot be reached (or just dropped the
    connection), not that the request was wrong."""
    return isinstance(exc, OperationalError | InterfaceError)


def _first_line(exc: BaseException) -> str:
    """The driver's message without SQLAlchemy's statement and background link."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return f"{type(original).__name__}: {text[0] if text else ''}"


HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "body_too_large",
}
