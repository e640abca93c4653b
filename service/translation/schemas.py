import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.text import LongText, Name
from service.models.translation import Agency, Translation
from service.translation.access import sees_dutch

QuestionId = Annotated[str, Field(max_length=120)]
# A job due within this long is "at risk": the planner may still move it.
AT_RISK = timedelta(days=1)


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


class TranslationSelectionIn(TranslationRequestIn):
    """The planner's page: the ticked forms, each sent as a ``TranslationRequestIn``."""

    case_id: Annotated[list[uuid.UUID], Field(min_length=1, max_length=200)]


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
    transcriptions: Annotated[dict[QuestionId, LongText], Field(max_length=200)] = Field(
        default_factory=dict,
        description="Per spoken answer (`<question>.voice`): what is said in the recording, "
        "written in the applicant's language",
    )


class AgencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    active: bool
    capacity_per_week: int


class TranslationVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    channel: str
    delivered_at: datetime
    file_sha256: str | None


class UploadProblems(BaseModel):
    """Why an uploaded file was refused (also in the problem document's ``problems``)."""

    problems: list[str]


class SourceAnswer(BaseModel):
    question_id: str
    question: str = Field(description="The question, in the applicant's language")
    question_nl: str = Field(description="The question in Dutch")
    answer: Any = Field(description="The applicant's answer as stored (text, choice value, ...)")
    text: str = Field("", description="The answer as the applicant saw it, in their script")
    note: str = Field("", description="How to treat it (a date's format, a choice's value)")
    recording: str | None = Field(
        None, description="A spoken answer: GET /translations/{id}/recordings/{question_id}"
    )


class TranslationOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    agency: str
    source_language: str
    requested_at: datetime
    due_at: datetime
    delivered_at: datetime | None
    cancelled_at: datetime | None = Field(description="Called off: the case left the written track")
    answers_nl: dict[str, Any] | None = Field(
        description="The translation: null until delivered, and for planners (the job only)"
    )
    transcriptions: dict[str, Any] | None = Field(
        None, description="Spoken answers written down in the applicant's language"
    )
    at_risk: bool = Field(False, description="Open and due within a day")
    overdue: bool = Field(False, description="Open and past its due time")

    @classmethod
    def present(cls, job: Translation, agency: Agency, actor: Actor) -> "TranslationOut":
        """The job as ``actor`` may see it: the Dutch text only for those the field
        table lets read it (service/fields.py), never for planners."""
        now = utcnow()
        open_ = job.delivered_at is None and job.cancelled_at is None
        return cls(
            id=job.id,
            case_id=job.case_id,
            agency=agency.name,
            source_language=job.source_language,
            requested_at=job.requested_at,
            due_at=job.due_at,
            delivered_at=job.delivered_at,
            cancelled_at=job.cancelled_at,
            answers_nl=job.answers_nl if sees_dutch(actor) else None,
            transcriptions=job.transcriptions if sees_dutch(actor) else None,
            overdue=open_ and job.due_at <= now,
            at_risk=open_ and now < job.due_at <= now + AT_RISK,
        )


class TranslationJob(TranslationOut):
    """What the agency works from: the questions and the applicant's own answers."""

    source: list[SourceAnswer]
