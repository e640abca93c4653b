import uuid
from datetime import datetime

from pydantic import BaseModel

from service.models.messages import Message, MessageKind, MessageStatus


class MessageOut(BaseModel):
    """What was sent when; the body stays in the e-mail (and the outbox)."""

    id: uuid.UUID
    kind: MessageKind
    case_id: uuid.UUID | None
    to_address: str
    subject: str
    status: MessageStatus
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str

    @classmethod
    def present(cls, message: Message) -> "MessageOut":
        waiting = message.status is MessageStatus.QUEUED
        return cls(
            id=message.id,
            kind=message.kind,
            case_id=message.case_id,
            to_address=message.to_address,
            subject=message.subject,
            status=message.status,
            created_at=message.created_at,
            sent_at=message.sent_at,
            attempts=message.attempts,
            next_attempt_at=message.next_attempt_at if waiting else None,
            last_error=message.last_error,
        )
