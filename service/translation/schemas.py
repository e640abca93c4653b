import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from service.core.text import LongText, Name
from service.models.translation import Agency, Translation

QuestionId = Annotated[str, Field(max_length=60)]


class TranslationRequestIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        # An agency of the demo data (GET /agencies lists them).
        json_schema_extra={"examples": [{"agency": "Vertaalbureau Noord", "due_days": 7}]},
    )
    agency: Name = Field(description="The name of an agency (GET /agencies)")
    due_days: Annotated[int, Field(ge=1, le=30)] | None = Field(
        None, description="Agreed term in working days; default from the term policy"
    )


class ReassignIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"agency": "Taalhuis Zuid"}]}
    )
    agency: Name


class TranslationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"answers_nl": {"identity_full_name": "Amal Haddad"}}]},
    )
    answers_nl: Annotated[dict[QuestionId, LongText], Field(max_length=200)] = Field(
        description="Dutch translation per answered question id"
    )


class AgencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    active: bool


class SourceAnswer(BaseModel):
    question_id: str
    question: str = Field(description="The question, in the applicant's language")
    question_nl: str = Field(description="The question in Dutch")
    answer: Any = Field(description="The applicant's answer, in their own language and script")


class TranslationOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    agency: str
    source_language: str
    requested_at: datetime
    due_at: datetime
    delivered_at: datetime | None
    cancelled_at: datetime | None = Field(description="Called off: the case left the written track")
    answers_nl: dict[str, Any] | None

    @classmethod
    def present(cls, job: Translation, agency: Agency) -> "TranslationOut":
        return cls(
            id=job.id,
            case_id=job.case_id,
            agency=agency.name,
            source_language=job.source_language,
            requested_at=job.requested_at,
            due_at=job.due_at,
            delivered_at=job.delivered_at,
            cancelled_at=job.cancelled_at,
            answers_nl=job.answers_nl,
        )


class TranslationJob(TranslationOut):
    """What the agency works from: the questions and the applicant's own answers."""

    source: list[SourceAnswer]
