"""Appending to the audit trail, sealing it and checking it (docs/security.md, "Audit
trail").

Writers take no lock that another writer waits for. Each entry gets its ``seq`` from the
database, a number from its writer (one per process: 1, 2, 3, ... over the entries it
committed) and a digest of its own content. One sealer chains the entries in batches
(``seal``: a Huey job every few seconds, or ``hearing audit seal``); ``verify`` checks
every seal, every digest and every writer's numbering, and reports the unsealed window.

- An entry edited later no longer matches its digest (or, with a new digest, its seal).
- An entry deleted later leaves a gap in its writer's numbers, and breaks its seal.
- A rolled-back append is not a deletion: its writer's number is given back and used by
  the writer's next entry (the database's own ``seq`` may skip; it is not checked for
  gaps).
"""

import hashlib
import itertools
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

from sqlalchemy import Insert, Table, bindparam, event, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.db import begin_writing
from service.models.audit import AuditEntry, AuditSeal

log = logging.getLogger("service.audit")

GENESIS = "0" * 64
# Held SHARED by every writer's transaction on PostgreSQL (no one ever takes it
# exclusively, so no writer waits): the sealer sees in pg_locks which appends are in
# flight ("audt" in ASCII; fits pg_locks.objid).
WRITING = 0x61756474
OUTCOMES = {200: "ok", 401: "unauthenticated", 403: "forbidden", 404: "not_found"}
HASHED = (
    "at",
    "actor_id",
    "actor_role",
    "action",
    "case_id",
    "subject",
    "request_id",
    "purpose",
    "outcome",
    "status",
    "writer",
    "writer_seq",
)
# The sealer runs this often; verify warns when the oldest unsealed entry is older than
# UNSEALED_WARNING (the sealer is not running, or is held up).
SEAL_INTERVAL_SECONDS = 5
UNSEALED_WARNING = timedelta(minutes=2)
# A writer's gap whose neighbours are this recent may be an append still committing.
SETTLE = timedelta(seconds=10)
SEAL_BATCH = 50_000
PENDING = "audit_pending_numbers"


def outcome_of(status: int) -> str:
    if status in OUTCOMES:
        return OUTCOMES[status]
    return "ok" if status < 400 else "refused" if status < 500 else "failed"


def entry_digest(entry: AuditEntry) -> str:
    """SHA-256 of the entry's canonical content (its ``seq`` is the seal's to cover)."""
    return digest_of({name: getattr(entry, name) for name in HASHED})


def digest_of(values: Mapping[str, Any]) -> str:
    """``entry_digest`` of an entry's column values (before it is written)."""
    content: dict[str, Any] = {name: values[name] for name in HASHED}
    content["at"] = values["at"].isoformat()
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- the writer --------------------------------------------------------------------------


class Writer:
    """This process's numbering: 1, 2, 3, ... over the entries it commits. A number
    whose transaction rolled back is given back and used again by the next append."""

    def __init__(self) -> None:
        self.id = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._counter = itertools.count(1)
        self._returned: list[int] = []
        self._lock = threading.Lock()  # held for a list operation, never across I/O

    def take(self) -> int:
        with self._lock:
            if self._returned:
                self._returned.sort()
                return self._returned.pop(0)
            return next(self._counter)

    def give_back(self, numbers: list[int]) -> None:
        with self._lock:
            self._returned.extend(numbers)


_writer = Writer()


def writer() -> Writer:
    return _writer


def new_writer() -> Writer:
    """Start a new numbering (a forked child; tests that start from an empty trail)."""
    global _writer
    _writer = Writer()
    return _writer


os.register_at_fork(after_in_child=new_writer)


@event.listens_for(Session, "after_commit")
def _numbers_used(session: Session) -> None:
    session.info.pop(PENDING, None)


@event.listens_for(Session, "after_soft_rollback")
def _numbers_unused(session: Session, _previous: Any) -> None:
    if session.in_transaction():
        return  # a savepoint: the outer transaction may still commit
    pending: list[tuple[Writer, int]] | None = session.info.pop(PENDING, None)
    for owner, number in pending or []:
        # Logged: should the process end before it uses the number again, verify
        # reports the gap, and this line explains it.
        log.warning("audit entry %s/%s rolled back; its number is used again", owner.id, number)
        owner.give_back([number])


