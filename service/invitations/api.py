import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, status

from service.auth.dependencies import allow
from service.cases.service import get_case
from service.core.actor import Actor
from service.core.db import DbSession
from service.invitations import service
from service.invitations.schemas import InvitationIn, InvitationOut, ReplyIn
from service.models.auth import Role
from service.models.invitations import InvitationStatus

router = APIRouter(tags=["invitations"])
PLANNERS = (Role.PLANNER, Role.ADMIN)


@router.post("/cases/{case_id}/invitation", status_code=status.HTTP_201_CREATED)
def invite(
    case_id: uuid.UUID,
    body: InvitationIn,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(*PLANNERS))],
) -> InvitationOut:
    """Invite the applicant through their lawyer; starts the six-week target."""
    case = get_case(db, case_id, actor)
    return InvitationOut.model_validate(service.invite(db, case, actor, body.reply_days))


@router.get("/invitations")
def list_invitations(
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(Role.LAWYER, *PLANNERS))],
    status: InvitationStatus | None = None,
) -> Sequence[InvitationOut]:
    """A lawyer sees invitations for their own clients only."""
    return [InvitationOut.model_validate(i) for i in service.list_invitations(db, actor, status)]


@router.post("/invitations/{invitation_id}/reply")
def reply(
    invitation_id: uuid.UUID,
    body: ReplyIn,
    db: DbSession,
    actor: Annotated[Actor, Depends(allow(Role.LAWYER))],
) -> InvitationOut:
    """The lawyer consents or declines on behalf of the client."""
    invitation = service.get_invitation(db, invitation_id, actor)
    service.reply(db, invitation, actor, body.consent, body.note)
    return InvitationOut.model_validate(invitation)
