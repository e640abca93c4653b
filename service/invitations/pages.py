"""The lawyer's portal: invitations waiting for a reply, the clients' cases with their
timeline, and the reply to an invitation on behalf of the client."""

import uuid
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.auth.access import signed_in
from service.cases import queries as case_queries
from service.cases.access import readable_case
from service.cases.schemas import CaseOut
from service.cases.timeline import timeline
from service.core.actor import Actor
from service.core.i18n import gettext_for, language_of
from service.core.web import page_router, render, see_other
from service.invitations import access, queries, service
from service.invitations.schemas import InvitationOut
from service.models.auth import Role
from service.models.cases import Case
from service.models.invitations import Invitation, InvitationStatus
from service.workflow import CaseState

router = page_router()
Lawyer = Annotated[Actor, Depends(signed_in(Role.LAWYER))]
# Where the translated form can be read side by side.
TRANSLATED = frozenset(
    {
        CaseState.WITH_LAWYER,
        CaseState.CORRECTIONS_RECEIVED,
        CaseState.NO_CORRECTIONS,
        CaseState.CORRECTIONS_TERM_EXPIRED,
        CaseState.READY_FOR_DECISION,
        CaseState.CLAIMED,
        CaseState.DECIDED_ON_FORM,
        CaseState.PHYSICAL_HEARING_REQUIRED,
    }
)


@router.get("/lawyer", response_class=HTMLResponse)
def lawyer_start(request: Request, db: Session, actor: Lawyer) -> HTMLResponse:
    invitations = [
        InvitationOut.present(invitation, case)
        for invitation, case in queries.list_invitations(db, actor, InvitationStatus.OPEN)
    ]
    clients = [CaseOut.present(c, actor) for c in case_queries.list_cases(db, actor, None, 200, 0)]
    context = {"invitations": invitations, "clients": clients}
    return render(request, "lawyer/start.html", context, actor=actor)


@router.get("/lawyer/cases/{case_id}", response_class=HTMLResponse)
def client_case(case_id: uuid.UUID, request: Request, db: Session, actor: Lawyer) -> HTMLResponse:
    """Every step so far and every date ahead, with whose move it is."""
    case = readable_case(db, case_id, actor)
    invitation = service.open_invitation(db, case.id)
    context = {
        "case": CaseOut.present(case, actor),
        "timeline": timeline(db, case, actor),
        "invitation": invitation,
        "translated": case.state in TRANSLATED,
    }
    return render(request, "lawyer/case.html", context, actor=actor)


def _reply_page(
    request: Request,
    actor: Actor,
    case: Case,
    invitation: Invitation,
    values: dict[str, str],
    errors: dict[str, str],
) -> HTMLResponse:
    context = {
        "case": case,
        "invitation_id": invitation.id,
        "reply_due_at": invitation.reply_due_at,
        "values": values,
        "errors": errors,
    }
    status = 422 if errors else 200
    return render(request, "lawyer/reply.html", context, actor=actor, status_code=status)


@router.get("/lawyer/invitations/{invitation_id}", response_class=HTMLResponse)
def reply_form(
    invitation_id: uuid.UUID, request: Request, db: Session, actor: Lawyer
) -> HTMLResponse:
    invitation = access.readable_invitation(db, invitation_id, actor)
    case = db.get_one(Case, invitation.case_id)
    return _reply_page(request, actor, case, invitation, {}, {})


@router.post("/lawyer/invitations/{invitation_id}", response_class=HTMLResponse)
def reply(
    invitation_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Lawyer,
    answer: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    language_needs: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Consent or decline on behalf of the client, with a note and language needs."""
    invitation = access.readable_invitation(db, invitation_id, actor)
    case = db.get_one(Case, invitation.case_id)
    if answer not in ("consent", "decline"):
        gettext = gettext_for(language_of(request))
        errors = {"answer": gettext("Choose whether your client takes part.")}
        values = {"note": note, "language_needs": language_needs}
        return _reply_page(request, actor, case, invitation, values, errors)
    service.reply(db, invitation, actor, answer == "consent", note.strip(), language_needs.strip())
    return see_other(f"/lawyer/cases/{case.id}")
