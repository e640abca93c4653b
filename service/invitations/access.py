"""Who may send, see and answer invitations."""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.auth.access import (
    PermissionDependency,
    allow,
    signed_in,
    through,
)
from service.cases.access import case_through
from service.core.actor import Actor
from service.core.formatting import in_english
from service.core.i18n import N_
from service.invitations.exceptions import InvitationNotFound
from service.models.auth import Role
from service.models.cases import Case
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


# --- the doors' declarations (the API's ``X``, the page's ``XPage``) ----------------------

Planner = Annotated[Actor, Depends(allow(*PLANNERS))]
PlannerPage = Annotated[Actor, Depends(signed_in(*PLANNERS))]
Reader = Annotated[Actor, Depends(allow(*READERS))]
Lawyer = Annotated[Actor, Depends(allow(*REPLIERS))]
LawyerPage = Annotated[Actor, Depends(signed_in(*REPLIERS))]
# The case of the path's ``case_id`` a planner invites, through the cases' access rules.
InvitableCase = Annotated[Case, Depends(case_through(allow(*PLANNERS)))]
InvitableCasePage = Annotated[Case, Depends(case_through(signed_in(*PLANNERS)))]
# A case of the lawyer's own clients (the lawyer's portal).
ClientCasePage = Annotated[Case, Depends(case_through(signed_in(*REPLIERS)))]


def invitation_through(door: PermissionDependency) -> Callable[..., Any]:
    """A dependency giving the invitation of the path's ``invitation_id`` addressed to
    the caller (``readable_invitation``)."""
    return through(door, "invitation_id", readable_invitation)


# The invitation the lawyer replies to: only one addressed to them.
ReplyableInvitation = Annotated[Invitation, Depends(invitation_through(allow(*REPLIERS)))]
ReplyableInvitationPage = Annotated[Invitation, Depends(invitation_through(signed_in(*REPLIERS)))]
