import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.orm import Session

from service.audit.access import audited
from service.auth.access import allow
from service.cases.access import readable_case
from service.core.actor import Actor
from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.invitations import access, queries, service
from service.invitations.schemas import InvitationIn, InvitationOut, ReplyIn
from service.models.invitations import InvitationStatus

router = APIRouter(tags=["invitations"], route_class=UnitOfWorkRoute)


@router.post(
    "/cases/{case_id}/invitation",
    status_code=status.HTTP_201_CREATED,
    dependencies=[audited("invitation.send")],
)
def invite(
    case_id: uuid.UUID,
    body: InvitationIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.PLANNERS))],
) -> InvitationOut:
    """Invite the applicant through their lawyer; starts the six-week target."""
    case = readable_case(db, case_id, actor)
    return InvitationOut.present(service.invite(db, case, actor, body.reply_days), case)


@router.get("/invitations")
def list_invitations(
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.READERS))],
    request: Request,
    response: Response,
    status: InvitationStatus | None = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[InvitationOut]:
    """A lawyer sees invitations for their own clients only, with the V-number. A page at
    a time, the earliest reply date first; ``Link: rel="next"`` when more follow."""
    rows = queries.list_invitations(db, actor, status, limit + 1, offset)
    return [
        InvitationOut.present(invitation, case)
        for invitation, case in page_of(rows, limit, offset, request, response)
    ]


@router.post("/invitations/{invitation_id}/reply")
def reply(
    invitation_id: uuid.UUID,
    body: ReplyIn,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.REPLIERS))],
) -> InvitationOut:
    """The lawyer consents or declines on behalf of the client."""
    invitation = access.readable_invitation(db, invitation_id, actor)
    case = service.reply(db, invitation, actor, body.consent, body.note, body.language_needs)
    return InvitationOut.present(invitation, case)
