import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from service.core.text import Motivation
from service.models.cases import CoordinatorMotive


class Outcome(StrEnum):
    DECIDED_ON_FORM = "decided_on_form"
    PHYSICAL_HEARING_REQUIRED = "physical_hearing_required"


class DecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "decided_on_form",
                    "reason": "Account consistent and complete; no follow-up hearing needed.",
                }
            ]
        },
    )
    outcome: Outcome
    reason: Motivation


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    officer_id: uuid.UUID
    outcome: Outcome
    reason: str
    claimed_at: datetime
    decided_at: datetime


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
    motive: CoordinatorMotive
    advice: Motivation


class ConsultationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    coordinator_id: uuid.UUID
    motive: CoordinatorMotive
    advice: str
    recorded_at: datetime
