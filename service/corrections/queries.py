"""The layers of a translated form, per answer: the applicant's own answer, the Dutch
translation, and the lawyer's corrections beside them; then the additions and
attachments. The lawyer's side-by-side page, the officer's workbench (issue 10) and the
PDF dossier all read them here."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.corrections import service
from service.models.auth import User
from service.models.cases import Case
from service.models.corrections import Attachment, Correction, CorrectionItem, ItemKind
from service.models.translation import Translation
from service.questionnaires.service import answer_set_of, helper_role
from service.translation.items import answer_items


@dataclass(frozen=True)
class Remark:
    """One correction or addition, attributed and timestamped."""

    kind: str
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class AnswerLayers:
    key: str
    question: str
    question_nl: str
    answer: str  # the applicant's own answer, in their script
    translation: str | None  # the Dutch, once delivered
    corrections: list[Remark] = field(default_factory=list)
    # A spoken answer: ``answer`` names its recording; the agency's transcription (in
    # the applicant's language) stands beside the translation, and the lawyer's
    # correction of the content corrects the transcription.
    spoken: bool = False
    transcription: str | None = None
    recording_ms: int = 0
    # Assisted filling: the role of the helper who typed it; blank: the applicant.
    typed_by: str = ""


@dataclass(frozen=True)
class Layers:
    language: str
    answers: list[AnswerLayers]
    additions: list[Remark]
    attachments: Sequence[Attachment]
    file: Correction | None
    # Assisted filling: the role of the helper who could type for the applicant.
    assisted_by: str | None = None


def _authors(db: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = db.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    return {row.id: row.display_name for row in rows}


def layers(db: Session, case: Case) -> Layers:
    answer_set = answer_set_of(db, case)
    translation = db.scalar(select(Translation).where(Translation.case_id == case.id))
    dutch = (translation.answers_nl or {}) if translation else {}
    transcribed = (translation.transcriptions or {}) if translation else {}
    file = service.corrections_of(db, case)
    items: Sequence[CorrectionItem] = service.items_of(db, file) if file else ()
    attachments: Sequence[Attachment] = service.attachments_of(db, file) if file else ()
    names = _authors(db, {i.author_id for i in items})

    def remark(item: CorrectionItem) -> Remark:
        return Remark(item.kind, item.text, names.get(item.author_id, ""), item.created_at)

    answers = [
        AnswerLayers(
            key=a.key,
            question=a.question,
            question_nl=a.question_nl,
            answer=a.text,
            translation=dutch.get(a.key),
            corrections=[remark(i) for i in items if i.answer_key == a.key],
            spoken=a.spoken,
            transcription=transcribed.get(a.key),
            recording_ms=a.recording_ms,
            typed_by=a.typed_by,
        )
        for a in (answer_items(answer_set) if answer_set else [])
    ]
    additions = [remark(i) for i in items if i.kind == ItemKind.ADDITION]
    language = answer_set.language if answer_set else ""
    helper = helper_role(db, case.id)
    return Layers(language, answers, additions, attachments, file, helper)


def attachment(db: Session, case: Case, attachment_id: uuid.UUID) -> Attachment | None:
    return db.scalar(
        select(Attachment)
        .join(Correction, Correction.id == Attachment.correction_id)
        .where(Attachment.id == attachment_id, Correction.case_id == case.id)
    )
