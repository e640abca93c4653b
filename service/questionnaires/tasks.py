from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import huey
from service.questionnaires.service import auto_submit_overdue


@huey.periodic_task(crontab(minute="*"))
# One run at a time across all workers (the lock lives in the queue's storage).
@huey.lock_task("auto-submit-forms", ttl=300)
def auto_submit_forms() -> int:
    """Every minute: forms whose time limit has passed are handed in as saved."""
    with unit_of_work() as db:
        return auto_submit_overdue(db)
