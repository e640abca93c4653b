"""The dossier page: "being prepared" until the PDF is ready, then the download."""

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core.web import page_router, render
from service.dossier import access, service, tasks
from service.dossier.access import CopyName, DossierCasePage, ReaderPage
from service.dossier.schemas import pdf_download

router = page_router()


@router.get(
    "/dossier/{case_id}", response_class=HTMLResponse, dependencies=[audited("dossier.status")]
)
def dossier_page(
    request: Request,
    db: Session,
    case: DossierCasePage,
    actor: ReaderPage,
    copy: CopyName | None = None,
) -> HTMLResponse:
    chosen = access.copy_for(actor, copy)
    found = tasks.current(db, case, chosen)
    context = {"case": case, "copy": chosen, "ready": found.ready, "dossier": found.dossier}
    return render(request, "dossier/status.html", context, actor=actor)


@router.get("/dossier/{case_id}/pdf", dependencies=[audited(service.DOWNLOAD)])
def dossier_pdf(
    db: Session, case: DossierCasePage, actor: ReaderPage, copy: CopyName | None = None
) -> Response:
    return pdf_download(*tasks.pdf_of(db, case, access.copy_for(actor, copy)))
