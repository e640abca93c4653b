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
) -> HTMLResponse:
    case = readable_case(db, case_id, actor)
    entries = [AccessLogEntry.present(e, who, actor) for e, who in service.access_log(db, case.id)]
    context = {"case": case, "entries": entries, "staff": not actor.is_(Role.LAWYER)}
    return render(request, "officer/access_log.html", context, actor=actor)
