"""Re-sealing stored values under the active data key (``hearing keys rotate``).

Each batch is its own short transaction, so rotation can stop and resume at any point
and runs beside the service: a row is rewritten only if it still holds the ciphertext
that was read (compare and set); a row the service changed meanwhile was sealed under
the active key by the service itself.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, MetaData, Table, Text, and_, func, or_, select, type_coerce, update
from sqlalchemy.orm import Session

from service.core.crypto import Encrypted, Sealed, encrypted_tables, get_keyring, open_at, seal_at


@dataclass(frozen=True)
class Place:
    """One encrypted column of one table."""

    table: Table
    columns: list[Column[Any]]

    @property
    def name(self) -> str:
        return self.table.name


def places(metadata: MetaData) -> Iterator[Place]:
    for table, columns in encrypted_tables(metadata):
        yield Place(table, columns)


def _raw(column: Column[Any]) -> Any:
    return type_coerce(column, Text)


def _stale(place: Place, active: str) -> Any:
    prefix = f"{active}:"
    return or_(
        *(
            and_(column.is_not(None), func.substr(_raw(column), 1, len(prefix)) != prefix)
            for column in place.columns
        )
    )


def rotate_batch(db: Session, place: Place, size: int) -> tuple[int, int]:
    """Re-seal up to ``size`` rows of ``place`` not yet under the active key.

    Returns (rows read, rows rewritten); fewer rewritten than read means the service
    changed some rows meanwhile (they need no work) or they are being written now.
    """
    active = get_keyring().active
    table = place.table
    bound = {n for c in place.columns if isinstance(c.type, Encrypted) for n in c.type.bound_to}
    named = [table.c[n] for n in sorted(bound - {"id"})]
    rows = db.execute(
        select(table.c.id, *named, *place.columns).where(_stale(place, active)).limit(size)
    ).all()
    rewritten = 0
    for row in rows:
        values: dict[str, Sealed | None] = {}
        unchanged = [table.c.id == row.id]
        for column in place.columns:
            sealed: Sealed | None = row._mapping[column.name]
            if sealed is None or sealed.key_id == active:
                continue
            assert isinstance(column.type, Encrypted)
            kind, at = column.type.kind, column.type.place(row._mapping)
            plain = open_at(kind, table.name, column.name, at, sealed)
            values[column.name] = seal_at(kind, table.name, column.name, at, plain)
            unchanged.append(_raw(column) == sealed.token)
        if values:
            result = db.execute(update(table).where(*unchanged).values(**values))
            rewritten += result.rowcount  # type: ignore[attr-defined]
    return len(rows), rewritten


def _key_id(db: Session, column: Column[Any]) -> Any:
    raw = _raw(column)
    if db.get_bind().dialect.name == "postgresql":
        return func.split_part(raw, ":", 1)
    return func.substr(raw, 1, func.instr(raw, ":") - 1)


def key_use(db: Session, metadata: MetaData) -> Counter[str]:
    """How many stored values each key id seals, over every encrypted column."""
    counts: Counter[str] = Counter()
    for place in places(metadata):
        for column in place.columns:
            key_id = _key_id(db, column)
            query = select(key_id, func.count()).where(column.is_not(None)).group_by(key_id)
            for kid, count in db.execute(query):
                counts[kid] += count
    return counts
