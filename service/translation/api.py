import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy.orm import Session

from service.audit.access import about_case, audited
from service.auth.access import allow
from service.cases.access import readable_account, readable_case
from service.core.actor import Actor
from service.core.routing import UnitOfWorkRoute
from service.models.translation import Agency
from service.translation import access, queries, service
from service.translation.exceptions import TranslationNotFound
from service.translation.schemas import (
    AgencyOut,
    ReassignIn,
    TranslationIn,
    TranslationJob,
    TranslationOut,
    TranslationRequestIn,
)

router = APIRouter(tags=["translation"], route_class=UnitOfWorkRoute)


@router.get("/agencies")
def list_agencies(
    db: Session, _: Annotated[Actor, Depends(allow(*access.PLANNERS))]
) -> Sequence[AgencyOut]:
    """The translation agencies a form can be sent to."""
    return [AgencyOut.model_validate(a) for a in service.agencies(db)]


@router.post(
    "/cases/{case_id}/translation",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("translation.request")],
)
def request_translation(
    case_id: uuid.UUID,
    body: TranslationRequestIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.PLANNERS))],
) -> TranslationOut:
    """Send the submitted form to a translation agency with an agreed term."""
    case = readable_case(db, case_id, actor)
    job = service.request(db, case, actor, body.agency, body.due_days)
    return TranslationOut.present(job, db.get_one(Agency, job.agency_id))


@router.post("/translations/{translation_id}/reassign")
def reassign(
    translation_id: uuid.UUID,
    body: ReassignIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.PLANNERS))],
) -> TranslationOut:
    """Give an open job to another agency (late, or sent to the wrong one)."""
    job = access.readable_job(db, translation_id, actor)
    about_case(job.case_id)
    return TranslationOut.present(job, service.reassign(db, job, body.agency))


@router.get("/translations")
def list_translations(
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.JOB_READERS))],
    open_only: bool = True,
) -> Sequence[TranslationOut]:
    """A translator sees only their own agency's open jobs."""
    rows = queries.jobs(db, actor, open_only)
    return [TranslationOut.present(job, agency) for job, agency in rows]


@router.get("/translations/{translation_id}", dependencies=[audited("translation.read")])
def get_translation(
    translation_id: uuid.UUID,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.JOB_READERS))],
) -> TranslationJob:
    """The job with what to translate: each question and the applicant's own answer
    (the answers only for the agency, whose open job it is; planners see the job)."""
    job = access.readable_job(db, translation_id, actor)
    about_case(job.case_id)
    base = TranslationOut.present(job, db.get_one(Agency, job.agency_id))
    source = service.source_answers(db, job) if access.sees_source(actor) else []
    return TranslationJob(**base.model_dump(), source=source)


@router.put("/translations/{translation_id}", dependencies=[audited("translation.deliver")])
def deliver(
    translation_id: uuid.UUID,
    body: TranslationIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.TRANSLATORS))],
) -> TranslationOut:
    """Deliver the Dutch translation; the form then goes to the lawyer."""
    job = access.readable_job(db, translation_id, actor)
    about_case(job.case_id)
    service.deliver(db, job, actor, body.answers_nl)
    return TranslationOut.present(job, db.get_one(Agency, job.agency_id))


@router.get("/cases/{case_id}/translation", dependencies=[audited("translation.read")])
def case_translation(
    case_id: uuid.UUID,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.CASE_READERS))],
) -> TranslationOut:
    case = readable_account(db, case_id, actor, "translation")
    job = service.translation_of(db, case)
    if job is None:
        raise TranslationNotFound("This case has not been sent for translation.")
    return TranslationOut.present(job, db.get_one(Agency, job.agency_id))
