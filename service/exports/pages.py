"""The analysts' page: what the event log holds, and its downloads (the page door's
own routes, signed in by the browser session)."""

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core.web import page_router, render
from service.exports import service
from service.exports.access import ExporterPage
from service.exports.api import CSV_TYPE, XES_TYPE, download
from service.exports.service import CSV_HEADER

router = page_router()


@router.get("/planner/exports", response_class=HTMLResponse)
def exports_page(request: Request, actor: ExporterPage) -> HTMLResponse:
    return render(request, "planner/exports.html", {"columns": CSV_HEADER}, actor=actor)


@router.get("/planner/exports/events.xes", dependencies=[audited("event_log.export")])
def events_xes_download(db: Session, actor: ExporterPage) -> Response:
    return download(service.events_xes(db), XES_TYPE, "events.xes")


@router.get("/planner/exports/events.csv", dependencies=[audited("event_log.export")])
def events_csv_download(db: Session, actor: ExporterPage) -> Response:
    return download(service.events_csv(db).encode("utf-8-sig"), CSV_TYPE, "events.csv")
