import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from service.core.text import Motivation, Note
from service.models.decisions import ConsultationTopic


class ConsultationRequestIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"topic": "lgbti", "question": "How to weigh the letter?"}]
        },
    )
    topic: ConsultationTopic
    question: Note = ""


class ConsultationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "motive": "lgbti",
                    "advice": "Account is detailed and credible; third-party statement "
                    "from the partner weighed.",
                }
            ]
        },
    )
    motive: ConsultationTopic
    advice: Motivation


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    advice: Motivation


class AdviceIn(AnswerIn):
    """The adviser's page: the advice, and the request it answers (none: unasked)."""

    consultation_id: uuid.UUID | None = None


class ConsultationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    motive: ConsultationTopic
    question: str
    requested_by_id: uuid.UUID | None
    requested_at: datetime | None
    coordinator_id: uuid.UUID | None
    advice: str | None
    recorded_at: datetime | None
