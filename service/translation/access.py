"""Who sees which translation jobs: an agency only its own open jobs, and only what it
must translate (the questions and the applicant's answers, nothing else of the case)."""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from service.audit.access import about_case
from service.auth.access import (
    PermissionDependency,
    allow,
    signed_in,
    through,
)
from service.cases.access import account_through, case_through
from service.core.actor import Actor
from service.core.formatting import in_english
from service.core.i18n import N_
from service.fields import roles_seeing
from service.models.auth import Role
from service.models.cases import Case
from service.models.translation import Translation
from service.translation.exceptions import TranslationNotFound
from service.workflow import CaseState

PLANNERS = (Role.PLANNER, Role.ADMIN)
TRANSLATORS = (Role.TRANSLATOR,)
JOB_READERS = (Role.TRANSLATOR, *PLANNERS)
# The XLIFF file carries the applicant's answers: only job readers who may read those.
XLIFF_READERS = tuple(r for r in JOB_READERS if r in roles_seeing("answers", "answers"))
# Who reads the account in Dutch (service/fields.py): the translator only through
# their own job, the others through the case. Planners see the job, not its text.
SEES_DUTCH = roles_seeing("translation", "answers_nl")
# Those who decide, advise and represent read a case's delivered translation.
CASE_READERS = tuple(sorted(SEES_DUTCH - {Role.TRANSLATOR}))


def sees_dutch(actor: Actor) -> bool:
    """The translation's text (``answers_nl``), on a job the actor could load at all."""
    return actor.role in SEES_DUTCH


def sees_source(actor: Actor) -> bool:
    """The applicant's answers in a job: the agency (its open job) and admins (fields.py)."""
    return actor.is_(*roles_seeing("answers", "answers"))


def visible_jobs(actor: Actor) -> Select[Translation]:
    """A translator sees the open jobs of their own agency, and a delivered one only while
    the lawyer still has the form (a corrected file may replace it). Once the lawyer has
    replied, or the job is called off (the case left the written track), it is gone."""
    query = select(Translation)
    if actor.is_(Role.TRANSLATOR):
        replaceable = Translation.case_id.in_(
            select(Case.id).where(Case.state == CaseState.WITH_LAWYER)
        )
        return query.where(
            Translation.agency_id == actor.agency_id,
            Translation.cancelled_at.is_(None),
            or_(Translation.delivered_at.is_(None), replaceable),
        )
    return query


def readable_job(db: Session, translation_id: uuid.UUID, actor: Actor) -> Translation:
    job = db.scalar(visible_jobs(actor).where(Translation.id == translation_id))
    if job is None:
        raise TranslationNotFound(
            in_english(N_("No open translation job %(job)s for you."), job=translation_id)
        )
    about_case(job.case_id)  # the request's audit entry, if any, names the job's case
    return job


# --- the doors' declarations: the endpoint receives the caller, the job or the case ----


def job_through(door: PermissionDependency) -> Callable[..., Any]:
    """A dependency giving the job of the path's ``translation_id`` the caller may see."""
    return through(door, "translation_id", readable_job)


Planner = Annotated[Actor, Depends(allow(*PLANNERS))]
PlannerPage = Annotated[Actor, Depends(signed_in(*PLANNERS))]
Translator = Annotated[Actor, Depends(allow(*TRANSLATORS))]
TranslatorPage = Annotated[Actor, Depends(signed_in(*TRANSLATORS))]
JobReader = Annotated[Actor, Depends(allow(*JOB_READERS))]
CaseReader = Annotated[Actor, Depends(allow(*CASE_READERS))]
# The form of a case a planner sends to an agency; a case's delivered translation.
SendableCase = Annotated[Case, Depends(case_through(allow(*PLANNERS)))]
SendableCasePage = Annotated[Case, Depends(case_through(signed_in(*PLANNERS)))]
TranslatedCase = Annotated[Case, Depends(account_through(allow(*CASE_READERS), "translation"))]
# A job as each role may load it: planners to move it, the agency to deliver it.
ReadableJob = Annotated[Translation, Depends(job_through(allow(*JOB_READERS)))]
XliffJob = Annotated[Translation, Depends(job_through(allow(*XLIFF_READERS)))]
PlannersJob = Annotated[Translation, Depends(job_through(allow(*PLANNERS)))]
PlannersJobPage = Annotated[Translation, Depends(job_through(signed_in(*PLANNERS)))]
AgencysJob = Annotated[Translation, Depends(job_through(allow(*TRANSLATORS)))]
AgencysJobPage = Annotated[Translation, Depends(job_through(signed_in(*TRANSLATORS)))]
