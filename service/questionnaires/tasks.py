import uuid

from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import fan_out, huey, once
from service.questionnaires import service


@huey.periodic_task(crontab(minute="*"))
def auto_submit_forms() -> int:
    """Every minute: forms whose time limit has passed are handed in as saved."""
    with unit_of_work(write=False) as db:
        due = service.overdue_forms(db)
    return fan_out(auto_submit_form, due)


@huey.task()
def auto_submit_form(case_id: uuid.UUID) -> bool:
    def job() -> bool:
        with unit_of_work() as db:
            return service.auto_submit(db, case_id)

    return once(job)
