"""The capacity forecast for machines: ``GET /forecast`` with the page's inputs."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from service.core.routing import UnitOfWorkRoute
from service.forecast import service
from service.forecast.access import ForecastReader
from service.forecast.schemas import MAX_LENGTH, ForecastOut

router = APIRouter(tags=["forecast"], route_class=UnitOfWorkRoute)
# Documented here; read (and refused with a message per parameter) by the service, so
# the page and the API answer a bad input alike.
Given = Annotated[str | None, Query(max_length=MAX_LENGTH)]


@router.get("/forecast")
def forecast(
    request: Request,
    db: Session,
    actor: ForecastReader,
    consent: Given = None,
    kansrijk: Given = None,
    reply_days: Given = None,
    translation_days: Given = None,
    corrections_days: Given = None,
    seed: Given = None,
) -> ForecastOut:
    """When the stock of the written procedure is done, and which step holds it up: a
    discrete-event simulation from what the service measured over the last weeks (each
    default in ``inputs`` with its ``source``). Change an input with its query parameter:
    ``consent`` and ``kansrijk`` (percent), ``reply_days``, ``translation_days``,
    ``corrections_days``, and per resource ``sessions-<location id>`` (sessions a week),
    ``seats-<location id>`` (seats per session), ``agency-<agency id>`` (forms a week),
    ``team-<team id>`` (decisions a week; ``team-none`` for officers without a team).
    A bad value is refused (422) with a problem per parameter."""
    del consent, kansrijk, reply_days, translation_days, corrections_days, seed
    return service.forecast(db, actor, request.query_params)
