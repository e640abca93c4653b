"""Invitations go to the lawyer; the lawyer consents or declines within a term."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service import procedure
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.core.errors import DomainError
from service.core.i18n import N_
from service.invitations.exceptions import DeclineReasonMismatch, InvitationClosed, NoLawyer
from service.invitations.schemas import ReplyIn
from service.models.cases import Case
from service.models.invitations import Invitation, InvitationStatus
from service.models.terms import TermStep
from service.terms import service as terms
from service.terms.policy import add_working_days, end_of_day, local_date
from service.workflow import (
    HOLDING_STATES,
    LEFT_TRACK,
    CaseEvent,
    CaseState,
    Reason,
    allowed_events,
)


def invite(db: Session, case: Case, actor: Actor, reply_days: int | None = None) -> Invitation:
    if case.lawyer_id is None:
        raise NoLawyer("The case has no lawyer; the invitation always goes via the lawyer.")
    now = utcnow()
    # The six-week target of the whole procedure runs from the invitation.
    terms.start(db, case, TermStep.TARGET)
    term = terms.start(db, case, TermStep.INVITATION_REPLY, reply_days)
    procedure.advance(
        db,
        case,
        CaseEvent.INVITE,
        actor,
        Reason.step(N_("invitation sent to lawyer, reply by %(due)s"), due=local_date(term.due_at)),
    )
    invitation = Invitation(
        case_id=case.id,
        lawyer_id=case.lawyer_id,
        sent_by_id=actor.user_id,
        sent_at=now,
        reply_due_at=term.due_at,
    )
    db.add(invitation)
    db.flush()
    return invitation


def reply(db: Session, actor: Actor, invitation: Invitation, answer: ReplyIn) -> Case:
    """The lawyer consents or declines on behalf of the client, within the reply term
    (the same through the lawyer's page and the API)."""
    consent, note = answer.consent, answer.note.strip()
    _check_decline_reason(answer)
    if invitation.status != InvitationStatus.OPEN:
        raise InvitationClosed(N_("This invitation has already been answered or has expired."))
    now = utcnow()
    if invitation.reply_due_at <= now:
        raise InvitationClosed(
            N_("The reply term has passed; ask the planner for a new invitation.")
        )
    case = db.get_one(Case, invitation.case_id)
    event = CaseEvent.CONSENT if consent else CaseEvent.DECLINE
    why = note or (N_("lawyer consented") if consent else N_("lawyer declined"))
    procedure.advance(db, case, event, actor, Reason.step(why))
    invitation.status = InvitationStatus.CONSENTED if consent else InvitationStatus.DECLINED
    invitation.replied_at = now
    invitation.decline_reason = answer.decline_reason
    invitation.note = note
    invitation.language_needs = answer.language_needs.strip()
    db.flush()
    return case


def _check_decline_reason(answer: ReplyIn) -> None:
    """A decline says why, from the fixed list, so the reports can count the reasons; a
    consent has no reason to give."""
    if not answer.consent and answer.decline_reason is None:
        raise DeclineReasonMismatch(N_("Choose why your client declines."), field="decline_reason")
    if answer.consent and answer.decline_reason is not None:
        raise DeclineReasonMismatch(
            N_("A reason is only given when your client declines."), field="decline_reason"
        )


def overdue_invitations(db: Session) -> Sequence[uuid.UUID]:
    """Open invitations whose reply term has passed (the periodic sweep fans these out)."""
    return db.scalars(
        select(Invitation.id)
        .where(Invitation.status == InvitationStatus.OPEN, Invitation.reply_due_at <= utcnow())
        .order_by(Invitation.reply_due_at)
    ).all()


def expire(db: Session, invitation_id: uuid.UUID) -> bool:
    """Close one overdue invitation; the case returns to the regular procedure.
    Idempotent: an invitation answered or expired meanwhile is left alone."""
    invitation = db.get(Invitation, invitation_id)
    now = utcnow()
    if invitation is None or invitation.status != InvitationStatus.OPEN:
        return False
    if invitation.reply_due_at > now:
        return False
    invitation.status = InvitationStatus.EXPIRED
    invitation.replied_at = now
    case = db.get_one(Case, invitation.case_id)
    if case.state is CaseState.INVITED:
        why = Reason.step(N_("no reply within the term"))
        procedure.advance(db, case, CaseEvent.EXPIRE_INVITATION, SYSTEM, why)
    db.flush()
    return True


@procedure.on_enter(*LEFT_TRACK, after=HOLDING_STATES)
def _close_open_invitation(db: Session, moves: Sequence[procedure.Move]) -> None:
    """A case that leaves the written track no longer waits for the lawyer's reply."""
    db.execute(
        update(Invitation)
        .where(
            Invitation.case_id.in_(procedure.case_ids(moves)),
            Invitation.status == InvitationStatus.OPEN,
        )
        .values(status=InvitationStatus.CANCELLED, replied_at=utcnow())
    )


def open_invitation(db: Session, case_id: uuid.UUID) -> Invitation | None:
    return db.scalar(
        select(Invitation).where(
            Invitation.case_id == case_id, Invitation.status == InvitationStatus.OPEN
        )
    )


# --- inviting a selection -------------------------------------------------------------------

MAX_SELECTION = 200


@dataclass(frozen=True)
class InviteOutcome:
    """What happened to one case of a selection: ``invited`` or the refusal's code."""

    case_id: uuid.UUID
    v_number: str
    outcome: str
    detail: str = ""
    reply_due_at: datetime | None = None


def reply_deadline(reply_days: int | None = None) -> datetime:
    """When the lawyer must reply to an invitation sent now (the term policy's days)."""
    days = reply_days or terms.current_policy().working_days[TermStep.INVITATION_REPLY]
    return end_of_day(add_working_days(local_date(utcnow()), days))


def why_not_invitable(case: Case) -> str:
    """Empty if an invitation can go out now; else the refusal's code."""
    if CaseEvent.INVITE not in allowed_events(case.state):
        return "already_invited" if case.state is CaseState.INVITED else "wrong_state"
    if case.lawyer_id is None:
        return NoLawyer.code
    return ""


def invite_selection(
    db: Session, cases: Sequence[Case], actor: Actor, reply_days: int | None = None
) -> list[InviteOutcome]:
    """Invite each case through ``invite`` (the API's route), each in its own savepoint: a
    refusal leaves that case unchanged and the others go on. Idempotent: a case invited
    already (a double click, a retry) is reported, never invited twice."""
    outcomes = []
    for case in cases:
        reason = why_not_invitable(case)
        if reason:
            outcomes.append(InviteOutcome(case.id, case.v_number, reason))
            continue
        try:
            with db.begin_nested():
                invitation = invite(db, case, actor, reply_days)
        except DomainError as exc:
            db.refresh(case)
            outcomes.append(InviteOutcome(case.id, case.v_number, exc.code, exc.detail))
        else:
            outcomes.append(
                InviteOutcome(
                    case.id, case.v_number, "invited", reply_due_at=invitation.reply_due_at
                )
            )
    return outcomes
