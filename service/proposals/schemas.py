import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field

from service.core.text import Motivation, Note, ShortText
from service.models.proposals import (
    FormDraft,
    Proposal,
    ProposalEvent,
    ProposalKind,
    ProposedType,
)
from service.questionnaires.forms import DEFAULT_FORM, Identifier

# A choice question offers a handful of options; more is a list to type, not to tap.
MAX_OPTIONS = 20

FormId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=60)]


class ProposalIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "add",
                    "section_id": "journey",
                    "question_id": "border_crossing",
                    "label": "Hoe bent u de grens overgestoken?",
                    "question_type": "choice",
                    "options": ["Te voet", "Met een auto of bus", "Over het water", "Anders"],
                    "reason": "COA: helps the officer place the journey.",
                }
            ]
        },
    )
    form_id: FormId = DEFAULT_FORM
    kind: ProposalKind = Field(description="add a question, change its wording, or remove it")
    section_id: Identifier = Field(description="The section the question is (or goes) in")
    question_id: Identifier = Field(description="The question's id (a new one for 'add')")
    label: Note | None = Field(None, description="The wording in Dutch (not for 'remove')")
    question_type: ProposedType | None = Field(
        None, description="A new question's type ('add' only; open text when not given)"
    )
    options: Annotated[list[ShortText], Field(max_length=MAX_OPTIONS)] = Field(
        [], description="A choice question's options, in Dutch, in order (choice only)"
    )
    reason: Motivation = Field(description="Why the form should change")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Motivation = Field(description="Why the proposal is rejected; the proposer reads it")


class EventOut(BaseModel):
    action: str
    role: str
    actor_id: uuid.UUID
    note: str | None
    at: datetime

    @classmethod
    def present(cls, event: ProposalEvent) -> Self:
        return cls.model_validate(event, from_attributes=True)


class ProposalOut(BaseModel):
    id: uuid.UUID
    form_id: str
    kind: ProposalKind
    section_id: str
    question_id: str
    label: str | None
    question_type: ProposedType | None = Field(description="A new question's type")
    options: list[str] = Field(description="A choice question's options, in Dutch")
    reason: str
    organisation: str
    status: str
    decision_reason: str | None
    draft_version: int | None
    created_at: datetime
    events: list[EventOut]

    @classmethod
    def present(
        cls, proposal: Proposal, events: list[ProposalEvent], draft: FormDraft | None
    ) -> Self:
        return cls(
            id=proposal.id,
            form_id=proposal.form_id,
            kind=ProposalKind(proposal.kind),
            section_id=proposal.section_id,
            question_id=proposal.question_id,
            label=proposal.label,
            question_type=ProposedType(proposal.question_type) if proposal.question_type else None,
            options=list(proposal.options or []),
            reason=proposal.reason,
            organisation=proposal.organisation,
            status=proposal.status,
            decision_reason=proposal.decision_reason,
            draft_version=draft.version if draft else None,
            created_at=proposal.created_at,
            events=[EventOut.present(e) for e in events],
        )


class DraftOut(BaseModel):
    id: uuid.UUID
    form_id: str
    version: int
    base_version: int
    status: str
    content_hash: str | None
    published_at: datetime | None
    missing_texts: list[str] = Field(description="What blocks publishing")


class QuestionChange(BaseModel):
    question_id: str
    section_id: str
    change: str = Field(description="added, removed or changed")
    before: str | None = Field(description="The question's wording in the language asked")
    after: str | None
    proposed_by: list[str] = Field(description="Organisation (and name) of each proposer")


class VersionDiffOut(BaseModel):
    form_id: str
    old_version: int
    new_version: int
    language: str
    changes: list[QuestionChange]


class SourceTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Annotated[str, Field(min_length=1, max_length=300)] = Field(
        description="The text's key, e.g. sections.journey.questions.border_crossing.label"
    )
    text: Note = Field(min_length=1, description="The new Dutch text")


class PreviewSection(BaseModel):
    title: str
    intro: str | None
    questions: list[str] = Field(description="Only where the policy shows the questions")


class FormPreviewOut(BaseModel):
    form_id: str
    version: int
    language: str
    direction: str
    languages: list[str] = Field(description="The languages the form can be read in")
    questions_shown: bool = Field(description="The policy: topics only, or the questions")
    title: str
    intro: str
    sections: list[PreviewSection]