class Details(TypedDict, total=False):
    """What an entry says besides who and what (all optional)."""

    case_id: uuid.UUID | None
    subject: str
    purpose: str
    request_id: str
    status: int


def append(db: Session, actor: Actor | None, action: str, **details: Unpack[Details]) -> AuditEntry:
    """Add one entry (in the caller's transaction); it is sealed within seconds."""
    values = note(db, actor, action, **details)
    return db.scalars(
        select(AuditEntry).where(
            AuditEntry.writer == values["writer"], AuditEntry.writer_seq == values["writer_seq"]
        )
    ).one()


def note(
    db: Session, actor: Actor | None, action: str, **details: Unpack[Details]
) -> dict[str, Any]:
    """``append`` without reading the entry back: the request's entry, the busiest writer
    of the trail. One statement built once (no ORM object; on PostgreSQL it takes the
    ``WRITING`` lock too); returns the entry's columns but ``seq``.

    The writer's number is given back should the caller's transaction roll back."""
    owner = writer()
    number = owner.take()
    db.info.setdefault(PENDING, []).append((owner, number))
    status = details.get("status", 200)
    values: dict[str, Any] = {
        "at": utcnow(),
        "actor_id": actor.user_id if actor else None,
        "actor_role": actor.role if actor else "anonymous",
        "action": action,
        "case_id": details.get("case_id"),
        "subject": details.get("subject", "")[:200],
        "request_id": details.get("request_id", "")[:64],
        "purpose": details.get("purpose", ""),
        "outcome": outcome_of(status),
        "status": status,
        "writer": owner.id,
        "writer_seq": number,
    }
    values["digest"] = digest_of(values)
    connection = db.connection()
    postgres = connection.dialect.name == "postgresql"
    connection.execute(_NOTE_POSTGRES if postgres else _NOTE, values)
    return values


def _note_statements() -> tuple[Insert, Insert]:
    """``note``'s INSERT, and on PostgreSQL the same INSERT that first takes the
    ``WRITING`` lock: a CTE the insert's one row is drawn from (materialised, as it calls
    a volatile function), so the lock is held before ``seq`` is drawn, in one round
    trip instead of two."""
    table = AuditEntry.__table__
    assert isinstance(table, Table)
    names = ["digest", *HASHED]
    columns = [table.c[name] for name in names]
    plain = insert(table).values({c.key: bindparam(c.key, type_=c.type) for c in columns})
    writing = (
        select(func.pg_advisory_xact_lock_shared(WRITING).label("held"))
        .cte("writing")
        .prefix_with("MATERIALIZED")
    )
    row = select(*(bindparam(c.key, type_=c.type) for c in columns)).select_from(writing)
    return plain, insert(table).from_select(names, row)


_NOTE, _NOTE_POSTGRES = _note_statements()


# --- the sealer --------------------------------------------------------------------------


def entries_hash(pairs: Sequence[tuple[int, str]]) -> str:
    """The hash a seal keeps of its entries: their numbers and digests in order."""
    digest = hashlib.sha256()
    for seq, entry_digest_ in pairs:
        digest.update(f"{seq}:{entry_digest_}\n".encode())
    return digest.hexdigest()


