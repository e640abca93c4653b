"""Chain partners' proposals for the questionnaire, the form owner's review, and the draft
versions they are accepted into (stored here until published, then frozen)."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.core.clock import utcnow
from service.core.errors import Conflict
from service.models.base import Base, Timestamped, UuidPk, enum_check


class ProposalKind(StrEnum):
    ADD = "add"  # a new question
    CHANGE = "change"  # new wording of an existing question
    REMOVE = "remove"


class ProposedType(StrEnum):
    """The question types a partner may propose (``questionnaires.forms.QuestionType``
    but a repeatable group, which the form owner builds in the form itself)."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    NUMBER = "number"
    YES_NO = "yes_no"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"


CHOICE_PROPOSALS = frozenset({ProposedType.CHOICE, ProposedType.MULTI_CHOICE})


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class DraftStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class FormDraft(UuidPk, Timestamped, Base):
    """The next version of one form, as the form owner builds it: the whole definition
    (every text in every language) as JSON. Published, it is frozen with its hash."""

    __tablename__ = "form_drafts"
    __table_args__ = (
        UniqueConstraint("form_id", "version"),
        CheckConstraint(enum_check("status", DraftStatus), name="status_known"),
        CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL AND content_hash IS NOT NULL)",
            name="published_with_hash",
        ),
    )

    form_id: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=DraftStatus.DRAFT)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    content_hash: Mapped[str | None] = mapped_column(String(64))


class Proposal(UuidPk, Timestamped, Base):
    """A partner's proposal: a new question, a change of wording, or a removal, with the
    reason; the form owner accepts it into a draft or rejects it with a reason."""

    __tablename__ = "form_proposals"
    __table_args__ = (
        CheckConstraint(enum_check("kind", ProposalKind), name="kind_known"),
        CheckConstraint(
            f"question_type IS NULL OR {enum_check('question_type', ProposedType)}",
            name="question_type_known",
        ),
        CheckConstraint("(kind = 'add') = (question_type IS NOT NULL)", name="type_for_new"),
        CheckConstraint(enum_check("status", ProposalStatus), name="status_known"),
        CheckConstraint("status <> 'accepted' OR draft_id IS NOT NULL", name="accepted_in_draft"),
        CheckConstraint(
            "status <> 'rejected' OR decision_reason IS NOT NULL", name="rejected_with_reason"
        ),
    )

    form_id: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    section_id: Mapped[str] = mapped_column(String(60))
    question_id: Mapped[str] = mapped_column(String(60))
    # The proposed wording in the source language (Dutch); none for a removal.
    label: Mapped[str | None] = mapped_column(Text)
    # A new question's type and, for a choice, its options' Dutch wording in order.
    question_type: Mapped[str | None] = mapped_column(String(20))
    options: Mapped[list[str] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    proposer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.PROPOSED)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    draft_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("form_drafts.id"))


class ProposalEvent(UuidPk, Base):
    """One step of a proposal (proposed, accepted, rejected, published): who and when."""

    __tablename__ = "form_proposal_events"

    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("form_proposals.id"), index=True)
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(FormDraft, "before_update")
def _published_never_changes(mapper: Any, connection: Any, draft: FormDraft) -> None:
    """A published version never changes, whoever writes to it."""
    del mapper, connection
    status = inspect(draft).attrs.status.history
    was = status.deleted[0] if status.deleted else draft.status
    if was == DraftStatus.PUBLISHED:
        raise Conflict("A published form version never changes.", code="draft_frozen")


class DraftTranslation(UuidPk, Base):
    """One text of a draft translated into one language: which source (Dutch) text it
    translated, by its hash. When the source changes the hash no longer matches, and the
    translation is stale until translated again."""

    __tablename__ = "form_draft_translations"
    __table_args__ = (UniqueConstraint("draft_id", "language", "key"),)

    draft_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("form_drafts.id"), index=True)
    language: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))
    translated_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    translated_at: Mapped[datetime] = mapped_column(default=utcnow)
