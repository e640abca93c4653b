import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from service.core.actions import FormInvalid, field_messages
from service.core.text import VALID_TEXT
from service.models.corrections import Attachment, Correction, CorrectionItem, ItemKind

AnswerKey = Annotated[str, Field(max_length=120)]


class CorrectionItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ItemKind = Field(
        description="translation: the Dutch is wrong; content: the answer itself needs "
        "correcting; addition: free text for the file"
    )
    answer_key: AnswerKey | None = Field(
        None, description="The answer it corrects (required unless an addition)"
    )
    text: Annotated[str, Field(min_length=1, max_length=20000), VALID_TEXT]

    @model_validator(mode="after")
    def _correction_names_answer(self) -> "CorrectionItemIn":
        if self.kind is not ItemKind.ADDITION and not self.answer_key:
            raise ValueError("a correction names the answer_key it corrects")
        return self


class CorrectionsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "kind": "translation",
                            "answer_key": "journey_route",
                            "text": "'Griekenland' must be 'Turkije'.",
                        },
                        {"kind": "addition", "text": "Statement of the client's sister attached."},
                    ]
                }
            ]
        },
    )
    items: Annotated[list[CorrectionItemIn], Field(min_length=1, max_length=200)]

    @classmethod
    def from_page(cls, values: Mapping[str, str]) -> "CorrectionsIn | None":
        """The lawyer's page as this model, or None when nothing is typed. The page has a
        kind and a text per answer (``kind-<key>``, ``text-<key>``) and one ``addition``;
        a refusal names the page's field, so its message sits beside it."""
        items: list[CorrectionItemIn] = []
        problems: dict[str, str] = {}
        for name, item in _typed_items(values):
            try:
                items.append(CorrectionItemIn.model_validate(item))
            except ValidationError as exc:
                problems[name] = next(iter(field_messages(exc).values()))
        if problems:
            raise FormInvalid(problems)
        return cls(items=items) if items else None


def _typed_items(values: Mapping[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each filled-in field of the page, with the item it makes."""
    for name, text in values.items():
        if name.startswith("text-") and text.strip():
            key = name.removeprefix("text-")
            kind = values.get(f"kind-{key}") or ItemKind.TRANSLATION.value
            yield name, {"kind": kind, "answer_key": key, "text": text.strip()}
    if values.get("addition", "").strip():
        yield "addition", {"kind": ItemKind.ADDITION.value, "text": values["addition"].strip()}


class Upload(NamedTuple):
    """A file the lawyer chose: its name as sent, and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Typed:
    """The input of one of the lawyer's actions, from either door: the corrections
    file's version it is based on (None: the current one, for internal callers), and
    what was typed and chosen with it."""

    version: int | None
    corrections: CorrectionsIn | None = None
    upload: Upload | None = None

    def nothing(self) -> bool:
        return self.corrections is None and self.upload is None


class CorrectionItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: ItemKind
    answer_key: str | None
    text: str
    author_id: uuid.UUID
    created_at: datetime

    @classmethod
    def present(cls, item: CorrectionItem) -> "CorrectionItemOut":
        return cls.model_validate(item)


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    author_id: uuid.UUID
    created_at: datetime


class CorrectionsOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    version: int = Field(description="Send it back as If-Match (the ETag) with every change")
    opened_at: datetime
    outcome: str | None = Field(description="sent, none, term_expired; null while open")
    closed_at: datetime | None
    items: list[CorrectionItemOut]
    attachments: list[AttachmentOut]

    @classmethod
    def present(
        cls, file: Correction, items: list[CorrectionItem], attachments: list[Attachment]
    ) -> "CorrectionsOut":
        return cls(
            id=file.id,
            case_id=file.case_id,
            version=file.version,
            opened_at=file.opened_at,
            outcome=file.outcome,
            closed_at=file.closed_at,
            items=[CorrectionItemOut.present(i) for i in items],
            attachments=[AttachmentOut.model_validate(a) for a in attachments],
        )
