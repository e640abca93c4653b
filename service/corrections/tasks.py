from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import huey
from service.corrections.service import expire_overdue_terms


@huey.periodic_task(crontab(minute="*"))
# One run at a time across all workers (the lock lives in the queue's storage).
@huey.lock_task("expire-corrections-terms", ttl=300)
def expire_corrections_terms() -> int:
    """Every minute: lawyers' corrections terms that passed are closed, files routed."""
    with unit_of_work() as db:
        return expire_overdue_terms(db)
