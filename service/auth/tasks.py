from huey import crontab

from service.auth import throttle
from service.core.db import unit_of_work
from service.core.jobs import huey


@huey.periodic_task(crontab(minute="41"))
def forget_expired_counters() -> int:
    """Every hour: sign-in counters past their window are deleted."""
    with unit_of_work() as db:
        return throttle.forget_expired(db)
