"""The task queue: Huey on a SQLite file by default, on Redis in production.

Jobs take ids, open their own unit of work and are idempotent. Periodic sweeps only
find what is due and fan out one job per id, so one bad case never holds up or
rolls back the others (``fan_out``).

Work a request queues goes through the job outbox (``enqueue``): a row written in the
request's own transaction, handed to the queue once that transaction has committed (so
a worker never sees uncommitted data). The job (``run_job``) deletes the row when it has
run. If the hand-over fails (Redis down) or the queue loses the job, the row stays and
a sweep (``requeue_jobs``) hands it over again: a committed change never loses its job,
and the request is answered with what it committed, not with the queue's error.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import lru_cache
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from sqlalchemy import (
    JSON,
    DateTime,
    Integer,
    String,
    Uuid,
    column,
    delete,
    func,
    insert,
    select,
    table,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.core.clock import utcnow
from service.core.db import after_commit, unit_of_work
from service.core.errors import Conflict
from service.core.settings import Settings, get_settings

log = logging.getLogger("service.jobs")

# The outbox table (its model, for the migrations, is ``service.models.jobs.OutboxJob``;
# core knows no models).
_OUTBOX = table(
    "job_outbox",
    column("id", Uuid()),
    column("task", String()),
    column("args", JSON()),
    column("attempts", Integer()),
    column("queued_at", DateTime(timezone=True)),
    column("created_at", DateTime(timezone=True)),
)


def make_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey("hearing", url=settings.redis_url, utc=True)
    settings.huey_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        "hearing",
        filename=str(settings.huey_sqlite_path),
        utc=True,
        immediate=settings.env == "test",
    )


@lru_cache
def get_huey() -> Huey:
    return make_huey(get_settings())


huey = get_huey()


def enqueue(db: Session, task: TaskWrapper, *args: Any) -> None:
    """Record ``task(*args)`` in the outbox of ``db``'s transaction; hand it to the queue
    once that transaction has committed."""
    job_id = uuid.uuid4()
    row = {"task": task_name(task), "args": encode_args(args), "attempts": 0}
    db.execute(insert(_OUTBOX).values(id=job_id, created_at=utcnow(), **row))
    after_commit(db, lambda: hand_over(job_id))


def hand_over(job_id: uuid.UUID) -> bool:
    """Queue the outbox job; a queue that cannot be reached leaves it for the sweep."""
    try:
        run_job(job_id)
    except Exception as exc:  # the queue's own errors vary (redis, sqlite, ...)
        log.warning("job %s left in the outbox, the queue failed: %s", job_id, _brief(exc))
        return False
    return True


@huey.task()
def run_job(job_id: uuid.UUID) -> bool:
    """Run an outbox job, then delete its row. A job already done (handed over twice)
    has no row any more and is skipped; a job that fails keeps its row for the sweep."""
    with unit_of_work(write=False) as db:
        job = db.execute(
            select(_OUTBOX.c.task, _OUTBOX.c.args).where(_OUTBOX.c.id == job_id)
        ).one_or_none()
    if job is None:
        return False
    _task_class(job.task)(args=tuple(decode_args(job.args))).execute()
    with unit_of_work() as db:
        db.execute(delete(_OUTBOX).where(_OUTBOX.c.id == job_id))
    return True


@huey.periodic_task(crontab(minute="*"))
def requeue_jobs() -> int:
    """Every minute: hand over again the outbox jobs that have not run in time (the queue
    was down at commit, or lost them). Stops at the first failed hand-over."""
    settings = get_settings()
    due_before = utcnow() - timedelta(seconds=settings.job_requeue_seconds)
    with unit_of_work(write=False) as db:
        due = db.scalars(
            select(_OUTBOX.c.id)
            .where(
                func.coalesce(_OUTBOX.c.queued_at, _OUTBOX.c.created_at) < due_before,
                _OUTBOX.c.attempts < settings.job_attempts,
            )
            .order_by(_OUTBOX.c.created_at)
            .limit(500)
        ).all()
    handed: list[uuid.UUID] = []
    for job_id in due:
        # Counted before the hand-over: a job that keeps failing stops after its attempts.
        with unit_of_work() as db:
            db.execute(
                update(_OUTBOX)
                .where(_OUTBOX.c.id == job_id)
                .values(attempts=_OUTBOX.c.attempts + 1, queued_at=utcnow())
            )
        if not hand_over(job_id):
            break
        handed.append(job_id)
    if handed:
        log.info("handed %s outbox jobs to the queue again", len(handed))
    return len(handed)


def task_name(task: TaskWrapper) -> str:
    return f"{task.task_class.__module__}.{task.task_class.__name__}"


def _task_class(name: str) -> Any:
    return huey._registry.string_to_task(name)


def encode_args(args: Iterable[Any]) -> list[Any]:
    """Job arguments as JSON: ids (UUIDs) and plain values only."""
    encoded: list[Any] = []
    for value in args:
        if isinstance(value, uuid.UUID):
            encoded.append({"uuid": str(value)})
        elif value is None or isinstance(value, str | int | float | bool):
            encoded.append(value)
        else:
            raise TypeError(f"a job takes ids and plain values, not {type(value).__name__}")
    return encoded


def decode_args(encoded: list[Any]) -> list[Any]:
    return [uuid.UUID(v["uuid"]) if isinstance(v, dict) else v for v in encoded]


def _brief(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


def fan_out(task: Callable[..., Any], ids: Iterable[Any]) -> int:
    """Queue one job per id (a periodic sweep's second half)."""
    count = 0
    for item in ids:
        task(item)
        count += 1
    return count


def once(job: Callable[[], bool]) -> bool:
    """Run an idempotent job; another worker having done it already is not an error."""
    try:
        return job()
    except (Conflict, StaleDataError, IntegrityError) as exc:
        log.info("job skipped, the case changed meanwhile: %s", exc)
        return False
