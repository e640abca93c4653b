"""The access log of a case as a page: staff see who looked at it; the applicant's lawyer
sees which roles did, for their own client (GDPR art. 15)."""

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.audit import service
from service.audit.access import AUDIT_READERS, audited
from service.audit.schemas import AccessLogEntry
from service.auth.access import signed_in
from service.cases.access import readable_case
from service.core.actor import Actor
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
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Annotated[Actor, Depends(signed_in(*AUDIT_READERS))],
    before: Before = None,
) -> HTMLResponse:
    """A page of entries at a time, with links to the newest and to older ones."""
    case = readable_case(db, case_id, actor)
    found = service.access_log(db, case.id, DEFAULT_LIMIT + 1, before)
    entries = [AccessLogEntry.present(e, who, actor) for e, who in found[:DEFAULT_LIMIT]]
    context = {
        "case": case,
        "entries": entries,
        "staff": not actor.is_(Role.LAWYER),
        "paged": before is not None,
        "older": found[DEFAULT_LIMIT - 1][0].seq if len(found) > DEFAULT_LIMIT else None,
    }
    return render(request, "officer/access_log.html", context, actor=actor)
