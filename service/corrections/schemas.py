import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.core.text import VALID_TEXT


class ItemKind(StrEnum):
    CORRECTION = "correction"
    ADDITION = "addition"


class CorrectionItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ItemKind
    question_id: Annotated[str, Field(max_length=60)] | None = Field(
        None, description="Required for a correction"
    )
    text: Annotated[str, Field(min_length=1, max_length=20000), VALID_TEXT]

    @model_validator(mode="after")
    def _correction_names_question(self) -> "CorrectionItem":
        if self.kind is ItemKind.CORRECTION and not self.question_id:
            raise ValueError("a correction names the question_id it corrects")
        return self


class CorrectionsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "kind": "correction",
                            "question_id": "travel_route",
                            "text": "The client travelled via Turkey, not Greece.",
                        },
                        {"kind": "addition", "text": "Statement of the client's sister attached."},
                    ]
                }
            ]
        },
    )
    items: Annotated[list[CorrectionItem], Field(min_length=1, max_length=200)]


class CorrectionsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    lawyer_id: uuid.UUID
    submitted_at: datetime
    items: list[CorrectionItem]
