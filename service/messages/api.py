from collections.abc import Sequence

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from service.core.paging import DEFAULT_LIMIT, Limit, Offset, page_of
from service.core.routing import UnitOfWorkRoute
from service.messages import access, queries, service
from service.messages.schemas import MessageOut

router = APIRouter(tags=["messages"], route_class=UnitOfWorkRoute)


@router.get("/messages")
def my_messages(
    db: Session,
    actor: access.Recipient,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[MessageOut]:
    """The e-mail sent to the caller, newest first: what, when, and whether it arrived.
    A page at a time; ``Link: rel="next"`` when more follow."""
    if actor.user_id is None:
        return []
    found = queries.sent_to(db, actor.user_id, limit + 1, offset)
    return [MessageOut.present(m) for m in page_of(found, limit, offset, request, response)]


@router.get("/messages/failed")
def failed_messages(
    db: Session,
    _: access.Planner,
    request: Request,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Sequence[MessageOut]:
    """Messages that could not be delivered after the last try: someone must act (paged
    as ``/messages``)."""
    found = queries.failed(db, limit + 1, offset)
    return [MessageOut.present(m) for m in page_of(found, limit, offset, request, response)]


@router.post("/messages/{message_id}/retry")
def retry_message(message: access.AnyMessage, db: Session) -> MessageOut:
    """Queue a failed message again (to the recipient's current address)."""
    return MessageOut.present(service.try_again(db, message))
