import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from service.core.i18n import N_
from service.core.text import Note
from service.models.cases import Case
from service.models.invitations import DeclineReason, Invitation, InvitationStatus


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reply_days": 10}]})
    reply_days: Annotated[int, Field(ge=1, le=60)] | None = Field(
        None, description="Working days the lawyer has to reply; default from the term policy"
    )


# The reasons in the lawyer's page's and the reports' words.
DECLINE_REASON_LABELS = {
    DeclineReason.PREFERS_PHYSICAL_HEARING: N_("The client prefers a physical hearing"),
    DeclineReason.CANNOT_READ_OR_WRITE: N_("The client cannot read or write well enough"),
    DeclineReason.NO_SUITABLE_LANGUAGE: N_("No language the client knows well is offered"),
    DeclineReason.HEALTH: N_("The client's health"),
    DeclineReason.NO_CONTACT_WITH_CLIENT: N_("No contact with the client"),
    DeclineReason.OTHER: N_("Another reason"),
}


class ReplyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"consent": True, "note": "Client agrees."},
                {"consent": False, "decline_reason": "prefers_physical_hearing"},
            ]
        },
    )
    consent: bool = Field(description="true: the client takes part; false: declined")
    decline_reason: DeclineReason | None = Field(
        None, description="Why the client declines: required when declining, refused otherwise"
    )
    note: Note = ""
    language_needs: Note = Field(
        "", description="The client's language needs (language, dialect, reading ability)"
    )


class InvitationOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    v_number: str
    applicant_name: str
    nationality: str
    lawyer_id: uuid.UUID
    sent_at: datetime
    reply_due_at: datetime
    status: InvitationStatus
    replied_at: datetime | None
    decline_reason: DeclineReason | None
    note: str
    language_needs: str

    @classmethod
    def present(cls, invitation: Invitation, case: Case) -> "InvitationOut":
        return cls(
            id=invitation.id,
            case_id=case.id,
            v_number=case.v_number,
            applicant_name=case.applicant_name,
            nationality=case.nationality,
            lawyer_id=invitation.lawyer_id,
            sent_at=invitation.sent_at,
            reply_due_at=invitation.reply_due_at,
            status=InvitationStatus(invitation.status),
            replied_at=invitation.replied_at,
            decline_reason=invitation.decline_reason,
            note=invitation.note,
            language_needs=invitation.language_needs,
        )
