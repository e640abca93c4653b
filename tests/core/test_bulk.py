"""The bulk writes (``service.core.bulk``) take what a Core statement takes: each
column's type, its Python-side default, the refusal of plaintext in an encrypted column;
and a set-based update changes only the rows its match still finds. On SQLite and, with
``HEARING_TEST_DATABASE_URL``, on PostgreSQL (COPY and ``UPDATE ... FROM unnest``)."""

import gc
import itertools
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, Text, bindparam, cast, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from service.cases.schemas import normalise_v_number
from service.core.bulk import (
    Formatted,
    among,
    formatted,
    insert_rows,
    new_ids,
    older_objects_left_alone,
    update_rows,
)
from service.core.crypto import PlaintextRefused, encrypted_columns, seal_value
from service.core.db import BULK_CACHE_KIB, bulk_page_cache
from service.models import Case, Screening, Signal
from service.workflow import CaseState
from tests.conftest import unique_v_number


def test_inserted_rows_get_their_defaults_and_their_types(db, factory):
    case = factory.case()
    db.flush()
    outcomes = ["eligible_preparatory", "eligible_replacing", "excluded"]
    rows = [
        {"case_id": case.id, "policy_version": "p1", "outcome": outcome, "reason": "r"}
        for outcome in outcomes
    ]
    insert_rows(db, Screening, rows)  # no id, screened_at or screened_by_id given
    stored = db.scalars(select(Screening).where(Screening.case_id == case.id)).all()
    assert sorted(s.outcome for s in stored) == outcomes
    assert len({s.id for s in stored}) == 3  # each its own uuid4
    assert all(s.screened_at is not None and s.screened_by_id is None for s in stored)


def test_plaintext_in_an_encrypted_column_is_refused(db, factory):
    case = factory.case()
    db.flush()
    signal_id = uuid.uuid4()
    reason = seal_value(Signal.reason, signal_id, "")
    row = {"id": signal_id, "case_id": case.id, "kind": "nv", "reason": reason}
    with pytest.raises((PlaintextRefused, StatementError)) as refused, db.begin_nested():
        insert_rows(db, Signal, [{**row, "source": "AIVD"}])
    cause = refused.value if isinstance(refused.value, PlaintextRefused) else refused.value.orig
    assert isinstance(cause, PlaintextRefused)
    sealed = {**row, "source": seal_value(Signal.source, signal_id, "AIVD")}
    insert_rows(db, Signal, [sealed])
    assert db.get(Signal, signal_id).source == "AIVD"


def test_a_set_based_update_changes_only_the_rows_it_still_matches(db, factory):
    cases = [factory.case() for _ in range(3)]
    db.flush()
    table = Case.__table__
    assert isinstance(table, Table)
    rows = [
        {"b_id": c.id, "b_source": CaseState.IMPORTED.value, "state": "excluded", "track": None}
        for c in cases
    ]
    rows[2]["b_source"] = CaseState.SCREENED.value  # this one "moved meanwhile"
    values = {"state": bindparam("state"), "track": bindparam("track")}
    updated = update_rows(db, table, rows, {"id": "b_id", "state": "b_source"}, values)
    assert updated == 2
    db.expire_all()
    states = dict(
        db.execute(
            select(Case.id, Case.state).where(among(db, Case.id, [c.id for c in cases]))
        ).all()
    )
    assert [states[c.id] for c in cases] == ["excluded", "excluded", "imported"]


def test_bulk_work_leaves_the_collector_as_it_found_it():
    """While a batch is written the older objects are left out of the collector's walks;
    afterwards they are collected again, unless someone else had frozen them (the app
    does at start-up)."""
    frozen_before = gc.get_freeze_count()  # an app started by an earlier test
    gc.unfreeze()
    try:
        with older_objects_left_alone():
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() == 0
        gc.freeze()
        frozen = gc.get_freeze_count()
        with older_objects_left_alone():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
        if frozen_before:
            gc.freeze()


def test_a_row_written_in_bulk_is_stored_as_the_orm_stores_it(db, factory):
    """Every column's stored text (the JSON lists', the uuids' too: the COPY sends those
    in forms of its own) is that of the same values written through the ORM."""
    case = factory.case(languages=["ar", "en"], coordinator_motives=["lgbti"])
    db.flush()
    table = Case.__table__
    assert isinstance(table, Table)
    row = dict(db.execute(select(table).where(table.c.id == case.id)).mappings().one())
    copy_id = uuid.uuid4()
    other = normalise_v_number(unique_v_number())
    insert_rows(db, Case, [{**row, "id": copy_id, "v_number": other}])
    compared = [c for c in table.columns if c.name not in ("id", "v_number")]
    as_text = select(*(cast(c, Text) for c in compared))
    orm = db.execute(as_text.where(table.c.id == case.id)).one()
    bulk = db.execute(as_text.where(table.c.id == copy_id)).one()
    assert bulk == orm
    assert orm[[c.name for c in compared].index("languages")] == '["ar", "en"]'


