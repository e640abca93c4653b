"""Everyone signed in reads the messages sent to them; planners see those that failed."""

import uuid

from sqlalchemy.orm import Session

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
