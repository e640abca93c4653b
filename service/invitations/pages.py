"""The lawyer's start page: invitations waiting for a reply, and the clients' cases."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from service.auth.access import signed_in
from service.cases import queries as case_queries
from service.cases.schemas import CaseOut
from service.core.actor import Actor
from service.core.web import page_router, render
from service.invitations import queries
from service.invitations.schemas import InvitationOut
from service.models.auth import Role
from service.models.invitations import InvitationStatus

router = page_router()


@router.get("/lawyer", response_class=HTMLResponse)
def lawyer_start(
    request: Request, db: Session, actor: Annotated[Actor, Depends(signed_in(Role.LAWYER))]
) -> HTMLResponse:
    invitations = [
        InvitationOut.present(invitation, case)
        for invitation, case in queries.list_invitations(db, actor, InvitationStatus.OPEN)
    ]
    clients = [CaseOut.present(c, actor) for c in case_queries.list_cases(db, actor, None, 200, 0)]
    context = {"invitations": invitations, "clients": clients}
    return render(request, "lawyer/start.html", context, actor=actor)
