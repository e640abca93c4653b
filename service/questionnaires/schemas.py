import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

QuestionId = Annotated[str, Field(max_length=60)]


class TypedBy(StrEnum):
    """Who typed the answers a door sends: the applicant, or (assisted filling) the
    helper the host named with the applicant's consent."""

    APPLICANT = "applicant"
    HELPER = "helper"


class AnswersIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "answers": {
                        "identity_full_name": "Amal Haddad",
                        "reasons_account": "I left because ...",
                    }
                }
            ]
        },
    )
    answers: Annotated[dict[QuestionId, Any], Field(max_length=200)] = Field(
        description="Answers by question id (see GET /kiosk/form); saved answers are merged, "
        "null clears one. Each form question sets its own maximum length."
    )
    typed_by: TypedBy = Field(
        default=TypedBy.APPLICANT,
        description="`helper`: the host or interpreter typed these answers for the "
        "applicant (assisted filling; refused with 409 `not_assisted` unless the host "
        "switched it on with the applicant's consent). The answers changed record it.",
    )


class AnswerSetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    form_id: str
    form_version: int
    language: str
    answers: dict[str, Any]
    started_at: datetime
    deadline_at: datetime
    saved_at: datetime | None
    submitted_at: datetime | None
    auto_submitted: bool
    typed_by: dict[str, str] = Field(
        default_factory=dict,
        validation_alias="typists",
        description="Assisted filling: the answers a helper typed, by question id, with the "
        "helper's role (`host`, `interpreter`); the others the applicant typed",
    )

    @field_validator("typed_by", mode="before")
    @classmethod
    def _roles(cls, typists: dict[str, Any] | None) -> dict[str, str]:
        # The role only: staff names stay inside the IND (service/fields.py).
        return {key: typist["role"] for key, typist in (typists or {}).items()}


class SavedAnswersOut(AnswerSetOut):
    """The answer set as saved, and what was not: nothing typed is lost for another
    answer's mistake, so a save is 200 with the refused answers listed."""

    problems: dict[str, str] = Field(
        default_factory=dict,
        description="Answers left out (their old value stays), by answer key "
        "(`question`, or `group.index.question`), with the reason in the form's language.",
    )
    missing: dict[str, str] = Field(
        default_factory=dict,
        description="A section's required answers still blank (saved anyway; they must be "
        "answered before handing in). Only for a section's save.",
    )


class RecordingOut(BaseModel):
    """A spoken answer as kept: decoded length, the kept Ogg file's hash and size."""

    model_config = ConfigDict(from_attributes=True)
    question_id: str
    sha256: str = Field(description="SHA-256 of the Ogg Opus file kept")
    upload_sha256: str = Field(description="SHA-256 of the upload (the same upload twice: 200)")
    duration_ms: int = Field(description="Counted by decoding every packet")
    reported_ms: int = Field(description="The kiosk's own measure")
    size: int
    recorded_at: datetime


class KioskView(BaseModel):
    case_state: str
    form: dict[str, Any] = Field(description="The form in the applicant's language")
    answer_set: AnswerSetOut | None
    recordings: list[RecordingOut] = Field(
        default_factory=list,
        description="Spoken answers kept so far (low-literacy mode), also those recorded "
        "on another kiosk",
    )
