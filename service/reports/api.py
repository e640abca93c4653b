"""The reports as JSON for machines: the same figures as the pages (``service.report``)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.core.routing import UnitOfWorkRoute
from service.reports import access, queries, service
from service.reports.schemas import NationalityRow, Report, TimeReport, WhereReport

router = APIRouter(tags=["reports"], route_class=UnitOfWorkRoute)

From = Annotated[date | None, Query(alias="from", description="First day (default: a year ago)")]
To = Annotated[date | None, Query(alias="to", description="Last day, included (default: today)")]


@router.get("/reports/nationalities")
def nationalities(
    db: Session, _: access.Reader, start: From = None, end: To = None
) -> list[NationalityRow]:
    """The evaluation's table per nationality for the period (each figure counts the cases
    whose milestone fell in it), the total as the last row (``nationality`` "total").
    The final outcomes (``grant``, ``unfounded``, ``manifestly_unfounded``,
    ``inadmissible``) and ``grant_rate`` count the outcomes recorded in the period
    (``PUT /cases/{id}/final-decision``); ``low_literacy`` and ``spoken_answers`` count
    the applicants checked in in low-literacy mode and their spoken answers;
    ``assisted_filling`` the applicants a host or interpreter could type for, apart."""
    return queries.by_nationality(db, service.period_of(start, end))


@router.get("/reports/time")
def time(db: Session, _: access.Reader, start: From = None, end: To = None) -> TimeReport:
    """Throughput time per step and for the whole procedure (median, 90th percentile, share
    within six weeks), the officers' handling time per case, and the time saved against
    the regular procedure, with what it was computed from."""
    return queries.time_report(db, service.period_of(start, end))


@router.get("/reports/where")
def where(db: Session, _: access.Reader, start: From = None, end: To = None) -> WhereReport:
    """Where the time goes: the stage holding open cases longest, overdue terms per party,
    and invitations not consented to by how they ended (in the period)."""
    return queries.where_report(db, service.period_of(start, end), utcnow())


@router.get("/reports")
def everything(db: Session, _: access.Reader, start: From = None, end: To = None) -> Report:
    """Every figure of the report page for the period, charts' figures included."""
    return service.report(db, service.period_of(start, end))
