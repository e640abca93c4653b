"""Sign-in throttles that an attacker cannot turn against the people they guess for.

Every attempt first *reserves* its place in each counter with one atomic increment,
and only then is the password (or code) checked. A reservation over a limit is given
back and the attempt is refused (429 with ``Retry-After``); a right answer gives its
reservations back. So however many attempts arrive at once, at most the limit of them
is evaluated. The counters (numbers in ``Settings``, design in docs/security.md):

- **account and address together**: a few failures, then this pair waits;
- **account alone**: a free budget, then a pace (one attempt per *n* seconds, *n*
  growing by a second a failure up to a minute), never a long lock; an address the
  account signed in from lately is exempt, so guessing from elsewhere never keeps its
  owner out;
- **address alone**: a budget far above what a whole office behind one address needs;
- **kiosk codes**: per registered kiosk device, per booking (a real code tried at the
  wrong kiosk), and per address only for clients that are not a registered kiosk.

The counters live in Redis when it is configured. When Redis cannot be reached they
are kept in the database (``rate_counters``, in the request's unit of work: failures
are committed by ``DomainError.keep_changes``) for a while, and an error is logged:
sign-in keeps working during a Redis outage.
"""

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TypeVar

from limits.storage import RedisStorage, Storage
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.core.errors import TooManyRequests
from service.core.settings import get_settings
from service.models.auth import RateCounter

log = logging.getLogger(__name__)
T = TypeVar("T")
# Redis that does not answer must not hold up a sign-in for long.
REDIS_TIMEOUT_SECONDS = 0.5


class DatabaseStorage(Storage):
    """Counters on the service's database, inside the request's unit of work."""

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
        """One atomic upsert (the row stays locked until the unit of work ends), so
        concurrent attempts on PostgreSQL each see the count before them."""
        now = utcnow()
        if amount < 0:  # giving back: never below zero, never a new row
            given = self.db.execute(
                update(RateCounter)
                .where(RateCounter.key == key, RateCounter.count >= -amount)
                .values(count=RateCounter.count + amount)
                .returning(RateCounter.count)
            ).scalar()
            return int(given or 0)
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
def _redis_storage(url: str) -> RedisStorage:
    return RedisStorage(
        url,
        key_prefix="hearing-throttle",
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )


# Until when (time.monotonic) this process counts in the database: Redis failed.
_redis_down_until = 0.0


def redis_in_use() -> bool:
    """Whether this process counts in Redis now (configured and not failed lately)."""
    return bool(get_settings().redis_url) and time.monotonic() >= _redis_down_until


def _redis_failed(exc: Exception) -> None:
    global _redis_down_until
    seconds = get_settings().throttle_redis_retry_seconds
    _redis_down_until = time.monotonic() + seconds
    log.error(
        "sign-in throttle: Redis is unreachable (%s: %s); counting failed sign-ins in the "
        "database for the next %s seconds",
        type(exc).__name__,
        exc,
        seconds,
    )


class Counters:
    """The counters of one request: Redis, or the database when Redis fails."""

    def __init__(self, db: Session) -> None:
        self.db = db
        url = get_settings().redis_url
        self.storage: Storage = _redis_storage(url) if redis_in_use() else DatabaseStorage(db)

    def _run(self, operation: Callable[[Storage], T]) -> T:
        try:
            return operation(self.storage)
        except Exception as exc:
            if isinstance(self.storage, DatabaseStorage) or not isinstance(
                exc, self.storage.base_exceptions
            ):
                raise
            _redis_failed(exc)
            self.storage = DatabaseStorage(self.db)
            return operation(self.storage)

    def add(self, key: str, seconds: int, amount: int = 1) -> int:
        return self._run(lambda storage: storage.incr(_short(key), seconds, amount))

    def get(self, key: str) -> int:
        return self._run(lambda storage: storage.get(_short(key)))

    def seconds_left(self, key: str) -> int:
        ends = self._run(lambda storage: storage.get_expiry(_short(key)))
        return max(1, math.ceil(ends - time.time()))

    def clear(self, key: str) -> None:
        self._run(lambda storage: storage.clear(_short(key)))


def _short(key: str) -> str:
    """Keys hold usernames and addresses; long ones are hashed to fit the table."""
    if len(key) <= 200:
        return key
    return key.split(":", 1)[0] + ":" + hashlib.sha256(key.encode()).hexdigest()


