"""Set-based writes of many rows: the bulk path of an import and of bulk screening.

``insert_rows`` writes a list of rows into one table, ``update_rows`` changes many rows
of one table, each row its own values, in one statement. On PostgreSQL an executemany
is one statement per row (psycopg pipelines them; the server still parses, plans and
runs each), so the rows go in one COPY and one ``UPDATE ... FROM unnest(arrays)``;
SQLite runs in-process, where an executemany has no round trips to save.

The values are those a Core statement would take: each column's type turns them into
what the driver sends (``Encrypted`` refuses plaintext, as in any other write), and a
column left out gets its Python-side default. That turning (``formatted``) can be done
ahead, in another thread than the one that writes (an import's next batch).
"""

import gc
import json
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, overload

from psycopg.types.json import Json
from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Table,
    TypeDecorator,
    Uuid,
    any_,
    bindparam,
    func,
    literal,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import iterate, replacement_traverse
from uuid6 import uuid7

Processor = Callable[[Any], Any] | None


def new_ids(count: int) -> list[uuid.UUID]:
    """``count`` time-ordered (version 7) UUIDs, each later than the one before: the
    ids of rows written in bulk (an import's cases). Every index on such an id then
    grows at its end, as on a counter, where random (version 4) ids put each new key on
    a random page of an index that outgrows the cache. With 150,000 cases SQLite's
    writes took a quarter less time (bench/README.md). Still unguessable: 74 of the 128
    bits are random (``secrets``), none a counter."""
    return [uuid7() for _ in range(count)]


@dataclass(frozen=True)
class Formatted(Sequence[dict[str, Any]]):
    """Rows of one table in the form the driver takes (``formatted``): each column's
    bind processor applied, the columns left out that have a Python-side default made.
    An import formats its next batch this way in the thread that prepares it, so the
    thread that writes only hands the values to the driver. Read as a sequence, it is
    still the rows as given."""

    rows: Sequence[dict[str, Any]]
    dialect: str
    columns: tuple[str, ...]
    values: list[tuple[Any, ...]]

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)


def formatted(dialect: Dialect, model: type[Any], rows: Sequence[dict[str, Any]]) -> Formatted:
    """``rows`` (every row with the same keys; encrypted values sealed, or refused here)
    formatted for ``insert_rows`` on a database of ``dialect``."""
    if isinstance(rows, Formatted) and rows.dialect == dialect.name:
        return rows
    table = _table(model)
    keys = tuple(k for k in rows[0] if k in table.c) if rows else ()  # others are ignored
    columns, defaults = _plan(table, dialect, keys)
    given = [(k, _once_per_value(p) if _repeats(table, k) else p) for k, p in columns[: len(keys)]]
    values: list[tuple[Any, ...]]
    if all(p is None for _, p in columns) and not defaults:
        values = [tuple([row[k] for k in keys]) for row in rows]
    else:
        values = [
            tuple([row[k] if p is None else p(row[k]) for k, p in given] + [m() for m in defaults])
            for row in rows
        ]
    return Formatted(rows, dialect.name, tuple(c for c, _ in columns), values)


