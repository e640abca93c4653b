"""The migrations build the models' schema on SQLite and PostgreSQL, both ways.

Each backend gets a brand-new database: upgrade to head, downgrade to base,
upgrade again; then the `alembic check` comparison must find nothing to add,
and the constraints autogenerate cannot compare (CHECKs, partial unique
indexes) must be there too.
"""

import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from service.core.db import make_engine
from service.core.settings import PROJECT_ROOT
from service.models import Base
from tests.conftest import POSTGRES_URL, require_server

PARTIAL_UNIQUE_INDEXES = {
    "bookings": {"uq_bookings_active_seat", "uq_bookings_active_case"},
    "invitations": {"uq_invitations_open_case"},
}


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'migrations.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database with a unique name, dropped afterwards."""
    base = make_url(POSTGRES_URL)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        require_server("PostgreSQL", False, str(exc).splitlines()[0])
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def schema_diff(engine: Engine) -> list[object]:
    """What `alembic check` would want to add: the autogenerate comparison."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def assert_round_trip_and_no_drift(url: str) -> None:
    config = alembic_config(url)
    engine = make_engine(url)
    try:
        command.upgrade(config, "head")
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)

        command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        command.upgrade(config, "head")
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
        assert set(current) == set(ScriptDirectory.from_config(config).get_heads())

        assert schema_diff(engine) == []
        assert_constraints_autogenerate_cannot_see(engine)
    finally:
        engine.dispose()


def assert_constraints_autogenerate_cannot_see(engine: Engine) -> None:
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        declared = {c.name for c in table.constraints if c.__visit_name__ == "check_constraint"}
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert declared <= found, f"{table.name}: CHECKs missing from the migrations"
    for table, names in PARTIAL_UNIQUE_INDEXES.items():
        indexes = {i["name"]: i for i in inspector.get_indexes(table)}
        for name in names:
            assert indexes[name]["unique"], name
            # Partial: the index applies only to active rows (a cancelled booking frees the seat).
            where = indexes[name].get("dialect_options", {})
            assert any("where" in key for key in where), f"{name} is not partial: {indexes[name]}"


def test_there_is_one_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1


@pytest.mark.own_database
def test_migrations_round_trip_on_a_fresh_sqlite_file(sqlite_url):
    assert_round_trip_and_no_drift(sqlite_url)


@pytest.mark.postgres
@pytest.mark.own_database
def test_migrations_round_trip_on_a_fresh_postgres_database(postgres_url):
    assert_round_trip_and_no_drift(postgres_url)


@pytest.mark.own_database
def test_a_sqlite_file_with_data_goes_through_the_table_rebuilding_migrations(sqlite_url):
    """A dev database full of demo data: SQLite batch migrations copy a table and drop
    the original (`cases`), which other rows point at. Down past the data-protection
    migration and up again, with rows that reference cases, loses and breaks nothing."""
    from sqlalchemy.orm import Session

    from service.models import Case
    from service.workflow import CaseState
    from tests.live import engine_for, seeded

    config = alembic_config(sqlite_url)
    command.upgrade(config, "head")
    with engine_for(sqlite_url) as engine:
        with seeded(engine) as factory:
            case = factory.case_in(CaseState.SUBMITTED, applicant_name="Amal Haddad")
            case_id = case.id
        before = "9cbfbca38477"  # the head before the data-protection migration
        command.downgrade(config, before)
        command.upgrade(config, "head")
        with Session(engine) as db:
            assert db.get_one(Case, case_id).applicant_name == "Amal Haddad"
            assert not db.connection().exec_driver_sql("PRAGMA foreign_key_check").all()
