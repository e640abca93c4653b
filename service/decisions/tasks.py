import uuid

from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import fan_out, huey, once
from service.decisions import service


@huey.periodic_task(crontab(minute="*"))
def expire_claims() -> int:
    """Every minute: claims whose lease ended go back to the queue."""
    with unit_of_work(write=False) as db:
        due = service.expired_claims(db)
    return fan_out(expire_claim, due)


@huey.task()
def expire_claim(case_id: uuid.UUID) -> bool:
    def job() -> bool:
        with unit_of_work() as db:
            return service.expire_claim(db, case_id)

    return once(job)
