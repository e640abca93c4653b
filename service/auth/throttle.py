"""Sign-in throttles shared by every app process: the ``limits`` library's fixed
window, counted in Redis when configured, else in the database (``rate_counters``).

The database counters live in the request's own unit of work; a failed attempt is
kept because its error commits before it is raised (``DomainError.keep_changes``).
"""

import math
import time
from datetime import datetime, timedelta
from functools import lru_cache

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.core.errors import TooManyRequests
from service.core.settings import get_settings
from service.models.auth import RateCounter


class DatabaseStorage(Storage):
    """``limits`` storage on the service's database, inside a unit of work."""

    STORAGE_SCHEME = None

    def __init__(self, db: Session) -> None:
        super().__init__()
        self.db = db

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def _live(self, key: str) -> tuple[int, datetime] | None:
        row = self.db.execute(
            select(RateCounter.count, RateCounter.expires_at).where(
                RateCounter.key == key, RateCounter.expires_at > utcnow()
            )
        ).first()
        return (row[0], row[1]) if row else None

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """One atomic upsert, so concurrent failures on PostgreSQL all count."""
        now = utcnow()
        ends = now + timedelta(seconds=expiry)
        postgres = self.db.get_bind().dialect.name == "postgresql"
        insert = postgresql.insert if postgres else sqlite.insert
        expired = RateCounter.expires_at <= now
        stmt = (
            insert(RateCounter)
            .values(key=key, count=amount, expires_at=ends)
            .on_conflict_do_update(
                index_elements=[RateCounter.key],
                set_={
                    "count": case((expired, amount), else_=RateCounter.count + amount),
                    "expires_at": case((expired, ends), else_=RateCounter.expires_at),
                },
            )
            .returning(RateCounter.count)
        )
        count: int = self.db.execute(stmt).scalar_one()
        return count

    def get(self, key: str) -> int:
        row = self._live(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._live(key)
        return (row[1] if row else utcnow()).timestamp()

    def check(self) -> bool:
        return self.db.scalar(select(1)) == 1

    def reset(self) -> int | None:
        return self.db.execute(delete(RateCounter)).rowcount  # type: ignore[attr-defined,no-any-return]

    def clear(self, key: str) -> None:
        self.db.execute(delete(RateCounter).where(RateCounter.key == key))


@lru_cache
def _redis_storage(url: str) -> Storage:
    return RedisStorage(url)


def _storage(db: Session) -> Storage:
    url = get_settings().redis_url
    return _redis_storage(url) if url else DatabaseStorage(db)


class Throttle:
    """At most ``failures`` failed attempts per key in ``lockout_minutes``; then 429."""

    def __init__(self, db: Session, name: str, failures: int) -> None:
        settings = get_settings()
        self.name = name
        self.item: RateLimitItem = RateLimitItemPerMinute(failures, settings.lockout_minutes)
        self.limiter = FixedWindowRateLimiter(_storage(db))

    def check(self, *keys: str) -> None:
        """Refuse at once while any of ``keys`` is locked out."""
        for key in keys:
            if not self.limiter.test(self.item, self.name, key):
                reset, _ = self.limiter.get_window_stats(self.item, self.name, key)
                wait = max(1, math.ceil(reset - time.time()))
                raise TooManyRequests(
                    f"Too many failed attempts. Try again in {math.ceil(wait / 60)} minute(s).",
                    code="too_many_attempts",
                    retry_after=wait,
                )

    def fail(self, *keys: str) -> None:
        for key in keys:
            self.limiter.hit(self.item, self.name, key)

    def clear(self, key: str) -> None:
        self.limiter.clear(self.item, self.name, key)
