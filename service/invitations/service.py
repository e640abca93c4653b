"""Invitations go to the lawyer; the lawyer consents or declines within a term."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.service import advance, due, target_date_from
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.core.settings import get_settings
from service.invitations.exceptions import InvitationClosed, InvitationNotFound, NoLawyer
from service.models.auth import Role
from service.models.cases import Case
from service.models.invitations import Invitation, InvitationStatus
from service.workflow import CaseEvent


def invite(db: Session, case: Case, actor: Actor, reply_days: int | None = None) -> Invitation:
    if case.lawyer_id is None:
        raise NoLawyer("The case has no lawyer; the invitation always goes via the lawyer.")
    now = utcnow()
    reply_due_at = due(reply_days or get_settings().invitation_reply_days, now)
    case.reply_due_at = reply_due_at
    case.target_date = target_date_from(now)
    advance(
        db,
        case,
        CaseEvent.INVITE,
        actor,
        f"invitation sent to lawyer, reply by {reply_due_at:%Y-%m-%d}",
    )
    invitation = Invitation(
        case_id=case.id,
        lawyer_id=case.lawyer_id,
        sent_by_id=actor.user_id,
        sent_at=now,
        reply_due_at=reply_due_at,
    )
    db.add(invitation)
    db.flush()
    return invitation


def get_invitation(db: Session, invitation_id: uuid.UUID, actor: Actor) -> Invitation:
    invitation = db.get(Invitation, invitation_id)
    if invitation is None or (actor.is_(Role.LAWYER) and invitation.lawyer_id != actor.user_id):
        raise InvitationNotFound(f"No invitation {invitation_id} addressed to you.")
    return invitation


def list_invitations(
    db: Session, actor: Actor, status: InvitationStatus | None
) -> Sequence[Invitation]:
    query = select(Invitation).order_by(Invitation.reply_due_at)
    if actor.is_(Role.LAWYER):
        query = query.where(Invitation.lawyer_id == actor.user_id)
    if status:
        query = query.where(Invitation.status == status)
    return db.scalars(query.limit(500)).all()


def reply(db: Session, invitation: Invitation, actor: Actor, consent: bool, note: str) -> Case:
    if invitation.status != InvitationStatus.OPEN:
        raise InvitationClosed(f"This invitation is already {invitation.status}.")
    now = utcnow()
    if invitation.reply_due_at <= now:
        raise InvitationClosed("The reply term has passed; ask the planner for a new invitation.")
    case = db.get_one(Case, invitation.case_id)
    event = CaseEvent.CONSENT if consent else CaseEvent.DECLINE
    advance(db, case, event, actor, note or ("lawyer consented" if consent else "lawyer declined"))
    invitation.status = InvitationStatus.CONSENTED if consent else InvitationStatus.DECLINED
    invitation.replied_at = now
    invitation.note = note
    db.flush()
    return case


def expire_overdue(db: Session) -> int:
    """Close invitations whose reply term has passed. Idempotent."""
    now = utcnow()
    overdue = db.scalars(
        select(Invitation).where(
            Invitation.status == InvitationStatus.OPEN, Invitation.reply_due_at <= now
        )
    ).all()
    for invitation in overdue:
        invitation.status = InvitationStatus.EXPIRED
        invitation.replied_at = now
        case = db.get_one(Case, invitation.case_id)
        if case.state == "invited":
            advance(db, case, CaseEvent.EXPIRE_INVITATION, SYSTEM, "no reply within the term")
    db.flush()
    return len(overdue)
