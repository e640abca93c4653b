"""Domain errors and their rendering as RFC 9457 problem documents."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.core.templating import templates

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """Base for every error the service raises on purpose: status + stable code."""

    status: int = 400
    code: str = "bad_request"
    # Seconds a client should wait before trying again (429, 503), sent as Retry-After.
    retry_after: int | None = None
    # Commit what the unit of work wrote before this error (a failed sign-in still counts).
    keep_changes: bool = False

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        if status:
            self.status = status
        if retry_after is not None:
            self.retry_after = retry_after


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


def html_error(request: Request, status: int, code: str, detail: str) -> Response:
    context = {"title": HTTPStatus(status).phrase, "detail": detail, "code": code}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if wants_html(request):
            return html_error(request, exc.status, exc.code, exc.detail)
        return problem(exc.status, exc.code, exc.detail, retry_after=exc.retry_after)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": _message(e), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(422, "validation_error", summary or "Invalid request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        if wants_html(request):
            return html_error(request, exc.status_code, code, str(exc.detail))
        return problem(exc.status_code, code, str(exc.detail))

    @app.exception_handler(StaleDataError)
    async def _stale(_: Request, exc: StaleDataError) -> JSONResponse:
        # Optimistic locking: someone else changed the case between read and write.
        return problem(409, "concurrent_change", "The case changed meanwhile; reload and retry.")

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        # Input the validators let through but the database cannot hold, e.g. a NUL
        # character in a text on PostgreSQL: the client's fault, not a server error.
        return problem(422, "invalid_input", "A value in the request cannot be stored.")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: still a problem document; the server logs the traceback.
        return problem(500, "internal_error", "An unexpected error occurred.")

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(_: Request, exc: PoolTimeout) -> JSONResponse:
        # The database refused more connections in time: come back shortly.
        return problem(
            503, "database_busy", "The database is busy; try again in a moment.", retry_after=2
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        # A constraint caught a race the service checks could not see (double booking, ...).
        return problem(
            409, "conflict", "The change conflicts with existing data; reload and retry."
        )
