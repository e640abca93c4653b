"""The dossier through the API: its status ("being prepared" until the background job
has rendered the current content) and the PDF download, which is audited."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.auth.access import allow
from service.cases.access import readable_account
from service.core.actor import Actor
from service.core.routing import UnitOfWorkRoute
from service.dossier import access, service, tasks
from service.dossier.exceptions import DossierNotReady, NoDossier
from service.dossier.schemas import DossierStatusOut
from service.models.cases import Case
from service.questionnaires.service import answer_set_of


class AuditedRoute(UnitOfWorkRoute):
    """A download writes its audit entry: begin as a writer, like a page."""

    reads_write = True


router = APIRouter(tags=["dossier"], route_class=AuditedRoute)
Reader = Annotated[Actor, Depends(allow(*access.READERS))]
Copy = Literal["staff", "lawyer"] | None


def dossier_status(db: Session, case: Case, copy: str) -> service.Status:
    """The current status; queues the rendering when the content has no PDF yet."""
    if answer_set_of(db, case) is None:
        raise NoDossier("The applicant has not filled in the form yet: there is no dossier.")
    found = service.status(db, case, copy)
    if not found.ready:
        tasks.queue_render(db, case.id, copy)
    return found


def present(
    case: Case, copy: access.CopyName, found: service.Status, download: str
) -> DossierStatusOut:
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
    case_id: uuid.UUID, db: Session, actor: Reader, copy: Copy = None
) -> DossierStatusOut:
    """Whether the PDF of the case's current dossier is ready; a lawyer always gets the
    lawyer's copy (without the staff-only parts)."""
    case = readable_account(db, case_id, actor, "dossier")
    chosen = access.copy_for(actor, copy)
    found = dossier_status(db, case, chosen)
    return present(case, chosen, found, f"/api/v1/cases/{case.id}/dossier/pdf?copy={chosen}")


@router.get(
    "/cases/{case_id}/dossier/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The dossier (PDF/A-3b)"}},
    dependencies=[audited(service.DOWNLOAD)],
)
def download_dossier(case_id: uuid.UUID, db: Session, actor: Reader, copy: Copy = None) -> Response:
    """The PDF; 409 with Retry-After while it is being prepared. Every download is audited."""
    case = readable_account(db, case_id, actor, "dossier")
    return pdf_download(db, case, access.copy_for(actor, copy))


def pdf_download(db: Session, case: Case, copy: str) -> Response:
    found = dossier_status(db, case, copy)
    if found.dossier is None or found.dossier.pdf is None:
        raise DossierNotReady("The dossier is being prepared; try again in a few seconds.")
    name = f"dossier-{case.v_number}-{copy}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(found.dossier.pdf, media_type="application/pdf", headers=headers)