def seal_hash(seal: AuditSeal) -> str:
    content = {
        "number": seal.number,
        "after_seq": seal.after_seq,
        "last_seq": seal.last_seq,
        "count": seal.count,
        "entries_hash": seal.entries_hash,
        "sealed_at": seal.sealed_at.isoformat(),
        "previous_hash": seal.previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def last_seal(db: Session) -> AuditSeal | None:
    return db.scalars(select(AuditSeal).order_by(AuditSeal.number.desc()).limit(1)).first()


def settled_high(db: Session, wait_seconds: float = 5.0) -> int | None:
    """The highest ``seq`` below which no append can still commit, or None when appends
    in flight did not end within ``wait_seconds``.

    SQLite commits writers one at a time, in the order of their numbers. On PostgreSQL a
    transaction may take seq 7, another seq 8 and commit first: read the highest
    committed number and, in the same statement, which appends are in flight (holders of
    the WRITING lock, taken before their number); once those ended, nothing at or below
    that number can still appear. ``pg_locks`` shows the whole cluster, and advisory locks
    belong to one database: only this database's writers count."""
    if db.get_bind().dialect.name != "postgresql":
        return int(db.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0))) or 0)
    high, in_flight = db.execute(
        text(
            "SELECT (SELECT coalesce(max(seq), 0) FROM audit_entries),"
            " coalesce(array_agg(virtualtransaction), '{}') FROM pg_locks"
            " WHERE locktype = 'advisory' AND classid = 0 AND objid = :key AND objsubid = 1"
            " AND pid <> pg_backend_pid()"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"key": WRITING},
    ).one()
    deadline = time.monotonic() + wait_seconds
    while in_flight:
        db.commit()  # a fresh look at pg_locks (READ COMMITTED sees it anyway)
        in_flight = db.scalars(
            text(
                "SELECT virtualtransaction FROM pg_locks WHERE locktype = 'advisory'"
                " AND classid = 0 AND objid = :key AND objsubid = 1"
                " AND virtualtransaction = ANY(:waiting)"
            ),
            {"key": WRITING, "waiting": list(in_flight)},
        ).all()
        if in_flight and time.monotonic() > deadline:
            return None
        if in_flight:
            time.sleep(0.01)
    return int(high)


@dataclass(frozen=True)
class Sealed:
    seals: int = 0
    entries: int = 0
    refused: str = ""


def seal(db: Session, *, batch: int = SEAL_BATCH) -> Sealed:
    """Seal every settled entry after the last seal, ``batch`` at a time (one sealer:
    a second one at the same time fails on the seal's number and seals nothing)."""
    high = settled_high(db)
    db.commit()
    begin_writing(db)
    if high is None:
        return Sealed(refused="appends in flight did not end; try again")
    seals = entries = 0
    while True:
        previous = last_seal(db)
        after = previous.last_seq if previous else 0
        rows = list(
            db.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq > after, AuditEntry.seq <= high)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
        )
        if not rows:
            return Sealed(seals, entries)
        changed = next((e for e in rows if entry_digest(e) != e.digest), None)
        if changed is not None:
            log.error("audit entry %s does not match its digest: not sealed", changed.seq)
            return Sealed(seals, entries, f"entry {changed.seq} does not match its digest")
        new = AuditSeal(
            number=previous.number + 1 if previous else 1,
            after_seq=after,
            last_seq=rows[-1].seq,
            count=len(rows),
            entries_hash=entries_hash([(e.seq, e.digest) for e in rows]),
            sealed_at=utcnow(),
            previous_hash=previous.hash if previous else GENESIS,
        )
        new.hash = seal_hash(new)
        db.add(new)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            return Sealed(seals, entries, "another sealer sealed these entries")
        seals, entries = seals + 1, entries + len(rows)
        db.expunge_all()
        begin_writing(db)


# --- checking ----------------------------------------------------------------------------


@dataclass
class Verdict:
    """What ``verify`` found: ``problems`` empty means every check held."""

    checked: int = 0
    sealed: int = 0
    seals: int = 0
    unsealed: int = 0
    oldest_unsealed: datetime | None = None
    problems: list[str] = field(default_factory=list)
    # The seq of the first entry (or the last seq of the first seal) found wrong.
    broken_at: int | None = None
    pending_gaps: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)

    def unsealed_seconds(self, now: datetime | None = None) -> float:
        if self.oldest_unsealed is None:
            return 0.0
        return ((now or utcnow()) - self.oldest_unsealed).total_seconds()

    def _broken(self, seq: int | None, problem: str) -> None:
        if self.broken_at is None:
            self.broken_at = seq
        self.problems.append(problem)


