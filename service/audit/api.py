"""The access log of a case: who looked at it (staff), or, for the applicant's lawyer,
which roles did (the right of access under the GDPR, art. 15)."""

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from service.audit import service
from service.audit.access import AuditReader, LoggedCase, audited
from service.audit.schemas import AccessLogEntry, AccessLogPage
from service.core.paging import DEFAULT_LIMIT, Before, Limit, link_next
from service.core.routing import UnitOfWorkRoute

router = APIRouter(tags=["audit"], route_class=UnitOfWorkRoute)


@router.get("/cases/{case_id}/access-log", dependencies=[audited("access_log.read")])
def case_access_log(
    case: LoggedCase,
    db: Session,
    actor: AuditReader,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    before: Before = None,
) -> list[AccessLogEntry]:
    """Every recorded read of (and attempt to reach) this case, newest first, a page at a
    time (``Link: rel="next"`` when older entries follow: those ``before`` the last one).
    A lawyer gets it for their own clients only, without the names of IND staff."""
    found = AccessLogPage.present(service.access_log(db, case.id, limit + 1, before), limit, actor)
    if found.older is not None:
        link_next(request, response, limit=limit, before=found.older)
    return found.entries
