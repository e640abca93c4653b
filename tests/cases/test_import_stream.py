"""A large file through ``hearing import-cases``: read as it streams, in batches, past the
old 100,000-row ceiling's reach, with the same outcome per case as the single-case path
(``create_case`` + ``screen_case``, one ``procedure.advance`` each), as CSV and as JSON,
and recorded as an import run.

CI runs the CSV with 20,500 rows (``HEARING_TEST_IMPORT_ROWS``: 21 batches, the progress
line, and a last batch not full) and the JSON with 2,500 (the envelope read case by case
over several batches; the progress is the command's, whatever the file's kind); the
150,000-row run is in ``bench/bench_import.py``. On SQLite and, with
``HEARING_TEST_DATABASE_URL`` set to PostgreSQL, on a fresh PostgreSQL database of its own.
"""

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from service import cli
from service.cases.schemas import CaseIn
from service.cases.service import create_case
from service.core import db as db_module
from service.core.actor import SYSTEM
from service.core.db import make_engine
from service.dev import demo
from service.eligibility.service import screen_case
from service.models import Case, CaseEventRow, ImportResult, ImportRun, Screening, Signal
from service.models.auth import User
from service.models.cases import CaseNameKey
from service.models.messages import Message
from service.models.terms import Term
from tests.conftest import TEST_DATABASE_URL

# The CSV file has more than the 20,000 rows issue 17 names for CI (the 150,000 are in bench/);
# the JSON file, read by the same batches, needs only several of them.
ROWS = int(os.environ.get("HEARING_TEST_IMPORT_ROWS", "20500"))
JSON_ROWS = min(ROWS, 2_500)
SAMPLE = 150  # rows also imported one by one and compared
pytestmark = pytest.mark.usefixtures("taskforce_policy")


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI commits: a migrated database of its own, on the suite's kind of database."""
    if TEST_DATABASE_URL.startswith("postgres"):
        base = make_url(TEST_DATABASE_URL)
        name = f"{base.database}_stream_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        admin, name, url = None, "", f"sqlite:///{tmp_path / 'stream.db'}"
    cli.run_migrations(url)
    engine = make_engine(url)
    monkeypatch.setattr(db_module, "get_sessionmaker", lambda: sessionmaker(engine))
    yield engine
    engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def outcome(db: Session, v_numbers: list[str]) -> dict[str, dict[str, Any]]:
    """Per case, everything the procedure wrote (ids and times left out)."""
    cases = {c.v_number: c for c in db.scalars(select(Case).where(Case.v_number.in_(v_numbers)))}
    found: dict[str, dict[str, Any]] = {}
    for v_number, case in cases.items():
        events = db.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.id)
        )
        found[v_number] = {
            "state": case.state,
            "version": case.version,
            "milestones": {m: getattr(case, m) is not None for m in MILESTONES},
            "data": (
                case.applicant_name,
                case.date_of_birth,
                case.nationality,
                case.languages,
                case.date_of_application,
                # The two databases have their own users: the lawyer by name.
                db.scalar(select(User.username).where(User.id == case.lawyer_id)),
                case.literacy,
                case.coordinator_motives,
                case.vulnerability_notes,
            ),
            "name_keys": sorted(
                db.scalars(select(CaseNameKey.key).where(CaseNameKey.case_id == case.id))
            ),
            "track": case.track,
            "policy_version": case.policy_version,
            "exclusion_reason": case.exclusion_reason,
            # The admission's text names its door ("imported from file" / "case
            # registered"); every move after it must be the same.
            "events": [
                (e.event, e.from_state, e.to_state, e.actor_role, e.reason_kind)
                + (() if e.event == "import" else (e.reason,))
                for e in events
            ],
            "screenings": [
                (s.outcome, s.reason, s.policy_version)
                for s in db.scalars(select(Screening).where(Screening.case_id == case.id))
            ],
            "signals": sorted(
                (s.kind, s.source)
                for s in db.scalars(select(Signal).where(Signal.case_id == case.id))
            ),
            "terms": sorted(
                (t.step, t.closed_at is None)
                for t in db.scalars(select(Term).where(Term.case_id == case.id))
            ),
            "messages": sorted(
                m.kind for m in db.scalars(select(Message).where(Message.case_id == case.id))
            ),
        }
    return found


MILESTONES = ("screened_at", "invited_at", "consented_at", "scheduled_at", "decided_at")


@pytest.mark.parametrize(("kind", "total"), [("csv", ROWS), ("json", JSON_ROWS)])
def test_a_large_file_streams_through_the_cli_like_single_cases(
    cli_engine, db, tmp_path, kind, total
):
    rows = demo.backlog_rows(total, seed=11)
    path = tmp_path / f"backlog.{kind}"
    # JSON in its envelope, {"cases": [...]}: read one case at a time all the same.
    content = demo.as_csv(rows) if kind == "csv" else json.dumps({"cases": rows})
    path.write_text(content, encoding="utf-8")
    with Session(cli_engine) as session:
        demo.ensure_staff(session)  # the rows name the demo lawyers
        session.commit()

    result = CliRunner().invoke(cli.main, ["import-cases", str(path)])

    assert result.exit_code == 0, result.output
    assert f"{total} rows: {total} created, 0 already present, 0 failed" in result.stdout
    if total >= 10_000:
        assert "10,000 rows read, 10,000 created" in result.stderr  # the progress
    with Session(cli_engine) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == total
        assert session.scalar(select(func.count()).where(Case.state == "imported")) == 0
        run = session.scalars(select(ImportRun)).one()  # the planner sees the import
        assert (run.status, run.rows_total, run.created, run.failed) == ("done", total, total, 0)
        results = select(ImportResult.result, func.count()).group_by(ImportResult.result)
        counts = dict(session.execute(results.where(ImportResult.run_id == run.id)).all())
        assert sum(counts.values()) == total
        assert set(counts) == {"imported:screened", "imported:excluded"}

    # The same rows, one case at a time through the single-case path (rolled back).
    demo.ensure_staff(db)
    step = total // SAMPLE
    picked = [rows[i] for i in range(0, total, step)]
    picked += [r for r in rows if r.get("signals")][:10]  # excluded ones for certain
    sample = {CaseIn.model_validate(r).v_number: CaseIn.model_validate(r) for r in picked}
    for data in sample.values():
        screen_case(db, create_case(db, data, SYSTEM), SYSTEM)
    v_numbers = list(sample)
    single = outcome(db, v_numbers)
    with Session(cli_engine) as session:
        bulk = outcome(session, v_numbers)
    assert len(single) == len(v_numbers) > SAMPLE
    assert {c["state"] for c in single.values()} >= {"screened", "excluded"}
    assert bulk == single
