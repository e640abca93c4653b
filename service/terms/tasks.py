import uuid

from huey import crontab

from service.core.db import unit_of_work
from service.core.jobs import fan_out, huey, once
from service.terms import service


@huey.periodic_task(crontab(minute="*"))
def send_term_reminders() -> int:
    """Every minute: whoever must act is reminded before their term ends, one job each."""
    with unit_of_work(write=False) as db:
        due = service.reminders_due(db)
    return fan_out(remind_of_term, due)


@huey.task()
def remind_of_term(term_id: uuid.UUID) -> bool:
    def job() -> bool:
        with unit_of_work() as db:
            return service.remind(db, term_id)

    return once(job)


@huey.periodic_task(crontab(minute="*"))
def flag_overdue_terms() -> int:
    """Every minute: passed translation and decision terms are flagged for planners."""
    with unit_of_work(write=False) as db:
        due = service.passed_unflagged(db)
    return fan_out(flag_overdue_term, due)


@huey.task()
def flag_overdue_term(term_id: uuid.UUID) -> bool:
    def job() -> bool:
        with unit_of_work() as db:
            return service.flag_overdue(db, term_id)

    return once(job)
