import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from service.core.text import Note
from service.models.terms import Term, TermStep
from service.terms.policy import local_date

# At most four extra weeks at once; a longer delay is a new invitation, not an extension.
ExtraWorkingDays = Annotated[int, Field(ge=1, le=20)]


class ExtensionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"step": "corrections", "working_days": 5, "reason": "Lawyer ill, agreed by phone."}
            ]
        },
    )
    step: TermStep = Field(description="Which running term to extend")
    working_days: ExtraWorkingDays = Field(description="Working days added to the due date")
    reason: Note = Field(min_length=3, description="Why; written in the case's event log")


class TermOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    step: TermStep
    policy_version: str
    working_days: int
    extended_days: int
    started_at: datetime
    due_at: datetime
    due_on: date = Field(description="The last working day of the term (Dutch time)")
    reminded_at: datetime | None
    overdue: bool = Field(description="Flagged by the sweep: the term passed unfinished")
    closed_at: datetime | None

    @classmethod
    def present(cls, term: Term) -> "TermOut":
        return cls(
            id=term.id,
            case_id=term.case_id,
            step=term.step,
            policy_version=term.policy_version,
            working_days=term.working_days,
            extended_days=term.extended_days,
            started_at=term.started_at,
            due_at=term.due_at,
            due_on=local_date(term.due_at),
            reminded_at=term.reminded_at,
            overdue=term.overdue_at is not None,
            closed_at=term.closed_at,
        )
