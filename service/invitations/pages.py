"""The lawyer's portal: invitations waiting for a reply, the clients' cases with their
timeline, and the reply to an invitation on behalf of the client."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.access import signed_in
from service.cases import queries as case_queries
from service.cases.access import readable_case
from service.cases.pages import render_case
from service.cases.schemas import CaseOut
from service.cases.timeline import timeline
from service.core.actor import Actor
from service.core.errors import DomainError
from service.core.i18n import N_, gettext_for, language_of
from service.core.web import page_router, render, safe_next, see_other
from service.invitations import access, queries, service
from service.invitations.schemas import InvitationIn, InvitationOut
from service.models.auth import Role, User
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


# --- the planner: invite one case or a selection ----------------------------------------------

Planner = Annotated[Actor, Depends(signed_in(*access.PLANNERS))]


def _reply_days(raw: str, gettext: Any) -> tuple[int | None, dict[str, str]]:
    """The form's reply days through the API's own input model."""
    try:
        return InvitationIn.model_validate({"reply_days": raw.strip() or None}).reply_days, {}
    except ValidationError:
        return None, {"reply_days": gettext("Enter a whole number of working days from 1 to 60.")}


@router.post("/planner/cases/{case_id}/invitation", response_class=HTMLResponse)
def invite_case(
    case_id: uuid.UUID,
    request: Request,
    db: Session,
    actor: Planner,
    reply_days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Invite one case's lawyer (``service.invite``, as the API's route does)."""
    case = readable_case(db, case_id, actor)
    gettext = gettext_for(language_of(request))
    days, errors = _reply_days(reply_days, gettext)
    if not errors:
        try:
            with db.begin_nested():
                service.invite(db, case, actor, days)
        except DomainError as exc:
            db.refresh(case)
            errors = {"reply_days": gettext(REFUSALS.get(exc.code, REFUSALS["wrong_state"]))}
        else:
            return see_other(f"/planner/cases/{case.id}?done=invited")
    return render_case(
        request, db, case, actor, form={"reply_days": reply_days}, errors=errors, status_code=422
    )


# Why a case of a selection was not invited, for the planner.
REFUSALS = {
    "already_invited": N_("Already invited; nothing was sent again."),
    "wrong_state": N_("Not in the stage to be invited (it must be screened eligible first)."),
    "no_lawyer": N_("No lawyer is registered; the invitation always goes via the lawyer."),
    "illegal_transition": N_(
        "Not in the stage to be invited (it must be screened eligible first)."
    ),
}


def _selection(db: Session, actor: Actor, ids: list[str]) -> list[Case]:
    wanted = []
    for raw in dict.fromkeys(ids):
        try:
            wanted.append(uuid.UUID(raw))
        except ValueError:
            continue
    return [readable_case(db, case_id, actor) for case_id in wanted[: service.MAX_SELECTION]]


@router.post("/planner/invitations/preview", response_class=HTMLResponse)
def preview_selection(
    request: Request,
    db: Session,
    actor: Planner,
    case_id: Annotated[list[str], Form(max_length=service.MAX_SELECTION)] = [],  # noqa: B006
    reply_days: Annotated[str, Form(max_length=10)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Who gets what before anything is sent: each case, its lawyer and the reply deadline,
    or why it will not be invited."""
    gettext = gettext_for(language_of(request))
    days, errors = _reply_days(reply_days, gettext)
    cases = _selection(db, actor, case_id)
    if not cases:
        errors["case_id"] = gettext("Tick at least one case to invite.")
    lawyers = {
        u.id: u
        for u in db.scalars(
            select(User).where(User.id.in_({c.lawyer_id for c in cases if c.lawyer_id}))
        )
    }
    rows = [
        (c, lawyers.get(c.lawyer_id) if c.lawyer_id else None, service.why_not_invitable(c))
        for c in cases
    ]
    context = {
        "rows": rows,
        "reply_days": reply_days,
        "deadline": service.reply_deadline(days),
        "errors": errors,
        "REFUSALS": REFUSALS,
        "back": safe_next(back, "/planner/cases"),
    }
    status = 422 if errors else 200
    return render(request, "planner/invite_preview.html", context, actor=actor, status_code=status)


@router.post("/planner/invitations/send", response_class=HTMLResponse)
def send_selection(
    request: Request,
    db: Session,
    actor: Planner,
    case_id: Annotated[list[str], Form(max_length=service.MAX_SELECTION)] = [],  # noqa: B006
    reply_days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Invite the previewed cases, one by one through ``service.invite``; what happened
    to each is shown. Sending again invites no one twice."""
    gettext = gettext_for(language_of(request))
    days, errors = _reply_days(reply_days, gettext)
    cases = _selection(db, actor, case_id)
    if errors or not cases:
        return see_other("/planner/cases")
    outcomes = service.invite_selection(db, cases, actor, days)
    context = {"outcomes": outcomes, "REFUSALS": REFUSALS}
    return render(request, "planner/invite_result.html", context, actor=actor)
