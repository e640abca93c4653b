"""Domain errors (a status and a stable code each) and the RFC 9457 problem document.
Turning any error into a response is ``service.core.error_handlers``' work."""

from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

PROBLEM_JSON = "application/problem+json"
# While the database cannot be reached, clients come back after this many seconds.
DATABASE_RETRY_SECONDS = 5


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


def database_unreachable(exc: BaseException) -> bool:
    """A database error that says the database cannot be reached (or just dropped the
    connection), not that the request was wrong."""
    return isinstance(exc, OperationalError | InterfaceError)
