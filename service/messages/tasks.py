import logging
import smtplib
import uuid

from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import fan_out, huey
from service.core.settings import get_settings
from service.messages import service, smtp

log = logging.getLogger("service.messages")


@huey.periodic_task(crontab(minute="*"))
def deliver_messages() -> int:
    """Every minute: queued messages whose (next) attempt is due, one job each. This also
    picks up what a killed worker held once its hold has run out."""
    with unit_of_work(write=False) as db:
        due = service.deliverable(db)
    return fan_out(deliver_message, due)


@huey.task()
def deliver_message(message_id: uuid.UUID) -> bool:
    """Hold, send, mark: three steps, each committed on its own. A worker killed after
    sending but before marking sends the message once more when the hold runs out, with
    the same Message-ID."""
    with unit_of_work() as db:
        email = service.claim(db, message_id)
    if email is None:
        return False
    try:
        smtp.send(email, get_settings())
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("message %s not delivered: %s", message_id, exc)
        with unit_of_work() as db:
            service.mark_attempt_failed(db, message_id, f"{type(exc).__name__}: {exc}")
        return False
    with unit_of_work() as db:
        service.mark_sent(db, message_id)
    return True