def test_an_import_has_a_larger_sqlite_page_cache_while_it_writes(db):
    """SQLite: the import's connection gets ``BULK_CACHE_KIB`` of page cache, and its own
    size back after (PostgreSQL: nothing changes)."""
    connection = db.connection()
    if connection.dialect.name != "sqlite":
        with bulk_page_cache(db):
            pass
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    with bulk_page_cache(db):
        during = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    assert during == -BULK_CACHE_KIB
    assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == before
    assert before != during


def test_rows_formatted_ahead_are_stored_as_the_rows_themselves(db, factory):
    """An import formats its next batch for the driver in the thread that prepares it
    (``formatted``): written, such rows are stored exactly as the same rows handed to
    ``insert_rows`` as they are; rows formatted for another database's driver are
    formatted again for this one."""
    case = factory.case(languages=["fa", "en"], coordinator_motives=["lgbti"])
    db.flush()
    table = Case.__table__
    assert isinstance(table, Table)
    row = dict(db.execute(select(table).where(table.c.id == case.id)).mappings().one())
    here = db.get_bind().dialect
    elsewhere = sqlite.dialect() if here.name == "postgresql" else postgresql.psycopg.dialect()
    copies = {}
    for way in ("as they are", "formatted here", "formatted elsewhere"):
        copy_id = uuid.uuid4()
        copy = {**row, "id": copy_id, "v_number": normalise_v_number(unique_v_number())}
        for key, column in encrypted_columns(Case.__mapper__):
            copy[key] = seal_value(column, copy_id, getattr(case, key))
        rows = [copy]
        if way == "formatted here":
            rows = formatted(here, Case, rows)
            assert isinstance(rows, Formatted)
            assert rows[0] is copy
        elif way == "formatted elsewhere":
            rows = formatted(elsewhere, Case, rows)
        insert_rows(db, Case, rows)
        copies[way] = copy_id
    sealed = {key for key, _ in encrypted_columns(Case.__mapper__)}  # each its own nonce
    compared = [c for c in table.columns if c.name not in {"id", "v_number", *sealed}]
    as_text = select(*(cast(c, Text) for c in compared))
    stored = {way: db.execute(as_text.where(table.c.id == i)).one() for way, i in copies.items()}
    assert stored["formatted here"] == stored["as they are"] == stored["formatted elsewhere"]
    db.expire_all()
    for copy_id in copies.values():
        assert [getattr(db.get(Case, copy_id), k) for k in sorted(sealed)] == [
            getattr(case, k) for k in sorted(sealed)
        ]


def test_a_batchs_times_are_stored_each_as_its_own_instant(db, factory):
    """A batch's times repeat (one clock reading per batch), so each distinct value is
    formatted once; the same instant given in two zones and another instant are each
    stored as what they are."""
    case = factory.case()
    db.flush()
    instant = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    given = [
        instant,
        instant.astimezone(ZoneInfo("Europe/Amsterdam")),
        instant,
        instant + timedelta(hours=1),
    ]
    rows = [
        {
            "case_id": case.id,
            "policy_version": "p1",
            "outcome": "excluded",
            "reason": str(i),
            "screened_at": at,
        }
        for i, at in enumerate(given)
    ]
    insert_rows(db, Screening, formatted(db.get_bind().dialect, Screening, rows))
    db.expire_all()
    stored = db.execute(
        select(Screening.reason, Screening.screened_at).where(Screening.case_id == case.id)
    ).all()
    by_row = {int(reason): at for reason, at in stored}
    assert [by_row[i] for i in range(len(given))] == [instant, instant, instant, given[3]]


def test_ids_made_in_bulk_are_in_order_and_unguessable():
    """An import's case ids (``new_ids``) each come after the one before (version 7: the
    indexes on them grow at their end), and the rest of each id is random: no id can be
    told from another made beside it."""
    ids = new_ids(2000)
    assert ids == sorted(ids)
    assert len(set(ids)) == 2000
    assert {(i.version, i.variant) for i in ids} == {(7, "specified in RFC 4122")}
    # Made within the same millisecond, ids with a counter in their first random bits
    # (as some version 7 makers do) differ there by one: these differ at random.
    counters = [(i.int >> 32) & ((1 << 30) - 1) for i in ids]
    assert not [(a, b) for a, b in itertools.pairwise(counters) if 0 <= b - a <= 1]
