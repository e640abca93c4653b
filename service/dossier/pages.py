"""The dossier page: "being prepared" until the PDF is ready, then the download."""

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.auth.access import signed_in
from service.cases.access import readable_account
from service.core.actor import Actor
from service.core.web import page_router, render
from service.dossier import access, service
from service.dossier.api import dossier_status, pdf_download

router = page_router()
Reader = Annotated[Actor, Depends(signed_in(*access.READERS))]


@router.get(
    "/dossier/{case_id}", response_class=HTMLResponse, dependencies=[audited("dossier.status")]
)
def dossier_page(case_id: uuid.UUID, request: Request, db: Session, actor: Reader) -> HTMLResponse:
    case = readable_account(db, case_id, actor, "dossier")
    copy = access.copy_for(actor, request.query_params.get("copy"))
    found = dossier_status(db, case, copy)
    context = {"case": case, "copy": copy, "ready": found.ready, "dossier": found.dossier}
    return render(request, "dossier/status.html", context, actor=actor)


@router.get("/dossier/{case_id}/pdf", dependencies=[audited(service.DOWNLOAD)])
def dossier_pdf(case_id: uuid.UUID, request: Request, db: Session, actor: Reader) -> Response:
    case = readable_account(db, case_id, actor, "dossier")
    copy = access.copy_for(actor, request.query_params.get("copy"))
    return pdf_download(db, case, copy)
