"""The lawyer's portal: invitations waiting for a reply, the clients' cases with their
timeline, and the reply to an invitation on behalf of the client."""

import uuid
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from service.cases import queries as case_queries
from service.cases.access import readable_case
from service.cases.pages import render_case
from service.cases.schemas import CaseOut
from service.cases.timeline import timeline
from service.core.actions import Refusal, attempt, parse_form
from service.core.actor import Actor
from service.core.i18n import N_, gettext_for, language_of
from service.core.web import page_router, render, safe_next, see_other
from service.invitations import queries, service
from service.invitations.access import (
    ClientCasePage,
    InvitableCasePage,
    LawyerPage,
    PlannerPage,
    ReplyableInvitationPage,
)
from service.invitations.schemas import (
    DECLINE_REASON_LABELS,
    InvitationIn,
    InvitationOut,
    ReplyIn,
)
from service.models.cases import Case
from service.models.invitations import Invitation, InvitationStatus
from service.workflow import CaseState

router = page_router()
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
def lawyer_start(request: Request, db: Session, actor: LawyerPage) -> HTMLResponse:
    invitations = [
        InvitationOut.present(invitation, case)
        for invitation, case in queries.list_invitations(db, actor, InvitationStatus.OPEN)
    ]
    clients = [CaseOut.present(c, actor) for c in case_queries.list_cases(db, actor, None, 200, 0)]
    context = {"invitations": invitations, "clients": clients}
    return render(request, "lawyer/start.html", context, actor=actor)


@router.get("/lawyer/cases/{case_id}", response_class=HTMLResponse)
def client_case(
    case: ClientCasePage, request: Request, db: Session, actor: LawyerPage
) -> HTMLResponse:
    """Every step so far and every date ahead, with whose move it is."""
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
    status: int = 200,
) -> HTMLResponse:
    context = {
        "case": case,
        "invitation_id": invitation.id,
        "reply_due_at": invitation.reply_due_at,
        "values": values,
        "errors": errors,
        "DECLINE_REASON_LABELS": DECLINE_REASON_LABELS,
    }
    return render(request, "lawyer/reply.html", context, actor=actor, status_code=status)


@router.get("/lawyer/invitations/{invitation_id}", response_class=HTMLResponse)
def reply_form(
    invitation: ReplyableInvitationPage, request: Request, db: Session, actor: LawyerPage
) -> HTMLResponse:
    case = db.get_one(Case, invitation.case_id)
    return _reply_page(request, actor, case, invitation, {}, {})


# The page's radio buttons for the API's ``consent``.
ANSWERS = {"consent": True, "decline": False}
CHOOSE_ANSWER = N_("Choose whether your client takes part.")


@router.post("/lawyer/invitations/{invitation_id}", response_class=HTMLResponse)
def reply(
    invitation: ReplyableInvitationPage,
    request: Request,
    db: Session,
    actor: LawyerPage,
    answer: Annotated[str, Form(max_length=10)] = "",
    decline_reason: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    language_needs: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Consent or decline (with its reason) on behalf of the client, with a note and
    language needs (``service.reply``, as the API's route does)."""
    values = {
        "answer": answer,
        "decline_reason": decline_reason,
        "note": note,
        "language_needs": language_needs,
    }
    typed = {**values, "consent": ANSWERS.get(answer)}
    replied = attempt(db, lambda: service.reply(db, actor, invitation, parse_form(ReplyIn, typed)))
    if isinstance(replied, Refusal):
        gettext = gettext_for(language_of(request))
        errors = replied.errors(language_of(request), "answer")
        if "consent" in errors:  # the radio buttons left blank: say what to choose
            errors = {"answer": gettext(CHOOSE_ANSWER)}
        case = db.get_one(Case, invitation.case_id)
        return _reply_page(request, actor, case, invitation, values, errors, replied.status)
    return see_other(f"/lawyer/cases/{replied.id}")


# --- the planner: invite one case or a selection ----------------------------------------------

REPLY_DAYS = N_("Enter a whole number of working days from 1 to 60.")


def _reply_days(db: Session, raw: str, gettext: Any) -> tuple[int | None, dict[str, str]]:
    """The form's reply days through the API's own input model."""
    parsed = attempt(db, lambda: parse_form(InvitationIn, {"reply_days": raw.strip()}).reply_days)
    if isinstance(parsed, Refusal):
        return None, {"reply_days": gettext(REPLY_DAYS)}
    return parsed, {}


@router.post("/planner/cases/{case_id}/invitation", response_class=HTMLResponse)
def invite_case(
    case: InvitableCasePage,
    request: Request,
    db: Session,
    actor: PlannerPage,
    reply_days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Invite one case's lawyer (``service.invite``, as the API's route does)."""
    body = {"reply_days": reply_days}
    sent = attempt(
        db, lambda: service.invite(db, case, actor, parse_form(InvitationIn, body).reply_days)
    )
    if not isinstance(sent, Refusal):
        return see_other(f"/planner/cases/{case.id}?done=invited")
    why = REPLY_DAYS if sent.code == "validation_error" else REFUSALS.get(sent.code)
    errors = {"reply_days": gettext_for(language_of(request))(why or REFUSALS["wrong_state"])}
    return render_case(request, db, case, actor, form=body, errors=errors, status_code=sent.status)


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
    actor: PlannerPage,
    case_id: Annotated[list[str], Form(max_length=service.MAX_SELECTION)] = [],  # noqa: B006
    reply_days: Annotated[str, Form(max_length=10)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Who gets what before anything is sent: each case, its lawyer and the reply deadline,
    or why it will not be invited."""
    gettext = gettext_for(language_of(request))
    days, errors = _reply_days(db, reply_days, gettext)
    cases = _selection(db, actor, case_id)
    if not cases:
        errors["case_id"] = gettext("Tick at least one case to invite.")
    context = {
        "rows": queries.preview(db, cases),
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
    actor: PlannerPage,
    case_id: Annotated[list[str], Form(max_length=service.MAX_SELECTION)] = [],  # noqa: B006
    reply_days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Invite the previewed cases, one by one through ``service.invite``; what happened
    to each is shown. Sending again invites no one twice."""
    gettext = gettext_for(language_of(request))
    days, errors = _reply_days(db, reply_days, gettext)
    cases = _selection(db, actor, case_id)
    if errors or not cases:
        return see_other("/planner/cases")
    outcomes = service.invite_selection(db, cases, actor, days)
    context = {"outcomes": outcomes, "REFUSALS": REFUSALS}
    return render(request, "planner/invite_result.html", context, actor=actor)
