from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import huey
from service.invitations.service import expire_overdue


@huey.periodic_task(crontab(minute="*"))
# One run at a time across all workers (the lock lives in the queue's storage).
@huey.lock_task("expire-invitations", ttl=300)
def expire_invitations() -> int:
    """Every minute: invitations without a reply in time expire."""
    with unit_of_work() as db:
        return expire_overdue(db)
