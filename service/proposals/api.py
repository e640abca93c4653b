"""Proposals for the form's questions and its draft versions, for machines."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from service.core.routing import UnitOfWorkRoute
from service.models.proposals import FormDraft
from service.proposals import access, queries, service
from service.proposals.schemas import (
    DecisionIn,
    DraftOut,
    FormId,
    ProposalIn,
    ProposalOut,
    VersionDiffOut,
)
from service.questionnaires.forms import DEFAULT_FORM, SOURCE_LANGUAGE

router = APIRouter(tags=["proposals"], route_class=UnitOfWorkRoute)


def _draft_out(draft: FormDraft) -> DraftOut:
    return DraftOut.model_validate(
        {
            **{k: getattr(draft, k) for k in DraftOut.model_fields if k != "missing_texts"},
            "missing_texts": service.missing_texts(draft) if draft.status == "draft" else [],
        }
    )


@router.post("/proposals", status_code=status.HTTP_201_CREATED)
def propose(body: ProposalIn, db: Session, actor: access.Proposer) -> ProposalOut:
    """A chain partner proposes a new question, a change of wording, or a removal."""
    return queries.present(db, service.propose(db, actor, body))


@router.get("/proposals")
def list_proposals(db: Session, actor: access.Reader) -> Sequence[ProposalOut]:
    """A partner sees their organisation's proposals; the form owner sees all."""
    return [queries.present(db, p) for p in queries.visible_proposals(db, actor)]


@router.get("/proposals/{proposal_id}")
def read_proposal(proposal: access.ReadableProposal, db: Session) -> ProposalOut:
    return queries.present(db, proposal)


@router.post("/proposals/{proposal_id}/accept")
def accept(proposal: access.OwnersProposal, db: Session, actor: access.Owner) -> ProposalOut:
    """Take the proposal into the form's draft version."""
    service.accept(db, actor, proposal)
    return queries.present(db, proposal)


@router.post("/proposals/{proposal_id}/reject")
def reject(
    proposal: access.OwnersProposal, body: DecisionIn, db: Session, actor: access.Owner
) -> ProposalOut:
    """Reject the proposal with a reason the proposer reads."""
    return queries.present(db, service.reject(db, actor, proposal, body))


@router.get("/form-versions")
def list_versions(db: Session, _: access.Owner) -> Sequence[DraftOut]:
    """The form versions made here: drafts and those published from them."""
    return [_draft_out(d) for d in queries.drafts(db)]


@router.get("/form-versions/compare")
def compare(
    db: Session,
    _: access.Reader,
    old: Annotated[int, Query(ge=1, description="The earlier version")],
    new: Annotated[int, Query(ge=1, description="The later version")],
    form_id: Annotated[FormId, Query()] = DEFAULT_FORM,
    language: Annotated[str, Query(pattern=r"^[a-z]{2,3}$")] = SOURCE_LANGUAGE,
) -> VersionDiffOut:
    """What changed between two versions, question by question, in ``language``, with
    who proposed each change."""
    return service.compare(db, form_id, old, new, language)


@router.post("/form-versions/{draft_id}/publish")
def publish(draft: access.OwnersDraft, db: Session, actor: access.Owner) -> DraftOut:
    """Freeze the draft as the next published version (refused while texts are missing)."""
    return _draft_out(service.publish(db, actor, draft))
