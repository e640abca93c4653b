import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from service.auth.access import allow
from service.core.actor import Actor
from service.core.routing import UnitOfWorkRoute
from service.messages import access, queries, service
from service.messages.schemas import MessageOut

router = APIRouter(tags=["messages"], route_class=UnitOfWorkRoute)


@router.get("/messages")
def my_messages(
    db: Session, actor: Annotated[Actor, Depends(allow(*access.RECIPIENTS))]
) -> Sequence[MessageOut]:
    """The e-mail sent to the caller, newest first: what, when, and whether it arrived."""
    if actor.user_id is None:
        return []
    return [MessageOut.present(m) for m in queries.sent_to(db, actor.user_id)]


@router.get("/messages/failed")
def failed_messages(
    db: Session, actor: Annotated[Actor, Depends(allow(*access.PLANNERS))]
) -> Sequence[MessageOut]:
    """Messages that could not be delivered after the last try: someone must act."""
    return [MessageOut.present(m) for m in queries.failed(db)]


@router.post("/messages/{message_id}/retry")
def retry_message(
    message_id: uuid.UUID,
    db: Session,
    actor: Annotated[Actor, Depends(allow(*access.PLANNERS))],
) -> MessageOut:
    """Queue a failed message again (to the recipient's current address)."""
    return MessageOut.present(service.try_again(db, queries.message(db, message_id)))
