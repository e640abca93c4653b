"""Reads: the proposals a caller may see with their steps, and the form's versions."""

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.models.auth import Role, User
from service.models.proposals import FormDraft, Proposal, ProposalEvent
from service.proposals.schemas import ProposalOut


def visible_proposals(
    db: Session, actor: Actor, limit: int | None = None, offset: int = 0
) -> Sequence[Proposal]:
    """A partner's organisation's proposals, or (for the owner) every one; newest first."""
    query = select(Proposal).order_by(Proposal.created_at.desc(), Proposal.id)
    query = query.limit(limit).offset(offset)
    if actor.role == Role.PARTNER:
        query = query.where(Proposal.organisation == actor.organisation)
    return db.scalars(query).all()


def events_of(db: Session, proposal: Proposal) -> list[ProposalEvent]:
    query = select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
    return list(db.scalars(query.order_by(ProposalEvent.at, ProposalEvent.id)))


def present(db: Session, proposal: Proposal) -> ProposalOut:
    draft = db.get(FormDraft, proposal.draft_id) if proposal.draft_id else None
    return ProposalOut.present(proposal, events_of(db, proposal), draft)


def drafts(db: Session, limit: int | None = None, offset: int = 0) -> Sequence[FormDraft]:
    query = select(FormDraft).order_by(FormDraft.form_id, FormDraft.version, FormDraft.id)
    return db.scalars(query.limit(limit).offset(offset)).all()


def names_of(db: Session, events: Iterable[ProposalEvent]) -> dict[uuid.UUID, str]:
    """Who took each step, by name: the partners and the form owner work in the open."""
    ids = {e.actor_id for e in events}
    if not ids:
        return {}
    rows = db.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def proposers_between(db: Session, form_id: str, old: int, new: int) -> dict[str, list[str]]:
    """Question id -> who proposed the accepted changes of the versions after ``old``
    up to ``new``: "organisation (name)"."""
    rows = db.execute(
        select(Proposal.question_id, Proposal.organisation, User.display_name)
        .join(FormDraft, FormDraft.id == Proposal.draft_id)
        .join(User, User.id == Proposal.proposer_id)
        .where(
            Proposal.form_id == form_id,
            FormDraft.version > old,
            FormDraft.version <= new,
        )
        .order_by(Proposal.created_at)
    )
    found: dict[str, list[str]] = {}
    for question_id, organisation, name in rows:
        found.setdefault(question_id, []).append(f"{organisation} ({name})")
    return found
