import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from service.core.text import Motivation, Note, ShortText
from service.models.cases import SignalKind
from service.models.decisions import (
    DecisionKind,
    FinalOutcome,
    HearingReason,
    ReviewVerdict,
)


class Outcome(StrEnum):
    DECIDED_ON_FORM = "decided_on_form"
    PHYSICAL_HEARING_REQUIRED = "physical_hearing_required"


# The fields only one outcome has; the page shows only the chosen outcome's.
OUTCOME_FIELDS: dict[Outcome, tuple[str, ...]] = {
    Outcome.DECIDED_ON_FORM: ("kind",),
    Outcome.PHYSICAL_HEARING_REQUIRED: ("reason_codes", "estimated_days"),
}
NEEDED = {
    "kind": "a decision on the form needs its kind: grant or intended_rejection",
    "reason_codes": "a physical hearing needs at least one reason code",
    "estimated_days": "estimate whether the physical hearing takes 1 or 2 days",
}
FOREIGN = {
    "kind": "the kind belongs to a decision on the form",
    "reason_codes": "reason codes and an estimate belong to a physical hearing",
    "estimated_days": "reason codes and an estimate belong to a physical hearing",
}


class DecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "decided_on_form",
                    "kind": "grant",
                    "reason": "Account consistent and complete; no follow-up hearing needed.",
                    "third_party_weighing": "The partner's letter confirms the relationship; "
                    "given weight as it is detailed and consistent.",
                },
                {
                    "outcome": "physical_hearing_required",
                    "reason": "The route of travel needs questions the form did not ask.",
                    "reason_codes": ["insufficient_information"],
                    "estimated_days": 1,
                },
            ]
        },
    )
    outcome: Outcome
    reason: Motivation
    # decided_on_form: grant, or intended rejection (voornemen, the regular route follows).
    kind: DecisionKind | None = Field(default=None, validate_default=True)
    third_party_weighing: Note = ""
    # physical_hearing_required: why, and whether it will take one or two days.
    reason_codes: list[HearingReason] = Field(
        default_factory=list, max_length=5, validate_default=True
    )
    estimated_days: int | None = Field(default=None, ge=1, le=2, validate_default=True)

    @field_validator(*(name for names in OUTCOME_FIELDS.values() for name in names))
    @classmethod
    def _fits_outcome(cls, value: Any, info: ValidationInfo) -> Any:
        """Each outcome's own fields are required with it and refused with the other one;
        said beside the field (``outcome`` is checked first, so it is known here)."""
        outcome = info.data.get("outcome")
        if outcome is None or info.field_name is None:
            return value  # the outcome itself is refused
        given = value not in (None, [])
        if info.field_name in OUTCOME_FIELDS[outcome]:
            if not given:
                raise PydanticCustomError("missing", NEEDED[info.field_name])
        elif given:
            raise PydanticCustomError("extra_forbidden", FOREIGN[info.field_name])
        return value


class ClaimOut(BaseModel):
    """The file "take next" handed to the officer (open it with ``GET /cases/{id}``)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    v_number: str
    state: str
    claimed_by_id: uuid.UUID | None
    lease_expires_at: datetime


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    status: Literal["final"] = "final"
    id: uuid.UUID
    case_id: uuid.UUID
    officer_id: uuid.UUID
    outcome: Outcome
    kind: DecisionKind | None
    reason: str
    third_party_weighing: str
    reviewed_by_id: uuid.UUID | None
    claimed_at: datetime
    decided_at: datetime


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    status: Literal["in_review"] = "in_review"
    id: uuid.UUID
    case_id: uuid.UUID
    drafted_by_id: uuid.UUID
    ground: str
    proposal: dict[str, Any]
    requested_at: datetime
    reviewer_id: uuid.UUID | None
    verdict: ReviewVerdict | None
    remarks: str
    reviewed_at: datetime | None


class ReviewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"verdict": "sent_back", "remarks": "Weigh the letter."}]},
    )
    verdict: ReviewVerdict
    remarks: Note = ""


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    officer_id: uuid.UUID


class SignalRaiseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "1f", "reason": "Answer 12 names service in a unit in a 1F report."}
            ]
        },
    )
    kind: SignalKind
    reason: Motivation


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: Literal["open", "working", "close"] = "working"


class HandlingTimeOut(BaseModel):
    active_minutes: float
    calendar_minutes: float | None
    intervals: int


class ActualDaysIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = Field(ge=1, le=10)


class HandoffOut(BaseModel):
    case_id: uuid.UUID
    v_number: str
    nationality: str
    track: str | None
    reason_codes: list[HearingReason]
    motivation: str
    estimated_days: int | None
    actual_days: int | None
    handed_over_at: datetime
    handed_over_by: str | None
    layers: dict[str, Any]


# A nationality or language code as the cases carry them ("SY", "stateless", "ar").
Code = Annotated[str, Field(min_length=2, max_length=10, pattern=r"^[A-Za-z]+$")]


class OfficerProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    team: ShortText | None = None
    nationalities: list[Code] = Field(default_factory=list, max_length=50)
    languages: list[Code] = Field(default_factory=list, max_length=50)
    lgbti_experience: bool = False
    conversion_experience: bool = False
    senior: bool = False
    team_lead: bool = False
    hard_cases_team: bool = False
    external: bool = False
    started_on: date


class FinalDecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    case_id: uuid.UUID
    outcome: FinalOutcome
    decided_at: datetime


class FinalDecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"outcome": "grant"}]}
    )
    outcome: FinalOutcome
