import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from service.models.eligibility import ScreeningOutcome


class ScreeningOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    policy_version: str
    outcome: ScreeningOutcome
    reason: str
    screened_at: datetime


class PolicyOut(BaseModel):
    version: str
    title: str
    active: bool
    kansrijk_nationalities: list[str]
    form_languages: list[str]
    literacy_must_be_known_for: list[str]
    exclude_low_literacy: bool
    # Low literacy admitted in a language whose spoken prompts are all recorded.
    admit_low_literacy_by_voice: bool
    # A host or the session's interpreter may type for an applicant who consents.
    assisted_filling: bool
    excluding_signals: list[str]


class BulkScreeningOut(BaseModel):
    policy_version: str
    screened: dict[str, int]
