import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AnswersIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"answers": {"identity_full_name": "Amal H.", "reasons_main_account": "..."}}
            ]
        },
    )
    answers: dict[str, Any] = Field(
        description="Answers by question id; saved answers are merged, null clears one"
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


class KioskView(BaseModel):
    case_state: str
    form: dict[str, Any] = Field(description="The form in the applicant's language")
    answer_set: AnswerSetOut | None
