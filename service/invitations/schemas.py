import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from service.models.invitations import InvitationStatus


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reply_days": 10}]})
    reply_days: Annotated[int, Field(ge=1, le=60)] | None = Field(
        None, description="Days the lawyer has to reply; default from settings"
    )


class ReplyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"consent": True, "note": "Client agrees."}]},
    )
    consent: bool = Field(description="true: the client takes part; false: declined")
    note: Annotated[str, Field(max_length=2000)] = ""


class InvitationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    case_id: uuid.UUID
    lawyer_id: uuid.UUID
    sent_at: datetime
    reply_due_at: datetime
    status: InvitationStatus
    replied_at: datetime | None
    note: str
