"""Who sees which translation jobs: an agency only its own open jobs, and only what it
must translate (the questions and the applicant's answers, nothing else of the case)."""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.fields import roles_seeing
from service.models.auth import Role
from service.models.translation import Translation
from service.translation.exceptions import TranslationNotFound

PLANNERS = (Role.PLANNER, Role.ADMIN)
TRANSLATORS = (Role.TRANSLATOR,)
JOB_READERS = (Role.TRANSLATOR, *PLANNERS)
# Staff and the lawyer read a case's delivered translation.
CASE_READERS = tuple(sorted(roles_seeing("translation", "answers_nl")))


def sees_source(actor: Actor) -> bool:
    """The applicant's answers in a job: the agency (its open job) and admins (fields.py)."""
    return actor.is_(*roles_seeing("answers", "answers"))


def visible_jobs(actor: Actor) -> Select[Translation]:
    """A translator sees the open jobs of their own agency; once delivered or called off
    (the case left the written track), they are gone."""
    query = select(Translation)
    if actor.is_(Role.TRANSLATOR):
        return query.where(
            Translation.agency_id == actor.agency_id,
            Translation.delivered_at.is_(None),
            Translation.cancelled_at.is_(None),
        )
    return query


def readable_job(db: Session, translation_id: uuid.UUID, actor: Actor) -> Translation:
    job = db.scalar(visible_jobs(actor).where(Translation.id == translation_id))
    if job is None:
        raise TranslationNotFound(f"No open translation job {translation_id} for you.")
    return job
