import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class TranslationRequestIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"agency": "Vertaalbureau Noord", "due_days": 7}]},
    )
    agency: Annotated[str, Field(min_length=2, max_length=200)]
    due_days: Annotated[int, Field(ge=1, le=30)] | None = Field(
        None, description="Agreed term in days; default from settings"
    )


class TranslationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"answers_nl": {"identity_full_name": "Amal H."}}]},
    )
    answers_nl: dict[str, Any] = Field(description="Dutch translation per answered question id")


class TranslationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    agency: str
    source_language: str
    requested_at: datetime
    due_at: datetime
    delivered_at: datetime | None
    answers_nl: dict[str, Any] | None
