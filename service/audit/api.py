"""The access log of a case: who looked at it (staff), or, for the applicant's lawyer,
which roles did (the right of access under the GDPR, art. 15)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from service.audit import service
from service.audit.access import AUDIT_READERS, audited
from service.audit.schemas import AccessLogEntry
from service.auth.access import allow
from service.cases.access import readable_case
from service.core.actor import Actor
from service.core.paging import DEFAULT_LIMIT, Before, Limit, link_next
from service.core.routing import UnitOfWorkRoute

router = APIRouter(tags=["audit"], route_class=UnitOfWorkRoute)


@router.get("/cases/{case_id}/access-log", dependencies=[audited("access_log.read")])
def case_access_log(
    case_id: uuid.UUID,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*AUDIT_READERS))],
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    before: Before = None,
) -> list[AccessLogEntry]:
    """Every recorded read of (and attempt to reach) this case, newest first, a page at a
    time (``Link: rel="next"`` when older entries follow: those ``before`` the last one).
    A lawyer gets it for their own clients only, without the names of IND staff."""
    case = readable_case(db, case_id, actor)
    found = service.access_log(db, case.id, limit + 1, before)
    if len(found) > limit:
        link_next(request, response, limit=limit, before=found[limit - 1][0].seq)
    return [AccessLogEntry.present(e, who, actor) for e, who in found[:limit]]
