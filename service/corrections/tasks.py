import uuid

from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import fan_out, huey, once
from service.corrections import service


@huey.periodic_task(crontab(minute="*"))
def expire_corrections_terms() -> int:
    """Every minute: lawyers' corrections terms that passed are closed, files routed."""
    with unit_of_work(write=False) as db:
        due = service.overdue_terms(db)
    return fan_out(expire_corrections_term, due)


@huey.task()
def expire_corrections_term(case_id: uuid.UUID) -> bool:
    def job() -> bool:
        with unit_of_work() as db:
            return service.expire_term(db, case_id)

    return once(job)
