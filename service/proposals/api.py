"""Proposals for the form's questions and its draft versions, for machines."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, UploadFile, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.models.proposals import FormDraft
from service.proposals import access, queries, service
from service.proposals.schemas import (
    DecisionIn,
    DraftOut,
    FormId,
    FormPreviewOut,
    ProposalIn,
    ProposalOut,
    SourceTextIn,
    VersionDiffOut,
)
from service.questionnaires.forms import DEFAULT_FORM, SOURCE_LANGUAGE
from service.translation import xliff
from service.translation.api import read_upload

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
def list_proposals(
    db: Session,
    actor: access.Reader,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[ProposalOut]:
    """A partner sees their organisation's proposals; the form owner sees all. Newest
    first, a page at a time."""
    found = queries.visible_proposals(db, actor, limit + 1, offset)
    return [queries.present(db, p) for p in page_of(found, limit, offset, request, response)]


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
def list_versions(
    db: Session,
    _: access.Owner,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[DraftOut]:
    """The form versions made here: drafts and those published from them; a page at a
    time."""
    found = queries.drafts(db, limit + 1, offset)
    return [_draft_out(d) for d in page_of(found, limit, offset, request, response)]


@router.get("/form-versions/compare")
def compare(
    db: Session,
    _: access.Reader,
    old: Annotated[int, Query(ge=1, description="The earlier version")],
    new: Annotated[int, Query(ge=1, description="The later version")],
    form_id: Annotated[FormId, Query()] = DEFAULT_FORM,
    language: Annotated[str, Query(max_length=3, pattern=r"^[a-z]{2,3}$")] = SOURCE_LANGUAGE,
) -> VersionDiffOut:
    """What changed between two versions, question by question, in ``language``, with
    who proposed each change."""
    return service.compare(db, form_id, old, new, language)


@router.post("/form-versions/{draft_id}/publish")
def publish(draft: access.OwnersDraft, db: Session, actor: access.Owner) -> DraftOut:
    """Freeze the draft as the next published version (refused while texts are missing)."""
    return _draft_out(service.publish(db, actor, draft))


Language = Annotated[str, Path(max_length=3, pattern=r"^[a-z]{2,3}$")]


@router.get("/form-versions/{draft_id}/translations")
def translation_states(draft: access.TranslatorsDraft, db: Session) -> dict[str, dict[str, str]]:
    """Per language, each text still to translate: ``missing`` or ``stale`` (its Dutch
    source changed since it was translated). Publishing waits until all are empty."""
    return service.text_states(db, draft)


@router.get(
    "/form-versions/{draft_id}/translations/{language}/xliff",
    responses={200: {"content": {xliff.MEDIA_TYPE: {}}, "description": "An XLIFF 1.2 file"}},
)
def translation_package(
    draft: access.TranslatorsDraft, language: Language, db: Session
) -> Response:
    """The texts ``language`` still needs, as XLIFF 1.2 from Dutch."""
    data = service.translation_package(db, draft, language)
    name = f"form-{draft.form_id}-v{draft.version}-{language}.xlf"
    disposition = f'attachment; filename="{name}"'
    return Response(data, media_type=xliff.MEDIA_TYPE, headers={"Content-Disposition": disposition})


@router.put("/form-versions/{draft_id}/translations/{language}/xliff")
def deliver_translation(
    draft: access.TranslatorsDraft,
    language: Language,
    file: UploadFile,
    db: Session,
    actor: access.Translator,
) -> dict[str, int]:
    """The translated XLIFF: each translated unit records the source it translated."""
    data = read_upload(file) or b""
    return {"translated": service.receive_translation(db, actor, draft, language, data)}


@router.post("/form-versions/{draft_id}/texts")
def edit_source(
    draft: access.OwnersDraft, body: SourceTextIn, db: Session, actor: access.Owner
) -> DraftOut:
    """Reword a Dutch text of the draft; its translations become stale."""
    return _draft_out(service.edit_source(db, actor, draft, body))


@router.get("/cases/{case_id}/form-preview")
def form_preview(
    case: access.PreparersCase,
    db: Session,
    language: Annotated[str | None, Query(max_length=3, pattern=r"^[a-z]{2,3}$")] = None,
) -> FormPreviewOut:
    """The current form's topics in the client's language, to prepare the session (its
    questions too where the policy ``form_preview`` is ``questions``)."""
    return service.preview(db, case, language)
