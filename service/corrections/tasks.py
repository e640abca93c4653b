from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import huey
from service.corrections.service import expire_overdue_terms


@huey.periodic_task(crontab(minute="*"))
def expire_corrections_terms() -> int:
    """Every minute: lawyers' corrections terms that passed are closed, files routed."""
    with unit_of_work() as db:
        return expire_overdue_terms(db)