def _entries(db: Session, batch: int) -> Iterator[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    yield from db.scalars(query)


def verify(
    db: Session,
    batch: int = 1000,
    now: datetime | None = None,
    settle: timedelta = SETTLE,
) -> Verdict:
    """Check every seal's chain and contents, every entry's digest and every writer's
    numbering; report the unsealed entries (how many, since when)."""
    verdict = Verdict()
    seals = iter(list(db.scalars(select(AuditSeal).order_by(AuditSeal.number))))
    current = next(seals, None)
    previous_hash, previous_last, expected_number = GENESIS, 0, 1
    pairs: list[tuple[int, str]] = []

    def close(seal_: AuditSeal) -> None:
        nonlocal previous_hash, previous_last, expected_number
        where = f"seal {seal_.number} (entries {seal_.after_seq + 1}-{seal_.last_seq})"
        if seal_.number != expected_number:
            verdict._broken(seal_.last_seq, f"seal {expected_number} is missing")
        elif seal_.previous_hash != previous_hash or seal_.after_seq != previous_last:
            verdict._broken(seal_.last_seq, f"{where} does not follow from the seal before")
        elif seal_hash(seal_) != seal_.hash:
            verdict._broken(seal_.last_seq, f"{where} was changed after it was written")
        elif len(pairs) != seal_.count or entries_hash(pairs) != seal_.entries_hash:
            verdict._broken(
                seal_.last_seq,
                f"{where}: entries were changed, removed or added after sealing "
                f"({len(pairs)} found, {seal_.count} sealed)",
            )
        verdict.seals += 1
        verdict.sealed += len(pairs)
        previous_hash, previous_last = seal_.hash, seal_.last_seq
        expected_number = seal_.number + 1
        pairs.clear()

    for entry in _entries(db, batch):
        while current is not None and entry.seq > current.last_seq:
            close(current)
            current = next(seals, None)
        verdict.checked += 1
        actual = entry_digest(entry)
        if actual != entry.digest:
            verdict._broken(entry.seq, f"entry {entry.seq}: its content was changed")
        if current is not None:
            # An entry given a fresh digest after an edit no longer matches its seal.
            pairs.append((entry.seq, actual))
        else:
            verdict.unsealed += 1
            if verdict.oldest_unsealed is None or entry.at < verdict.oldest_unsealed:
                verdict.oldest_unsealed = entry.at
    while current is not None:
        close(current)
        current = next(seals, None)
    _check_numbering(db, verdict, now or utcnow(), settle)
    return verdict


def _check_numbering(db: Session, verdict: Verdict, now: datetime, settle: timedelta) -> None:
    """Every writer's numbers run 1..n: a gap is a deleted entry (or, within ``settle``
    of the entry after it, an append still committing)."""
    counts = db.execute(
        select(
            AuditEntry.writer,
            func.count(),
            func.max(AuditEntry.writer_seq),
        ).group_by(AuditEntry.writer)
    ).all()
    for name, count, highest in counts:
        if count == highest:
            continue
        numbered = db.execute(
            select(AuditEntry.writer_seq, AuditEntry.seq, AuditEntry.at)
            .where(AuditEntry.writer == name)
            .order_by(AuditEntry.writer_seq)
        ).all()
        expected = 1
        for number, seq, at in numbered:
            if number > expected:
                missing = f"{expected}" if number == expected + 1 else f"{expected}-{number - 1}"
                if now - at < settle:
                    verdict.pending_gaps += 1
                else:
                    verdict._broken(
                        seq, f"writer {name}: entry {missing} is missing (before entry {seq})"
                    )
            expected = number + 1


def head(db: Session) -> AuditSeal | None:
    """The latest seal: its number and hash, to anchor outside this database."""
    return last_seal(db)


def entries_for_case(
    db: Session, case_id: uuid.UUID, limit: int = 500, before: int | None = None
) -> Sequence[AuditEntry]:
    """Who looked at (or tried to reach) a case, newest first, a page at a time: the
    ``limit`` entries numbered below ``before``."""
    query = select(AuditEntry).where(AuditEntry.case_id == case_id)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    return db.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit)).all()


def access_log(
    db: Session, case_id: uuid.UUID, limit: int = 500, before: int | None = None
) -> list[tuple[AuditEntry, str | None]]:
    """The case's entries with the display name of whoever made each, newest first."""
    from service.models.auth import User

    entries = entries_for_case(db, case_id, limit, before)
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    names = dict(db.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
    return [(e, names.get(e.actor_id) if e.actor_id else None) for e in entries]
