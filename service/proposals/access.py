"""Who may propose and who decides: chain partners (one ``partner`` role, their
organisation on the account) propose and read their own proposals; the form owner
reviews every proposal and publishes versions (the administrator stands in)."""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.orm import Session

from service.auth.access import PermissionDependency, allow, signed_in, through
from service.cases.access import case_through
from service.core.actor import Actor
from service.core.errors import NotFound
from service.models.auth import Role
from service.models.cases import Case
from service.models.proposals import FormDraft, Proposal

PROPOSERS = (Role.PARTNER,)
OWNERS = (Role.FORM_OWNER, Role.ADMIN)
READERS = (Role.PARTNER, Role.FORM_OWNER, Role.ADMIN)
# A draft's texts go to the agencies, as answers do.
TRANSLATORS = (Role.TRANSLATOR, Role.FORM_OWNER, Role.ADMIN)

Proposer = Annotated[Actor, Depends(allow(*PROPOSERS))]
ProposerPage = Annotated[Actor, Depends(signed_in(*PROPOSERS))]
Owner = Annotated[Actor, Depends(allow(*OWNERS))]
OwnerPage = Annotated[Actor, Depends(signed_in(*OWNERS))]
Reader = Annotated[Actor, Depends(allow(*READERS))]
ReaderPage = Annotated[Actor, Depends(signed_in(*READERS))]
Translator = Annotated[Actor, Depends(allow(*TRANSLATORS))]
TranslatorPage = Annotated[Actor, Depends(signed_in(*TRANSLATORS))]


def readable_proposal(db: Session, actor: Actor, proposal_id: uuid.UUID) -> Proposal:
    """A partner reads the proposals of their own organisation; the owner reads all."""
    proposal = db.get(Proposal, proposal_id)
    if proposal is None or (
        actor.role == Role.PARTNER and proposal.organisation != actor.organisation
    ):
        raise NotFound("No such proposal.")
    return proposal


def readable_draft(db: Session, draft_id: uuid.UUID, actor: Actor) -> FormDraft:
    del actor  # every owner reads every version
    draft = db.get(FormDraft, draft_id)
    if draft is None:
        raise NotFound("No such form version.")
    return draft


def _proposal_through(door: PermissionDependency) -> Callable[..., Any]:
    return through(door, "proposal_id", lambda db, i, actor: readable_proposal(db, actor, i))


def _draft_through(door: PermissionDependency) -> Callable[..., Any]:
    return through(door, "draft_id", readable_draft)


ReadableProposal = Annotated[Proposal, Depends(_proposal_through(allow(*READERS)))]
ReadableProposalPage = Annotated[Proposal, Depends(_proposal_through(signed_in(*READERS)))]
OwnersProposal = Annotated[Proposal, Depends(_proposal_through(allow(*OWNERS)))]
OwnersProposalPage = Annotated[Proposal, Depends(_proposal_through(signed_in(*OWNERS)))]
OwnersDraft = Annotated[FormDraft, Depends(_draft_through(allow(*OWNERS)))]
OwnersDraftPage = Annotated[FormDraft, Depends(_draft_through(signed_in(*OWNERS)))]
TranslatorsDraft = Annotated[FormDraft, Depends(_draft_through(allow(*TRANSLATORS)))]
TranslatorsDraftPage = Annotated[FormDraft, Depends(_draft_through(signed_in(*TRANSLATORS)))]
# The lawyer reads the form's topics before the session, for their own clients only.
PREPARERS = (Role.LAWYER,)
PreparerPage = Annotated[Actor, Depends(signed_in(*PREPARERS))]
PreparersCase = Annotated[Case, Depends(case_through(allow(*PREPARERS)))]
PreparersCasePage = Annotated[Case, Depends(case_through(signed_in(*PREPARERS)))]
