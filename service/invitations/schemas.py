import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from service.core.text import Note
from service.models.cases import Case
from service.models.invitations import Invitation, InvitationStatus


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reply_days": 10}]})
    reply_days: Annotated[int, Field(ge=1, le=60)] | None = Field(
        None, description="Working days the lawyer has to reply; default from the term policy"
    )


class ReplyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"consent": True, "note": "Client agrees."}]},
    )
    consent: bool = Field(description="true: the client takes part; false: declined")
    note: Note = ""


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
    note: str

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
            note=invitation.note,
        )
