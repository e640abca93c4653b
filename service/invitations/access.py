"""Who may send, see and answer invitations."""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.formatting import in_english
from service.core.i18n import N_
from service.invitations.exceptions import InvitationNotFound
from service.models.auth import Role
from service.models.invitations import Invitation

PLANNERS = (Role.PLANNER, Role.ADMIN)
READERS = (Role.LAWYER, *PLANNERS)
REPLIERS = (Role.LAWYER,)


def visible_invitations(actor: Actor) -> Select[Invitation]:
    """A lawyer sees the invitations for their own clients; planners see all."""
    query = select(Invitation)
    if actor.is_(Role.LAWYER):
        return query.where(Invitation.lawyer_id == actor.user_id)
    return query


def readable_invitation(db: Session, invitation_id: uuid.UUID, actor: Actor) -> Invitation:
    invitation = db.scalar(visible_invitations(actor).where(Invitation.id == invitation_id))
    if invitation is None:
        raise InvitationNotFound(
            in_english(
                N_("No invitation %(invitation)s addressed to you."), invitation=invitation_id
            )
        )
    return invitation
