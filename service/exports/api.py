"""The event log for process mining, as XES and as CSV (no personal data)."""

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core.routing import UnitOfWorkRoute
from service.exports import service
from service.exports.access import Exporter

router = APIRouter(tags=["exports"], route_class=UnitOfWorkRoute)

XES_TYPE = "application/xml"
CSV_TYPE = "text/csv; charset=utf-8"


def download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/exports/events.xes",
    response_class=Response,
    responses={200: {"content": {XES_TYPE: {}}, "description": "IEEE 1849 XES"}},
    dependencies=[audited("event_log.export")],
)
def events_xes(db: Session, actor: Exporter) -> Response:
    """Every case's steps as an XES event log: a trace per case named by a stable
    pseudonym, with its nationality, track and outcome; per step the activity, the
    moment (with its zone), the role that took it and the lifecycle transition."""
    return download(service.events_xes(db), XES_TYPE, "events.xes")


@router.get(
    "/exports/events.csv",
    response_class=Response,
    responses={200: {"content": {CSV_TYPE: {}}, "description": "one row per event"}},
    dependencies=[audited("event_log.export")],
)
def events_csv(db: Session, actor: Exporter) -> Response:
    """The same event log as CSV, one row per step (safe to open in a spreadsheet)."""
    body = service.events_csv(db).encode("utf-8-sig")  # the BOM: Excel reads UTF-8
    return download(body, CSV_TYPE, "events.csv")