def _refusal(seconds: int) -> TooManyRequests:
    return TooManyRequests(
        f"Too many failed attempts. Try again in {math.ceil(seconds / 60)} minute(s).",
        code="too_many_attempts",
        retry_after=seconds,
    )


@dataclass
class Attempt:
    """The reservations of one attempt: kept when it fails (they are its failure
    counts), given back when it succeeds."""

    counters: Counters
    reserved: list[tuple[str, int]] = field(default_factory=list)
    on_success: list[Callable[[], None]] = field(default_factory=list)

    def reserve(self, key: str, limit: int | None, seconds: int) -> int:
        """Take a place in ``key``'s window; over ``limit``, refuse (giving all back).
        Returns the count with this attempt."""
        count = self.counters.add(key, seconds)
        self.reserved.append((key, seconds))
        if limit is not None and count > limit:
            wait = self.counters.seconds_left(key)
            self.give_back()
            raise _refusal(wait)
        return count

    def pace(self, key: str, gap: int) -> None:
        """At most one attempt per ``gap`` seconds on ``key``: the first to take the
        slot goes on, the others are refused until it ends."""
        if self.counters.add(key, gap) > 1:
            wait = self.counters.seconds_left(key)
            self.give_back()
            raise _refusal(wait)

    def give_back(self) -> None:
        for key, seconds in reversed(self.reserved):
            self.counters.add(key, seconds, -1)
        self.reserved.clear()

    def succeeded(self) -> None:
        self.give_back()
        for action in self.on_success:
            action()


def sign_in(db: Session, account: str, client: str) -> Attempt:
    """Reserve a password attempt on ``account`` from ``client`` (or refuse: 429)."""
    settings = get_settings()
    counters = Counters(db)
    window = settings.lockout_minutes * 60
    pair = f"sign-in:pair:{account}:{client}"
    known = f"sign-in:known:{account}:{client}"
    by_account = f"sign-in:account:{account}"
    attempt = Attempt(counters)
    attempt.reserve(pair, settings.sign_in_failures, window)
    attempt.reserve(f"sign-in:address:{client}", settings.sign_in_address_failures, window)
    failures = attempt.reserve(by_account, None, settings.sign_in_account_hours * 3600)
    over = failures - settings.sign_in_account_free
    if over > 0 and not counters.get(known):
        attempt.pace(f"sign-in:pace:{account}", min(over, settings.sign_in_pace_max_seconds))

    def remember() -> None:
        counters.clear(pair)
        counters.clear(known)
        counters.add(known, settings.sign_in_known_address_days * 86400)

    attempt.on_success.append(remember)
    return attempt


def second_factor(db: Session, account: str, client: str) -> Attempt:
    """Reserve a code attempt. Only a right password gets here, so the account's own
    limit may lock: whoever tries codes knows the password."""
    settings = get_settings()
    window = settings.lockout_minutes * 60
    attempt = Attempt(Counters(db))
    attempt.reserve(f"second-factor:pair:{account}:{client}", settings.sign_in_failures, window)
    attempt.reserve(f"second-factor:account:{account}", settings.sign_in_failures, window)
    return attempt


def kiosk_code(db: Session, client: str, device: str | None) -> Attempt:
    """Reserve a kiosk-code attempt: on a registered kiosk its own small budget, from
    anywhere else the address's large one."""
    settings = get_settings()
    window = settings.lockout_minutes * 60
    attempt = Attempt(Counters(db))
    if device:
        attempt.reserve(f"kiosk:device:{device}", settings.kiosk_device_failures, window)
    else:
        attempt.reserve(f"kiosk:address:{client}", settings.kiosk_code_failures, window)
    return attempt


def misplaced_code(attempt: Attempt, booking: str) -> None:
    """A booking's real code tried away from its own kiosk: a few times, then 429."""
    settings = get_settings()
    window = settings.lockout_minutes * 60
    attempt.reserve(f"kiosk:booking:{booking}", settings.kiosk_booking_failures, window)


def forget_expired(db: Session) -> int:
    """Counters past their window (in the database; Redis expires its own keys): they
    name accounts and addresses, so they go as soon as they no longer count."""
    result = db.execute(delete(RateCounter).where(RateCounter.expires_at <= utcnow()))
    return int(result.rowcount)  # type: ignore[attr-defined]
