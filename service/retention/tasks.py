import uuid

from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import fan_out, huey, once
from service.retention import service


@huey.periodic_task(crontab(hour="2", minute="30"))
def anonymise_due_cases() -> int:
    """Every night: closed cases past their retention period are anonymised, one job each."""
    with unit_of_work(write=False) as db:
        due = service.due_cases(db)
    return fan_out(anonymise_case, due)


@huey.periodic_task(crontab(minute="17"))
def forget_idempotent_answers() -> int:
    """Every hour: answers kept for retries with an Idempotency-Key expire."""
    with unit_of_work() as db:
        return service.forget_idempotent_answers(db)


@huey.task()
def anonymise_case(case_id: uuid.UUID) -> bool:
    def job() -> bool:
        with unit_of_work() as db:
            return service.anonymise(db, case_id)

    return once(job)
