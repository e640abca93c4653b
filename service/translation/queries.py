"""Lists of translation jobs with their agency: an agency's work, the planners' watch list."""

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.models.cases import Case
from service.models.translation import Agency, Translation, TranslationVersion
from service.translation.access import visible_jobs
from service.translation.schemas import AT_RISK


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
