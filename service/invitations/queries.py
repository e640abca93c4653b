"""Lists of invitations, with the case each one is about."""

from collections.abc import Sequence

from sqlalchemy import Row
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.invitations.access import visible_invitations
from service.models.cases import Case
from service.models.invitations import Invitation, InvitationStatus


def list_invitations(
    db: Session,
    actor: Actor,
    status: InvitationStatus | None,
    limit: int = 500,
    offset: int = 0,
) -> Sequence[Row[Invitation, Case]]:
    query = (
        visible_invitations(actor)
        .add_columns(Case)
        .join(Case, Case.id == Invitation.case_id)
        .order_by(Invitation.reply_due_at, Invitation.id)  # stable across pages
    )
    if status:
        query = query.where(Invitation.status == status)
    return db.execute(query.limit(limit).offset(offset)).all()
