"""The dossier through the API: its status ("being prepared" until the background job
has rendered the current content) and the PDF download, which is audited."""

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core.routing import WritingReadRoute
from service.dossier import access, service, tasks
from service.dossier.access import CopyName, DossierCase, Reader
from service.dossier.schemas import DossierStatusOut, pdf_download
from service.models.cases import Case

# A download writes its audit entry.
router = APIRouter(tags=["dossier"], route_class=WritingReadRoute)


def present(case: Case, copy: CopyName, found: service.Status, download: str) -> DossierStatusOut:
    return DossierStatusOut(
        case_id=case.id,
        audience=copy,
        status="ready" if found.ready else "being_prepared",
        content_hash=found.content_hash,
        rendered_at=found.dossier.rendered_at if found.dossier else None,
        download=download if found.ready else None,
    )


@router.get("/cases/{case_id}/dossier", dependencies=[audited("dossier.status")])
def get_dossier(
    case: DossierCase, db: Session, actor: Reader, copy: CopyName | None = None
) -> DossierStatusOut:
    """Whether the PDF of the case's current dossier is ready; a lawyer always gets the
    lawyer's copy (without the staff-only parts)."""
    chosen = access.copy_for(actor, copy)
    found = tasks.current(db, case, chosen)
    return present(case, chosen, found, f"/api/v1/cases/{case.id}/dossier/pdf?copy={chosen}")


@router.get(
    "/cases/{case_id}/dossier/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The dossier (PDF/A-3b)"}},
    dependencies=[audited(service.DOWNLOAD)],
)
def download_dossier(
    case: DossierCase, db: Session, actor: Reader, copy: CopyName | None = None
) -> Response:
    """The PDF; 409 with Retry-After while it is being prepared. Every download is audited."""
    return pdf_download(*tasks.pdf_of(db, case, access.copy_for(actor, copy)))
