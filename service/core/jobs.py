"""The task queue: Huey on a SQLite file by default, on Redis in production.

Jobs take ids, open their own unit of work and are idempotent. Periodic sweeps only
find what is due and fan out one job per id, so one bad case never holds up or
rolls back the others (``fan_out``). Work for the queue is enqueued after the
surrounding transaction commits (``enqueue``), so a worker never sees uncommitted data.
"""

import logging
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.core.db import after_commit
from service.core.errors import Conflict
from service.core.settings import Settings, get_settings

log = logging.getLogger("service.jobs")


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


def enqueue(db: Session, task: Callable[..., Any], *args: Any) -> None:
    """Queue ``task(*args)`` once the transaction of ``db`` has committed."""
    after_commit(db, lambda: task(*args))


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
