"""Lists of invitations, with the case each one is about."""

from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.invitations.access import visible_invitations
from service.invitations.service import why_not_invitable
from service.models.auth import User
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


def preview(db: Session, cases: Sequence[Case]) -> list[tuple[Case, User | None, str]]:
    """Who would get what: each case, its lawyer (if registered) and why it would not be
    invited (empty if it would)."""
    ids = {c.lawyer_id for c in cases if c.lawyer_id}
    lawyers = {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))}
    return [
        (c, lawyers.get(c.lawyer_id) if c.lawyer_id else None, why_not_invitable(c)) for c in cases
    ]
