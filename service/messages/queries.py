import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models.messages import Message, MessageStatus


def sent_to(
    db: Session, user_id: uuid.UUID, limit: int = 200, offset: int = 0
) -> Sequence[Message]:
    """A person's own messages, newest first."""
    return db.scalars(
        select(Message)
        .where(Message.recipient_id == user_id)
        .order_by(Message.created_at.desc(), Message.id)
        .limit(limit)
        .offset(offset)
    ).all()


def failed(db: Session, limit: int = 200, offset: int = 0) -> Sequence[Message]:
    return db.scalars(
        select(Message)
        .where(Message.status == MessageStatus.FAILED)
        .order_by(Message.failed_at.desc(), Message.id)
        .limit(limit)
        .offset(offset)
    ).all()
