"""The bulk writes (``service.core.bulk``) take what a Core statement takes: each
column's type, its Python-side default, the refusal of plaintext in an encrypted column;
and a set-based update changes only the rows its match still finds. On SQLite and, with
``HEARING_TEST_DATABASE_URL``, on PostgreSQL (COPY and ``UPDATE ... FROM unnest``)."""

import gc
import uuid

import pytest
from sqlalchemy import Table, Text, bindparam, cast, select
from sqlalchemy.exc import StatementError

from service.cases.schemas import normalise_v_number
from service.core.bulk import among, insert_rows, older_objects_left_alone, update_rows
from service.core.crypto import PlaintextRefused, seal_value
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
