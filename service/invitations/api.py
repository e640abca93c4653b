from collections.abc import Sequence

from fastapi import APIRouter, Request, Response, status
from sqlalchemy.orm import Session

from service.audit.access import audited
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
    case: access.InvitableCase, body: InvitationIn, db: Session, actor: access.Planner
) -> InvitationOut:
    """Invite the applicant through their lawyer; starts the six-week target."""
    return InvitationOut.present(service.invite(db, case, actor, body.reply_days), case)


@router.get("/invitations")
def list_invitations(
    db: Session,
    actor: access.Reader,
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
    invitation: access.ReplyableInvitation, body: ReplyIn, db: Session, actor: access.Lawyer
) -> InvitationOut:
    """The lawyer consents or declines on behalf of the client."""
    case = service.reply(db, actor, invitation, body)
    return InvitationOut.present(invitation, case)
