"""Everyone signed in reads the messages sent to them; planners see those that failed.
And what each door of the messages receives already loaded and checked."""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.orm import Session

from service.auth.access import (
    PermissionDependency,
    allow,
    signed_in,
    through,
)
from service.core.actor import Actor
from service.core.formatting import in_english
from service.core.i18n import N_
from service.messages.exceptions import MessageNotFound
from service.models.auth import Role
from service.models.messages import Message

# Applicants get no e-mail; every other role may have been written to.
RECIPIENTS = tuple(role for role in Role if role is not Role.APPLICANT)
PLANNERS = (Role.PLANNER, Role.ADMIN)
# The development mailbox (never in production).
ANYONE = tuple(Role)


def own_message(db: Session, message_id: uuid.UUID, actor: Actor) -> Message:
    """A message sent to the actor; anyone else's is not found (not even that it exists)."""
    message = db.get(Message, message_id)
    if message is None or actor.user_id is None or message.recipient_id != actor.user_id:
        raise MessageNotFound(
            in_english(N_("No message %(message)s sent to you."), message=message_id)
        )
    return message


def any_message(db: Session, message_id: uuid.UUID, _: Actor) -> Message:
    """Any message, for planners (they see every failed one)."""
    message = db.get(Message, message_id)
    if message is None:
        raise MessageNotFound(N_("No such message."))
    return message


# --- the doors' declarations: the endpoint receives the caller or the message, checked -


def message_through(
    door: PermissionDependency, load: Callable[[Session, uuid.UUID, Actor], Message]
) -> Callable[..., Any]:
    """A dependency giving the message of the path's ``message_id``, loaded by ``load``."""
    return through(door, "message_id", load)


Recipient = Annotated[Actor, Depends(allow(*RECIPIENTS))]
RecipientPage = Annotated[Actor, Depends(signed_in(*RECIPIENTS))]
Planner = Annotated[Actor, Depends(allow(*PLANNERS))]
PlannerPage = Annotated[Actor, Depends(signed_in(*PLANNERS))]
AnyonePage = Annotated[Actor, Depends(signed_in(*ANYONE))]
OwnMessagePage = Annotated[Message, Depends(message_through(signed_in(*RECIPIENTS), own_message))]
AnyMessage = Annotated[Message, Depends(message_through(allow(*PLANNERS), any_message))]
AnyMessagePage = Annotated[Message, Depends(message_through(signed_in(*PLANNERS), any_message))]
