import uuid

from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import fan_out, huey, once
from service.invitations import service


@huey.periodic_task(crontab(minute="*"))
def expire_invitations() -> int:
    """Every minute: invitations without a reply in time expire, one job each."""
    with unit_of_work(write=False) as db:
        due = service.overdue_invitations(db)
    return fan_out(expire_invitation, due)


@huey.task()
def expire_invitation(invitation_id: uuid.UUID) -> bool:
    def job() -> bool:
        with unit_of_work() as db:
            return service.expire(db, invitation_id)

    return once(job)
