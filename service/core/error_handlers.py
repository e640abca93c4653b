"""The one place that turns any error into a response: an RFC 9457 problem document
for the API, a readable page in the user's language for pages. Installed on the app by
``service.main``; the errors themselves live in ``service.core.errors``, which the
pages' plumbing (``service.core.web``) imports in turn."""

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.core.errors import DATABASE_RETRY_SECONDS, DomainError, problem, wants_html
from service.core.web import render_error

log = logging.getLogger("service.errors")


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
