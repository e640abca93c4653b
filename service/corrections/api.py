"""The lawyer's corrections and additions through the API.

Every change carries ``If-Match`` with the ETag of the corrections file as the client
last read it (``GET /cases/{id}/corrections``): without it the answer is 428, and when a
colleague changed the file meanwhile it is 412, so nobody overwrites anyone silently.
"""

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Response, UploadFile, status
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.cases.schemas import CaseDetail
from service.core.errors import NotFound
from service.core.routing import UnitOfWorkRoute
from service.core.settings import get_settings
from service.core.uploads import read_limited
from service.corrections import access, queries, service
from service.corrections.exceptions import AttachmentRefused, VersionRequired
from service.corrections.schemas import CorrectionsIn, CorrectionsOut, Typed, Upload
from service.models.cases import Case

router = APIRouter(tags=["corrections"], route_class=UnitOfWorkRoute)
IfMatch = Annotated[
    str | None,
    Header(
        max_length=100,
        description='The ETag of the corrections file as last read, e.g. "corrections-v3"',
    ),
]
ETAG = re.compile(r'^(?:W/)?"corrections-v(\d{1,9})"$')


def etag(version: int) -> str:
    return f'"corrections-v{version}"'


def expected_version(if_match: str | None) -> int:
    """The version the client's change is based on; 428 without one."""
    if not if_match:
        raise VersionRequired(
            "Send If-Match with the ETag of the corrections as you last read them "
            "(GET /cases/{id}/corrections), so a colleague's change is never overwritten."
        )
    found = ETAG.match(if_match.strip())
    if found is None:
        raise VersionRequired(f"If-Match must be an ETag like {etag(3)}, not {if_match!r}.")
    return int(found.group(1))


def _present(db: Session, case: Case, response: Response) -> CorrectionsOut:
    file = service.corrections_of(db, case)
    if file is None:
        raise NotFound("This case has no corrections file yet.", code="no_corrections")
    response.headers["ETag"] = etag(file.version)
    items, attachments = service.items_of(db, file), service.attachments_of(db, file)
    return CorrectionsOut.present(file, list(items), list(attachments))


@router.get("/cases/{case_id}/corrections", dependencies=[audited("corrections.read")])
def get_corrections(
    case: access.CorrectionsCase, db: Session, response: Response
) -> CorrectionsOut:
    """The corrections file with every item and attachment; its ETag goes with each change."""
    return _present(db, case, response)


@router.post(
    "/cases/{case_id}/corrections/items",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("corrections.add")],
)
def add_items(
    case: access.ClientCase,
    body: CorrectionsIn,
    db: Session,
    actor: access.Lawyer,
    response: Response,
    if_match: IfMatch = None,
) -> CorrectionsOut:
    """Add corrections (per answer: to the translation or to the content) and additions.
    They are stored beside the answers and the translation, attributed and timestamped."""
    service.save(db, actor, case, Typed(expected_version(if_match), body))
    return _present(db, case, response)


@router.post(
    "/cases/{case_id}/corrections/attachments",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("corrections.attach")],
)
def add_attachment(
    case: access.ClientCase,
    file: UploadFile,
    db: Session,
    actor: access.Lawyer,
    response: Response,
    if_match: IfMatch = None,
) -> CorrectionsOut:
    """Attach a PDF, JPEG or PNG (judged by its content, at most 10 MB)."""
    version = expected_version(if_match)
    service.attach(db, actor, case, Typed(version, upload=read_attachment(file)))
    return _present(db, case, response)


def read_attachment(file: UploadFile | None) -> Upload | None:
    """The chosen file (None: none chosen), refused when over the limit."""
    if file is None or not file.filename:
        return None
    limit = get_settings().attachment_max_bytes
    data = read_limited(file, limit)
    if data is None:
        raise AttachmentRefused(f"An attachment may be at most {limit // 2**20} MB.")
    return Upload(file.filename, data)


@router.get(
    "/cases/{case_id}/corrections/attachments/{attachment_id}",
    dependencies=[audited("corrections.attachment_read")],
)
def get_attachment(case: access.CorrectionsCase, attachment_id: uuid.UUID, db: Session) -> Response:
    return attachment_download(db, case, attachment_id)


def attachment_download(db: Session, case: Case, attachment_id: uuid.UUID) -> Response:
    """An attachment of the case as a download (the API's and the pages' door)."""
    found = queries.attachment(db, case, attachment_id)
    if found is None:
        raise NotFound("No such attachment in this case.", code="attachment_not_found")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", found.filename)[:100] or "attachment"
    headers = {"Content-Disposition": f'attachment; filename="{safe}"'}
    return Response(found.content, media_type=found.media_type, headers=headers)


@router.post("/cases/{case_id}/corrections/send", dependencies=[audited("corrections.send")])
def send_corrections(
    case: access.ClientCase,
    db: Session,
    actor: access.Lawyer,
    response: Response,
    if_match: IfMatch = None,
) -> CorrectionsOut:
    """Send the file to the IND; the case goes to decision."""
    service.submit(db, actor, case, Typed(expected_version(if_match)))
    return _present(db, case, response)


@router.post(
    "/cases/{case_id}/corrections",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("corrections.submit")],
)
def submit_corrections(
    case: access.ClientCase,
    body: CorrectionsIn,
    db: Session,
    actor: access.Lawyer,
    response: Response,
    if_match: IfMatch = None,
) -> CorrectionsOut:
    """Add corrections and additions and send the file in one step."""
    service.submit(db, actor, case, Typed(expected_version(if_match), body))
    return _present(db, case, response)


@router.post("/cases/{case_id}/no-corrections", dependencies=[audited("corrections.waive")])
def no_corrections(
    case: access.ClientCase, db: Session, actor: access.Lawyer, if_match: IfMatch = None
) -> CaseDetail:
    """The lawyer has nothing to correct; the file goes to decision at once."""
    service.none_to_add(db, actor, case, Typed(expected_version(if_match)))
    return CaseDetail.present(case, actor)
