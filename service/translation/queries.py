"""Lists of translation jobs with their agency."""

from collections.abc import Sequence

from sqlalchemy import Row
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.models.translation import Agency, Translation
from service.translation.access import visible_jobs


def jobs(
    db: Session, actor: Actor, open_only: bool, limit: int = 500
) -> Sequence[Row[Translation, Agency]]:
    query = visible_jobs(actor).add_columns(Agency).join(Agency, Agency.id == Translation.agency_id)
    if open_only:
        query = query.where(Translation.delivered_at.is_(None), Translation.cancelled_at.is_(None))
    return db.execute(query.order_by(Translation.due_at).limit(limit)).all()
