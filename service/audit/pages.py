"""The access log of a case as a page: staff see who looked at it; the applicant's lawyer
sees which roles did, for their own client (GDPR art. 15)."""

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.audit import service
from service.audit.access import AuditReaderPage, LoggedCasePage, audited
from service.audit.schemas import AccessLogPage
from service.core.paging import DEFAULT_LIMIT, Before
from service.core.web import page_router, render
from service.models.auth import Role

router = page_router()


@router.get(
    "/cases/{case_id}/access-log",
    response_class=HTMLResponse,
    dependencies=[audited("access_log.read")],
)
def access_log_page(
    request: Request,
    db: Session,
    case: LoggedCasePage,
    actor: AuditReaderPage,
    before: Before = None,
) -> HTMLResponse:
    """A page of entries at a time, with links to the newest and to older ones."""
    found = service.access_log(db, case.id, DEFAULT_LIMIT + 1, before)
    shown = AccessLogPage.present(found, DEFAULT_LIMIT, actor)
    context = {
        "case": case,
        "entries": shown.entries,
        "staff": not actor.is_(Role.LAWYER),
        "paged": before is not None,
        "older": shown.older,
    }
    return render(request, "officer/access_log.html", context, actor=actor)