def insert_rows(db: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (every row with the same keys; encrypted values sealed by the
    caller), or rows ``formatted`` ahead, into the model's table without the ORM's work
    per row."""
    if not rows:
        return
    connection = db.connection()
    table = _table(model)
    ready = formatted(connection.dialect, model, rows)
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.quote(c) for c in ready.columns)
    into = f"{preparer.format_table(table)} ({names})"
    if connection.dialect.name == "postgresql":
        _copy(connection, f"COPY {into} FROM STDIN", ready.values)
    else:  # SQLite in-process: an executemany has no round trips to save
        marks = ", ".join("?" * len(ready.columns))
        # The names are the table's own, quoted by the dialect; the values are bound.
        statement = f"INSERT INTO {into} VALUES ({marks})"  # noqa: S608
        connection.exec_driver_sql(statement, ready.values)


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _copy(connection: Connection, statement: str, values: list[tuple[Any, ...]]) -> None:
    # Seen by the engine's statement listeners like any other statement.
    connection.dispatch.before_cursor_execute(connection, None, statement, {}, None, True)
    cursor = connection.connection.cursor()
    try:
        # The values were formatted when their batch was prepared, so the driver's own
        # writer sends them as they come. A sending thread of its own (psycopg's
        # QueuedLibpqWriter) only took turns for Python's lock with the preparing
        # thread: an import of the backlog 6-17 % slower with it (bench/README.md).
        with cursor.copy(statement) as copy:
            write = copy.write_row
            for row in values:
                write(row)
    finally:
        cursor.close()


def _repeats(table: Table, key: str) -> bool:
    """A column whose values repeat across a batch: its times (one clock reading per
    batch) and dates."""
    kind = table.c[key].type
    return isinstance(kind.impl if isinstance(kind, TypeDecorator) else kind, (DateTime, Date))


def _once_per_value(process: Processor) -> Processor:
    """``process`` run once per distinct value (in one ``formatted`` call)."""
    if process is None:
        return None
    done: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        if value is None:
            return process(value)
        # One instant in two zones is equal, but need not be stored alike.
        key = (value, getattr(value, "tzinfo", None))
        made = done.get(key, done)
        if made is done:
            made = done[key] = process(value)
        return made

    return once


@lru_cache(maxsize=256)
def _plan(
    table: Table, dialect: Dialect, keys: tuple[str, ...]
) -> tuple[list[tuple[str, Processor]], list[Callable[[], Any]]]:
    """The columns an insert writes (the rows' keys, then the columns left out that have
    a Python-side default) with each one's bind processor, and how to make those defaults."""
    columns: list[tuple[str, Processor]] = [(k, _processor(table, dialect, k)) for k in keys]
    defaults: list[Callable[[], Any]] = []
    for column in table.columns:
        default = column.default
        if column.name in keys or default is None:
            continue
        process = _processor(table, dialect, column.name)
        columns.append((column.name, process))
        defaults.append(_default_maker(default.arg, default.is_callable, process))  # type: ignore[attr-defined]
    return columns, defaults


def _default_maker(arg: Any, is_callable: bool, process: Processor) -> Callable[[], Any]:
    def make() -> Any:
        value = arg(None) if is_callable else arg  # SQLAlchemy wraps a callable to take a context
        return value if process is None else process(value)

    return make


def _processor(table: Table, dialect: Dialect, key: str) -> Processor:
    """The column's bind processor, and for a COPY's two costly kinds of value their text
    (the driver would make the same text with a dumper written in Python, per value)."""
    kind = table.c[key].type
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    if dialect.name != "postgresql":
        return process
    if isinstance(kind, Uuid):
        return _uuid_text if process is None else lambda value: _uuid_text(process(value))
    if isinstance(kind, JSON) and process is not None:
        return lambda value: _json_text(process(value))
    return process


def _uuid_text(value: Any) -> Any:
    # 32 hex digits: a form PostgreSQL reads as a uuid, cheaper to make than str(value).
    return value.hex if isinstance(value, uuid.UUID) else value


_JSON_TEXTS: dict[tuple[str, ...], str] = {}  # an import's lists of texts repeat


def _json_text(value: Any) -> Any:
    """A JSON column's text as the driver dumps it (``json.dumps`` of the wrapped value)."""
    if not isinstance(value, Json) or value.dumps is not None:
        return value
    obj = value.obj
    if type(obj) is list and all(type(item) is str for item in obj):
        key = tuple(obj)
        text = _JSON_TEXTS.get(key)
        if text is None:
            if len(_JSON_TEXTS) > 4096:
                _JSON_TEXTS.clear()
            text = _JSON_TEXTS[key] = json.dumps(obj)
        return text
    return json.dumps(obj)


def update_rows(
    db: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    match: dict[str, str],
    values: dict[str, Any],
) -> int:
    """Update many rows of ``table`` in one statement; the number of rows it changed.

    ``match``: the columns that pick each row, as {column: key of the row's value}
    (e.g. ``{"id": "b_id"}``); ``values``: {column: what it is set to}, each an SQL
    expression in which ``bindparam(key)`` stands for the row's own value of ``key``
    (every row has the same keys). PostgreSQL: the rows as arrays, one
    ``UPDATE ... FROM unnest(...)``; SQLite: one executemany."""
    if not rows:
        return 0
    connection = db.connection()
    if connection.dialect.name != "postgresql":
        where = [table.c[column] == bindparam(key) for column, key in match.items()]
        result = connection.execute(update(table).where(*where).values(values), list(rows))
        return result.rowcount
    keys = tuple(rows[0])
    types = {key: _key_type(table, key, match, values) for key in keys}
    # The psycopg dialect casts each array to its type: unnest knows what it returns.
    arrays = (
        func.unnest(*(bindparam(f"{key}_all", type_=ARRAY(types[key])) for key in keys))
        .table_valued(*keys)
        .render_derived()
    )
    statement = (
        update(table)
        .where(*(table.c[column] == arrays.c[key] for column, key in match.items()))
        .values({column: _from(arrays, value) for column, value in values.items()})
    )
    parameters = {f"{key}_all": [row[key] for row in rows] for key in keys}
    return connection.execute(statement, parameters).rowcount


def _key_type(table: Table, key: str, match: dict[str, str], values: dict[str, Any]) -> Any:
    """The SQL type of a row key: that of the column it matches or is written to."""
    for column, matched in match.items():
        if matched == key:
            return table.c[column].type
    for column, value in values.items():
        if key in {p.key for p in _bindparams(value)}:
            return table.c[column].type
    raise ValueError(f"{key!r} is neither matched on nor written")


def _bindparams(value: Any) -> list[Any]:
    return [e for e in iterate(value) if getattr(e, "__visit_name__", "") == "bindparam"]


def _from(arrays: Any, value: Any) -> Any:
    """``value`` with each ``bindparam(key)`` replaced by the unnested column ``key``."""

    def swap(element: Any, **_: Any) -> Any:
        if getattr(element, "__visit_name__", "") == "bindparam" and element.key in arrays.c:
            return arrays.c[element.key]
        return None

    if not isinstance(value, ClauseElement):
        return value
    return replacement_traverse(value, {}, swap)


def among(db: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN (values)`` for the many ids of a batch. PostgreSQL: one array
    parameter (``= ANY``), so the statement's text is the same whatever the count
    (an IN list of a thousand parameters is a new statement for the driver to parse
    each time); elsewhere an IN list."""
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


_left_alone = threading.Lock()
_holders = 0  # the uses of older_objects_left_alone under way (nested, or in other threads)
_froze = False  # whether the outermost one froze the heap (it was not frozen before)


@contextmanager
def older_objects_left_alone() -> Iterator[None]:
    """Bulk work keeps a batch's rows (hundreds of thousands of objects) alive at once,
    and each time so many survive, Python's cycle collector walks the whole heap: every
    module, the ORM's mappings, ... (a fifth of an import's time). Meanwhile the objects
    that were there before are left out of its walks (``gc.freeze``), and put back after
    (unless they were frozen already: then they stay so).

    Only the outermost use looks whether the heap is frozen: ``gc.get_freeze_count``
    counts the frozen objects one by one (milliseconds for the service's heap), so an
    import holds this once for the whole file and its batches' uses cost nothing."""
    global _holders, _froze
    with _left_alone:
        if _holders == 0:
            _froze = not gc.get_freeze_count()
            if _froze:
                gc.freeze()
        _holders += 1
    try:
        yield
    finally:
        with _left_alone:
            _holders -= 1
            if _holders == 0 and _froze:
                gc.unfreeze()
                _froze = False
