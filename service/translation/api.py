import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Path, Request, UploadFile, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.core.settings import get_settings
from service.core.uploads import read_limited
from service.models.questionnaires import VoiceRecording
from service.models.translation import Agency
from service.translation import access, queries, service, xliff
from service.translation.exceptions import TranslationFileRefused, TranslationNotFound
from service.translation.schemas import (
    AgencyOut,
    ReassignIn,
    TranslationIn,
    TranslationJob,
    TranslationOut,
    TranslationRequestIn,
    TranslationVersionOut,
)

router = APIRouter(tags=["translation"], route_class=UnitOfWorkRoute)


@router.get("/agencies")
def list_agencies(db: Session, _: access.Planner) -> Sequence[AgencyOut]:
    """The translation agencies a form can be sent to."""
    return [AgencyOut.model_validate(a) for a in service.agencies(db)]


@router.post(
    "/cases/{case_id}/translation",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("translation.request")],
)
def request_translation(
    case: access.SendableCase, body: TranslationRequestIn, db: Session, actor: access.Planner
) -> TranslationOut:
    """Send the submitted form to a translation agency with an agreed term."""
    job = service.request(db, case, actor, body.agency, body.due_days)
    return TranslationOut.present(job, db.get_one(Agency, job.agency_id), actor)


@router.post("/translations/{translation_id}/reassign")
def reassign(
    job: access.PlannersJob, body: ReassignIn, db: Session, actor: access.Planner
) -> TranslationOut:
    """Give an open job to another agency (late, or sent to the wrong one)."""
    return TranslationOut.present(job, service.reassign(db, job, body.agency), actor)


@router.get("/translations")
def list_translations(
    db: Session,
    actor: access.JobReader,
    request: Request,
    response: Response,
    open_only: bool = True,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[TranslationOut]:
    """A translator sees only their own agency's open jobs. A page at a time, the
    earliest due first; ``Link: rel="next"`` when more follow."""
    rows = page_of(
        queries.jobs(db, actor, open_only, limit + 1, offset), limit, offset, request, response
    )
    return [TranslationOut.present(job, agency, actor) for job, agency in rows]


@router.get("/translations/attention")
def jobs_needing_attention(
    db: Session,
    actor: access.Planner,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[TranslationOut]:
    """Open jobs that are overdue or due within a day, the earliest first (paged as
    ``/translations``)."""
    found = queries.needing_attention(db, actor, limit + 1, offset)
    return [
        TranslationOut.present(job, agency, actor)
        for job, agency in page_of(found, limit, offset, request, response)
    ]


@router.get("/translations/{translation_id}", dependencies=[audited("translation.read")])
def get_translation(
    job: access.ReadableJob, db: Session, actor: access.JobReader
) -> TranslationJob:
    """The job with what to translate: each question and the applicant's own answer
    (the answers only for the agency, whose open job it is; planners see the job)."""
    base = TranslationOut.present(job, db.get_one(Agency, job.agency_id), actor)
    source = service.source_answers(db, job) if access.sees_source(actor) else []
    return TranslationJob(**base.model_dump(), source=source)


@router.put("/translations/{translation_id}", dependencies=[audited("translation.deliver")])
def deliver(
    job: access.AgencysJob, body: TranslationIn, db: Session, actor: access.Translator
) -> TranslationOut:
    """Deliver the Dutch translation; the form then goes to the lawyer."""
    service.deliver(db, job, actor, body.answers_nl, transcriptions=body.transcriptions)
    return TranslationOut.present(job, db.get_one(Agency, job.agency_id), actor)


@router.get("/cases/{case_id}/translation", dependencies=[audited("translation.read")])
def case_translation(
    case: access.TranslatedCase, db: Session, actor: access.CaseReader
) -> TranslationOut:
    job = service.translation_of(db, case)
    if job is None:
        raise TranslationNotFound("This case has not been sent for translation.")
    return TranslationOut.present(job, db.get_one(Agency, job.agency_id), actor)


@router.get(
    "/translations/{translation_id}/xliff",
    response_class=Response,
    responses={200: {"content": {xliff.MEDIA_TYPE: {}}, "description": "An XLIFF 1.2 file"}},
    dependencies=[audited("translation.xliff_download")],
)
def download_xliff(job: access.XliffJob, db: Session) -> Response:
    """The job as XLIFF 1.2: one unit per answer, the question as context, notes for
    dates and choices. Translate the targets and upload the file unchanged otherwise."""
    return xliff_response(job.id, service.xliff_of(db, job))


@router.get(
    "/translations/{translation_id}/package",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "A ZIP file"}},
    dependencies=[audited("translation.package_download")],
)
def download_package(job: access.XliffJob, db: Session) -> Response:
    """The job with its spoken answers: the XLIFF file, each recording as Ogg Opus under
    `recordings/`, and `manifest.json` with every file's SHA-256. Return a spoken unit's
    Dutch as its target and its transcription as `<note from="transcription">`."""
    return package_response(job.id, service.package_of(db, job))


@router.get(
    "/translations/{translation_id}/recordings/{question_id}",
    response_class=Response,
    responses={200: {"content": {"audio/ogg": {}}, "description": "Ogg Opus"}},
    dependencies=[audited("translation.recording")],
)
def job_recording(
    job: access.XliffJob, question_id: Annotated[str, Path(max_length=120)], db: Session
) -> Response:
    """A spoken answer of the job (`<question>.voice`), as Ogg Opus."""
    return recording_response(service.job_recording(db, job, question_id))


def recording_response(recording: VoiceRecording) -> Response:
    return Response(recording.content, media_type="audio/ogg")


def package_response(job_id: uuid.UUID, data: bytes) -> Response:
    disposition = f'attachment; filename="{xliff.file_name(job_id)}.zip"'
    return Response(
        data, media_type="application/zip", headers={"Content-Disposition": disposition}
    )


def xliff_response(job_id: uuid.UUID, data: bytes) -> Response:
    disposition = f'attachment; filename="{xliff.file_name(job_id)}.xlf"'
    return Response(data, media_type=xliff.MEDIA_TYPE, headers={"Content-Disposition": disposition})


def read_upload(file: UploadFile | None) -> bytes | None:
    """The uploaded file (None: none chosen), refused when over the upload limit."""
    if file is None or not file.filename:
        return None
    limit = get_settings().max_upload_bytes
    data = read_limited(file, limit)
    if data is None:
        raise TranslationFileRefused(f"The file is larger than {limit // 2**20} MB.")
    return data


@router.put(
    "/translations/{translation_id}/xliff", dependencies=[audited("translation.xliff_upload")]
)
def upload_xliff(
    job: access.AgencysJob, file: UploadFile, db: Session, actor: access.Translator
) -> TranslationOut:
    """Deliver the translated XLIFF file. It is checked in full first (every unit
    translated, ids and source texts as sent, UTF-8); a refused file changes nothing and
    the problem document lists every problem (``problems``). A later upload, while the
    lawyer has the form, replaces the translation; the earlier version is kept."""
    service.upload_xliff(db, job, actor, read_upload(file))
    return TranslationOut.present(job, db.get_one(Agency, job.agency_id), actor)


@router.get(
    "/translations/{translation_id}/versions", dependencies=[audited("translation.versions")]
)
def translation_versions(job: access.ReadableJob, db: Session) -> Sequence[TranslationVersionOut]:
    """Every delivery of the translation, the first one first."""
    return [TranslationVersionOut.model_validate(v) for v in queries.versions(db, job)]
