"""The reports as pages for planners and management, and their files (CSV, XLSX, PDF):
the same figures as the API (``service.report``), with the charts inline as SVG."""

from datetime import date
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.core.formatting import local_date, local_moment
from service.core.i18n import gettext_for, language_of
from service.core.settings import get_settings
from service.core.templating import templates
from service.core.web import page_router, render
from service.reports import access, service
from service.reports.schemas import Report
from service.workflow import STATE_LABELS, CaseState

router = page_router()

From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]


def _context(found: Report, language: str) -> dict[str, Any]:
    _ = gettext_for(language)
    return {
        "report": found,
        "columns": service.COLUMNS,
        "columns_header": [(_(label), True) for _f, label, _k in service.COLUMNS],
        "table_header": lambda header: [(header[0], False), *[(h, True) for h in header[1:]]],
        "pictures": service.pictures(found, language),
        "figure": service.cell,
        "percent": lambda share: None if share is None else round(share * 100, 1),
        "shown": lambda value: service.shown(value, language),
        "nationality": lambda code: service.nationality_label(code, language),
        "STEP_LABELS": service.STEP_LABELS,
        "PARTY_LABELS": service.PARTY_LABELS,
        "DECLINE_LABELS": service.DECLINE_LABELS,
        "state_label": lambda state: STATE_LABELS[CaseState(state)],
        "settings": get_settings(),
        "query": f"from={found.period.start.isoformat()}&to={found.period.end.isoformat()}",
    }


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request, db: Session, actor: access.ReaderPage, start: From = None, end: To = None
) -> HTMLResponse:
    """Per nationality, time, where the time goes, and the charts, for a period."""
    found = service.report(db, service.period_of(start, end))
    context = _context(found, language_of(request))
    return render(request, "reports/report.html", context, actor=actor)


def _download(content: bytes, media_type: str, name: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/reports/nationalities.csv")
def nationalities_csv(
    request: Request, db: Session, _: access.ReaderPage, start: From = None, end: To = None
) -> Response:
    found = service.report(db, service.period_of(start, end))
    text = service.csv_export(found, language_of(request))
    # The BOM: Excel reads UTF-8.
    return _download(
        text.encode("utf-8-sig"), "text/csv; charset=utf-8", service.file_name(found, "csv")
    )


@router.get("/reports/report.xlsx")
def report_xlsx(
    request: Request, db: Session, _: access.ReaderPage, start: From = None, end: To = None
) -> Response:
    found = service.report(db, service.period_of(start, end))
    return _download(
        service.xlsx_export(found, language_of(request)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        service.file_name(found, "xlsx"),
    )


@router.get("/reports/report.pdf")
def report_pdf(
    request: Request, db: Session, _: access.ReaderPage, start: From = None, end: To = None
) -> Response:
    """The same tables and charts, printable (A4, landscape)."""
    found = service.report(db, service.period_of(start, end))
    language = language_of(request)
    context = {
        **_context(found, language),
        "lang": language,
        "_": gettext_for(language),
        "date": lambda value: local_date(value, language),
        "moment": lambda value: local_moment(value, language),
    }
    html = templates.get_template("pdf/report.html").render(context)
    return _download(
        service.pdf_export(html), "application/pdf", service.file_name(found, "pdf"), inline=True
    )
