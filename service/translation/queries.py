"""Lists of translation jobs with their agency: an agency's work, the planners' watch list."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.models.cases import Case
from service.models.terms import TermStep
from service.models.translation import Agency, Translation, TranslationVersion
from service.terms import service as terms
from service.terms.policy import add_working_days, local_date
from service.translation.access import visible_jobs
from service.translation.schemas import AT_RISK
from service.workflow import CaseState


def jobs(
    db: Session, actor: Actor, open_only: bool, limit: int = 500, offset: int = 0
) -> Sequence[Row[Translation, Agency]]:
    query = visible_jobs(actor).add_columns(Agency).join(Agency, Agency.id == Translation.agency_id)
    if open_only:
        query = query.where(Translation.delivered_at.is_(None), Translation.cancelled_at.is_(None))
    ordered = query.order_by(Translation.due_at, Translation.id)  # stable across pages
    return db.execute(ordered.limit(limit).offset(offset)).all()


def needing_attention(
    db: Session, actor: Actor, limit: int = 500, offset: int = 0
) -> Sequence[Row[Translation, Agency]]:
    """Open jobs past their due time or due within a day: the planner may reassign them."""
    query = (
        visible_jobs(actor)
        .add_columns(Agency)
        .join(Agency, Agency.id == Translation.agency_id)
        .where(
            Translation.delivered_at.is_(None),
            Translation.cancelled_at.is_(None),
            Translation.due_at <= utcnow() + AT_RISK,
        )
    )
    ordered = query.order_by(Translation.due_at, Translation.id)
    return db.execute(ordered.limit(limit).offset(offset)).all()


def delivered_recently(
    db: Session, actor: Actor, days: int = 30, limit: int = 200
) -> Sequence[Row[Translation, Agency]]:
    """An agency's own deliveries of the last ``days`` (no content: dates only)."""
    since = utcnow() - timedelta(days=days)
    query = (
        select(Translation, Agency)
        .join(Agency, Agency.id == Translation.agency_id)
        .where(Translation.agency_id == actor.agency_id, Translation.delivered_at >= since)
    )
    return db.execute(query.order_by(Translation.delivered_at.desc()).limit(limit)).all()


def versions(db: Session, job: Translation) -> Sequence[TranslationVersion]:
    """Every delivery of a translation, the first one first (the officer's history)."""
    return db.scalars(
        select(TranslationVersion)
        .where(TranslationVersion.translation_id == job.id)
        .order_by(TranslationVersion.number)
    ).all()


def case_numbers(db: Session, jobs: Sequence[Translation]) -> dict[uuid.UUID, str]:
    """The V-number of each job's case: how an agency names its jobs (fields.py)."""
    case_ids = {job.case_id for job in jobs}
    if not case_ids:
        return {}
    rows = db.execute(select(Case.id, Case.v_number).where(Case.id.in_(case_ids)))
    return {case_id: v_number for case_id, v_number in rows}


@dataclass(frozen=True)
class AgencyChoice:
    """An agency a planner may send forms to, with this week's room and the due date a
    form sent today gets under the term policy."""

    name: str
    capacity_per_week: int
    taken: int
    due_on: date

    @property
    def free(self) -> int:
        return max(self.capacity_per_week - self.taken, 0)


def agency_choices(db: Session) -> list[AgencyChoice]:
    now = utcnow()
    policy = terms.current_policy()
    due_on = add_working_days(local_date(now), policy.working_days[TermStep.TRANSLATION])
    monday = now - timedelta(days=now.weekday())
    since = monday.replace(hour=0, minute=0, second=0, microsecond=0)
    taken = dict(
        db.execute(
            select(Translation.agency_id, func.count(Translation.id))
            .where(Translation.requested_at >= since, Translation.cancelled_at.is_(None))
            .group_by(Translation.agency_id)
        ).all()
    )
    agencies = db.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    return [AgencyChoice(a.name, a.capacity_per_week, taken.get(a.id, 0), due_on) for a in agencies]


def waiting_for_translation(db: Session, limit: int = 200) -> Sequence[Case]:
    """Submitted forms not yet sent to an agency, the longest waiting first."""
    return db.scalars(
        select(Case)
        .where(Case.state == CaseState.SUBMITTED)
        .order_by(Case.submitted_at, Case.v_number)
        .limit(limit)
    ).all()
