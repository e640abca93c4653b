"""Structured JSON logs, one object a line, each with the request id (core/context.py).

What is logged is chosen so nothing sensitive reaches the logs: one access line per
request (written by ``context.leave``) with the route's *template*
(``/api/v1/cases/{case_id}/answers``, never a V-number or a query string), the status,
the time taken and who called (role and account id); uvicorn's own access log, which
prints raw paths and queries, is off. Database errors carry no statement parameters
(``hide_parameters`` on the engine), and encrypted values print as their key id only
(``Sealed.__repr__``).
"""

import logging
import logging.config
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from service.core import context


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request it was logged in (if any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.current_request_id()
        return True


# Background jobs that run every few seconds as housekeeping (the audit sealer): Huey's
# INFO lines about them ("Executing ...", "... executed in", "Added task ...") would
# drown the worker's log; their warnings and errors still show.
_ROUTINE_JOBS: set[str] = set()


def routine_job(name: str) -> None:
    """Name a frequent housekeeping job whose Huey INFO lines the logs leave out."""
    _ROUTINE_JOBS.add(name)


class RoutineJobFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO or not record.name.startswith("huey"):
            return True
        message = record.getMessage()
        # "Added task <id> to schedule": Huey names no task there; a delayed job says
        # what it is when it runs.
        if message.startswith("Added task ") and " to schedule" in message:
            return False
        return not any(name in message for name in _ROUTINE_JOBS)


LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": RequestIdFilter}, "routine": {"()": RoutineJobFilter}},
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
            "filters": ["request_id", "routine"],
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
