"""The audit trail's sealer: one short job every few seconds (docs/security.md)."""

from huey import crontab
from huey.exceptions import TaskLockedException

from service.audit import service
from service.core.db import unit_of_work
from service.core.jobs import huey
from service.core.logs import routine_job

ROUNDS_PER_MINUTE = 60 // service.SEAL_INTERVAL_SECONDS


@huey.periodic_task(crontab(minute="*"))
def schedule_audit_sealing() -> int:
    """Every minute: a sealing round now and one every SEAL_INTERVAL_SECONDS until the
    next minute, so no entry stays unsealed for more than seconds. Each round is its own
    short job (no worker is held for the minute)."""
    seal_audit_trail()
    for round_ in range(1, ROUNDS_PER_MINUTE):
        seal_audit_trail.schedule(delay=round_ * service.SEAL_INTERVAL_SECONDS)
    return ROUNDS_PER_MINUTE


# Every few seconds: its Huey INFO lines stay out of the worker's log (warnings do not).
routine_job("audit.tasks.seal_audit_trail")
routine_job("audit.tasks.schedule_audit_sealing")


@huey.task()
def seal_audit_trail() -> int:
    """Seal what has settled; a round that finds another one running does nothing (the
    lock: quietly, since rounds overlap when a minute's first round meets the last one's
    tail), and two sealers on two queues cannot both seal a batch (the seal's number)."""
    try:
        with huey.lock_task("audit-sealer"), unit_of_work() as db:
            return service.seal(db).entries
    except TaskLockedException:
        return 0
