"""Structured JSON logs, one object a line, each with the request id (core/context.py).

What is logged is chosen so nothing sensitive reaches the logs: one access line per
request with the route's *template* (``/api/v1/cases/{case_id}/answers``, never a
V-number or a query string), the status, the time taken and who called (role and account
id); uvicorn's own access log, which prints raw paths and queries, is off. Database
errors carry no statement parameters (``hide_parameters`` on the engine), and encrypted
values print as their key id only (``Sealed.__repr__``).
"""

import logging
import logging.config
import time
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.core import context

access_log = logging.getLogger("service.access")


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request it was logged in (if any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.current_request_id()
        return True


LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": RequestIdFilter}},
    "formatters": {
        "json": {
            "()": JsonFormatter,
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "uvicorn": {"handlers": [], "propagate": True},
        "uvicorn.error": {"handlers": [], "propagate": True},
        "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
    },
}


def configure() -> None:
    logging.config.dictConfig(LOGGING)


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


class AccessLog:
    """One JSON line per request: route template, status, duration, caller."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            request = context.current()
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
