"""Bulk intake: CSV and JSON over HTTP, ``import_rows`` and the CLI.

Idempotent on V-number, per-row error reports, no half-written bad rows,
screening at once against the active policy, and 422 (never 500) for bad files.
"""

import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from service import cli
from service.cases import import_runs, importing
from service.cases.importing import import_all, import_rows, parse_file
from service.cases.schemas import CaseIn
from service.core import db as db_module
from service.core.actor import SYSTEM
from service.core.db import make_engine
from service.core.formatting import LOCAL_TIME
from service.dev import demo
from service.models import Case, CaseEventRow, ImportRun, Role, Screening, Signal
from service.workflow import CaseState
from tests.conftest import unique_v_number
from tests.factories import Factory, Person

API = "/api/v1"
HEADER = (
    "v_number,nationality,languages,date_of_application,lawyer,literacy,signals,"
    "applicant_name,date_of_birth"
)
# Who the applicant is: every row carries it (the host checks it at check-in).
IDENTITY = {"applicant_name": "Amal Haddad", "date_of_birth": "1991-04-17"}
pytestmark = pytest.mark.usefixtures("taskforce_policy")


def csv_file(*lines: str) -> bytes:
    """Rows given up to the signals column; each gets the applicant's name and birth date."""
    rows = [f"{line},{IDENTITY['applicant_name']},{IDENTITY['date_of_birth']}" for line in lines]
    return "\n".join([HEADER, *rows]).encode() + b"\n"


def upload(client, person: Person, content: bytes, filename: str = "backlog.csv"):
    return client.post(
        f"{API}/cases/import",
        headers=person.headers,
        files={"file": (filename, io.BytesIO(content), "text/csv")},
    )


def imported(response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


def case_by_v(db: Session, v_number: str) -> Case | None:
    return db.scalar(select(Case).where(Case.v_number == v_number))


def table_counts(db: Session) -> dict[str, int]:
    return {
        model.__name__: db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Case, CaseEventRow, Signal, Screening)
    }


@pytest.fixture
def planner(factory: Factory) -> Person:
    return factory.person(Role.PLANNER)


@pytest.fixture
def lawyer(factory: Factory) -> Person:
    return factory.person(Role.LAWYER)


# --- screening on import ----------------------------------------------------------------------


def test_csv_import_screens_every_new_case_against_the_active_policy(client, db, planner, lawyer):
    v = [unique_v_number() for _ in range(5)]
    email = lawyer.user.email
    content = csv_file(
        f"V{v[0]},SY,ar,2019-11-04,{email},known,",  # kansrijk
        f"{v[1]},IR,fa,2019-03-01,{lawyer.user.username},known,",  # kansarm
        f"{v[2]},PK,ur,2018-07-12,{email},known,",  # no form in Urdu
        f"{v[3]},ER,ti,2019-09-30,{email},unknown,",  # Eritrean, literacy unknown
        f"{v[4]},SY,ar,2019-11-05,{email},known,nv:registration interview",
    )
    report = imported(upload(client, planner, content))

    assert (report["rows"], report["created"], report["failed"]) == (5, 5, 0)
    assert report["screened"] == {
        "eligible_replacing": 1,
        "eligible_preparatory": 1,
        "excluded": 3,
    }
    expected = [
        (CaseState.SCREENED, "replacing", None),
        (CaseState.SCREENED, "preparatory", None),
        (CaseState.EXCLUDED, None, "no questionnaire in the applicant's language (ur)"),
        (CaseState.EXCLUDED, None, "literacy must be established first for nationality ER"),
        (CaseState.EXCLUDED, None, "NV signal: a physical hearing is required"),
    ]
    for v_number, (state, track, reason) in zip(v, expected, strict=True):
        case = case_by_v(db, v_number)
        assert case is not None
        assert (case.state, case.track, case.policy_version) == (state, track, "taskforce-2020")
        assert case.exclusion_reason == reason
        assert case.lawyer_id == lawyer.user.id
    signalled = case_by_v(db, v[4])
    assert signalled is not None
    assert [(s.kind, s.source) for s in signalled.signals] == [("nv", "registration interview")]


def test_json_import_carries_signals_and_accepts_a_cases_envelope(client, db, planner, lawyer):
    clean, flagged = unique_v_number(), unique_v_number()
    body = {
        "cases": [
            {
                **IDENTITY,
                "v_number": clean,
                "nationality": "TUR",  # alpha-3 is normalised
                "languages": ["tr"],
                "date_of_application": "2019-05-05",
                "lawyer": lawyer.user.username,
                "literacy": "known",
                "coordinator_motives": ["lgbti"],
            },
            {
                **IDENTITY,
                "v_number": flagged,
                "nationality": "IR",
                "languages": ["fa"],
                "date_of_application": "2019-05-06",
                "signals": [{"kind": "1f", "source": "security partner", "reason": "report"}],
            },
        ]
    }
    report = imported(upload(client, planner, json.dumps(body).encode(), "backlog.json"))

    assert (report["created"], report["failed"]) == (2, 0)
    assert report["screened"] == {"eligible_replacing": 1, "excluded": 1}
    turkish = case_by_v(db, clean)
    assert turkish is not None
    assert (turkish.nationality, turkish.coordinator_motives) == ("TR", ["lgbti"])
    excluded = case_by_v(db, flagged)
    assert excluded is not None
    assert excluded.state == CaseState.EXCLUDED
    assert [(s.kind, s.source, s.reason) for s in excluded.signals] == [
        ("1f", "security partner", "report")
    ]


def test_import_without_screening_leaves_cases_imported(client, db, planner):
    v_number = unique_v_number()
    response = client.post(
        f"{API}/cases/import?screen=false",
        headers=planner.headers,
        files={"file": ("b.csv", io.BytesIO(csv_file(f"{v_number},SY,ar,2019-01-01,,known,")))},
    )
    report = imported(response)
    assert (report["created"], report["screened"]) == (1, {})
    case = case_by_v(db, v_number)
    assert case is not None
    assert case.state == CaseState.IMPORTED


# --- idempotent on V-number ----------------------------------------------------------------


def test_importing_the_same_file_twice_creates_nothing_the_second_time(client, db, planner, lawyer):
    content = csv_file(
        *(f"{unique_v_number()},SY,ar,2019-11-04,{lawyer.user.email},known," for _ in range(3))
    )
    first = imported(upload(client, planner, content))
    before = table_counts(db)
    second = imported(upload(client, planner, content))

    assert (first["created"], first["skipped_existing"]) == (3, 0)
    assert (second["rows"], second["created"], second["skipped_existing"]) == (3, 0, 3)
    assert (second["failed"], second["screened"]) == (0, {})
    assert table_counts(db) == before


def test_a_v_number_with_or_without_v_prefix_is_the_same_case(db, factory):
    v_number = unique_v_number()
    actor = factory.person(Role.PLANNER).actor
    row = {
        **IDENTITY,
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": "2019-01-01",
    }
    first = import_rows(db, [{**row, "v_number": f"V{v_number}"}], actor)
    second = import_rows(db, [{**row, "v_number": v_number}], actor)
    assert (first.created, second.created, second.skipped_existing) == (1, 0, 1)


# --- per-row errors --------------------------------------------------------------------------

BAD_ROWS = [
    # (CSV line with {v}, {lawyer} and {first} to fill in, expected message fragment)
    ("V12345,SY,ar,2019-01-01,{lawyer},known,", "v_number: Value error, a V-number has exactly"),
    ("{v},XX,ar,2019-01-01,{lawyer},known,nv:screening", "nationality: Value error, use an ISO"),
    ("{v},SY,xx,2019-01-01,{lawyer},known,", "'xx' is not an ISO 639 language code"),
    ("{v},SY,ar,2019-01-01,nobody@example.org,known,", "lawyer: no lawyer with username"),
    ("{v},SY,ar,{tomorrow},{lawyer},known,", "the date of application lies in the future"),
    ("{first},SY,ar,2019-01-01,{lawyer},known,", "v_number: appears twice in this file"),
    ("{v},SY,ar,2019-01-01,{lawyer},medium,", "literacy: Input should be 'known'"),
    ("{v},SY,ar,2019-01-01,{lawyer},known,,surplus", "row: not a case record"),
    ("{v},SY,ar,not-a-date,{lawyer},known,", "date_of_application: Input should be a valid date"),
    ("{v},SY,ar,2019-01-01,{lawyer},known,zz:nowhere", "signals.0.kind: Input should be"),
]


def test_bad_rows_are_reported_by_row_number_and_never_stop_the_good_ones(
    client, db, planner, lawyer
):
    first, last = unique_v_number(), unique_v_number()
    bad_v = [unique_v_number() for _ in BAD_ROWS]
    # Tomorrow in the Netherlands, when the test runs (not when the module was read).
    tomorrow = (datetime.now(LOCAL_TIME).date() + timedelta(days=1)).isoformat()
    good = f"{{v}},SY,ar,2019-01-01,{lawyer.user.email},known,nv:registration interview"
    lines = [good.format(v=first)]
    for (template, _), v_number in zip(BAD_ROWS, bad_v, strict=True):
        line = template.format(v=v_number, lawyer=lawyer.user.email, first=first, tomorrow=tomorrow)
        lines.append(line)
    lines.append(good.format(v=last))
    before = table_counts(db)

    report = imported(upload(client, planner, csv_file(*lines)))

    assert (report["rows"], report["created"], report["failed"]) == (12, 2, len(BAD_ROWS))
    assert [e["row"] for e in report["errors"]] == list(range(2, 2 + len(BAD_ROWS)))
    for error, (_, fragment) in zip(report["errors"], BAD_ROWS, strict=True):
        assert any(fragment in message for message in error["errors"]), (fragment, error)
    assert report["errors"][5]["v_number"] == first  # the duplicate names its V-number
    # Only the two good rows were written: case, import + screening events, signal, screening.
    assert case_by_v(db, first) is not None
    assert case_by_v(db, last) is not None
    assert all(case_by_v(db, v) is None for v in bad_v)
    after = table_counts(db)
    assert {k: after[k] - before[k] for k in after} == {
        "Case": 2,
        "CaseEventRow": 4,
        "Signal": 2,
        "Screening": 2,
    }


def test_a_date_of_application_is_in_the_future_by_the_day_in_the_netherlands():
    """At half past midnight in Amsterdam the server's UTC day is still the day before:
    an application dated today in the Netherlands is accepted, tomorrow's is not."""
    row = {**IDENTITY, "v_number": unique_v_number(), "nationality": "SY", "languages": ["ar"]}
    with time_machine.travel(datetime(2025, 12, 7, 23, 30, tzinfo=UTC), tick=False):  # 00:30 NL
        assert CaseIn.model_validate({**row, "date_of_application": "2025-12-08"})
        with pytest.raises(ValidationError, match="lies in the future"):
            CaseIn.model_validate({**row, "date_of_application": "2025-12-09"})


def test_json_rows_that_are_not_objects_are_reported_and_skipped(client, db, planner):
    good = [
        {
            **IDENTITY,
            "v_number": unique_v_number(),
            "nationality": "SY",
            "languages": ["ar"],
            "date_of_application": "2019-01-01",
        }
        for _ in range(2)
    ]
    body = [good[0], "V1234567890", 42, ["SY"], good[1], {"v_number": unique_v_number()}]
    report = imported(upload(client, planner, json.dumps(body).encode(), "cases.json"))

    assert (report["rows"], report["created"], report["failed"]) == (6, 2, 4)
    errors = {e["row"]: e["errors"] for e in report["errors"]}
    assert set(errors) == {2, 3, 4, 6}
    for row in (2, 3, 4):
        assert errors[row] == ["row: not a case record (wrong shape or extra cells)"]
    assert any(m.startswith("nationality: Field required") for m in errors[6])
    assert all(case_by_v(db, g["v_number"]) is not None for g in good)


def test_import_rows_keeps_nothing_of_a_bad_row(db, factory):
    """Service level: a row failing late (unknown lawyer) leaves no case, signal or event."""
    actor = factory.person(Role.PLANNER).actor
    bad, good = unique_v_number(), unique_v_number()
    signal = [{"kind": "nv", "source": "screening"}]
    row = {
        **IDENTITY,
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": "2019-01-01",
    }
    before = table_counts(db)
    report = import_rows(
        db,
        [
            {**row, "v_number": bad, "lawyer": "ghost", "signals": signal},
            {**row, "v_number": good, "signals": signal},
        ],
        actor,
    )
    assert (report.created, report.failed) == (1, 1)
    assert report.errors[0].row == 1
    assert report.errors[0].errors == ["lawyer: no lawyer with username or e-mail 'ghost'"]
    after = table_counts(db)
    assert {k: after[k] - before[k] for k in after} == {
        "Case": 1,
        "CaseEventRow": 2,
        "Signal": 1,
        "Screening": 1,
    }
    assert case_by_v(db, bad) is None


# --- bad files -------------------------------------------------------------------------------

BAD_FILES = [
    pytest.param(b"\xff\xfe\x00v\x00_number", "cases.csv", "not UTF-8", id="not-utf8"),
    pytest.param("naïve".encode("latin-1"), "cases.csv", "not UTF-8", id="latin-1"),
    pytest.param(b"", "cases.csv", "missing CSV columns", id="empty"),
    pytest.param(b"v_number,nationality\n1234567890,SY\n", "c.csv", "languages", id="columns"),
    pytest.param(b'[{"v_number": ', "cases.json", "invalid JSON", id="invalid-json"),
    pytest.param(b'{"rows": []}', "cases.json", "expected a JSON list", id="json-not-a-list"),
]


@pytest.mark.parametrize(("content", "filename", "fragment"), BAD_FILES)
def test_a_bad_file_is_a_422_problem_never_a_500(client, planner, content, filename, fragment):
    response = upload(client, planner, content, filename)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "bad_import_file"
    assert fragment in problem["detail"]


def test_only_intake_roles_may_import(client, lawyer):
    response = upload(client, lawyer, csv_file(f"{unique_v_number()},SY,ar,2019-01-01,,known,"))
    assert response.status_code == 403


# --- the CLI -----------------------------------------------------------------------------------


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI commits; point its unit of work at a private, migrated SQLite file."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    cli.run_migrations(url)
    engine = make_engine(url)
    monkeypatch.setattr(db_module, "get_sessionmaker", lambda: sessionmaker(engine))
    yield engine
    engine.dispose()


def run_cli(*args: str):
    return CliRunner().invoke(cli.main, ["import-cases", *args])


def stored_states(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return {v: state for v, state in session.execute(select(Case.v_number, Case.state))}


def test_cli_imports_screens_commits_and_is_idempotent(cli_engine, tmp_path):
    v = [unique_v_number() for _ in range(3)]
    path = tmp_path / "backlog.csv"
    path.write_bytes(
        csv_file(
            f"{v[0]},SY,ar,2019-01-01,,known,",
            f"{v[1]},PK,ur,2019-01-01,,known,",
            f"{v[2]},SY,ar,2019-01-01,,medium,",
        )
    )
    first = run_cli(str(path))
    assert first.exit_code == 0, first.output
    assert "3 rows: 2 created, 0 already present, 1 failed" in first.stdout
    assert "screened eligible_replacing: 1" in first.stdout
    assert "screened excluded: 1" in first.stdout
    assert f"row 3 ({v[2]}): literacy" in first.stderr
    assert stored_states(cli_engine) == {v[0]: "screened", v[1]: "excluded"}

    again = run_cli(str(path), "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert (report["created"], report["skipped_existing"], report["failed"]) == (0, 2, 1)

    # Both recorded as import runs, as the import page records an upload.
    first_run, second_run = recorded_runs(cli_engine)
    assert (first_run["status"], first_run["filename"], first_run["counts"]) == (
        "done",
        "backlog.csv",
        (3, 3, 2, 0, 1),
    )
    assert [r[:3] for r in first_run["results"]] == [
        (1, v[0], "imported:screened"),
        (2, v[1], "imported:excluded"),
        (3, v[2], "refused"),
    ]
    assert "literacy" in first_run["results"][2][3]
    assert second_run["counts"] == (3, 3, 0, 2, 1)
    assert [r[2] for r in second_run["results"]] == ["existing", "existing", "refused"]


def recorded_runs(engine: Engine) -> list[dict[str, Any]]:
    """The import runs in the order they were made, with their results per row."""
    with Session(engine) as session:
        runs = session.scalars(select(ImportRun).order_by(ImportRun.created_at)).all()
        return [
            {
                "status": run.status,
                "filename": run.filename,
                "error": run.error,
                "counts": (
                    run.rows_total,
                    run.rows_done,
                    run.created,
                    run.skipped_existing,
                    run.failed,
                ),
                "results": list(import_runs.results_rows(session, run)),
            }
            for run in runs
        ]


def test_cli_no_screen_and_bad_file(cli_engine, tmp_path):
    good = tmp_path / "cases.json"
    v_number = unique_v_number()
    row = {**IDENTITY, "v_number": v_number, "nationality": "IR", "languages": ["fa"]}
    good.write_text(json.dumps([{**row, "date_of_application": "2019-02-02"}]))
    result = run_cli(str(good), "--no-screen")
    assert result.exit_code == 0, result.output
    assert stored_states(cli_engine) == {v_number: "imported"}

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe broken")
    result = run_cli(str(bad))
    assert result.exit_code == 1
    assert "bad.csv: the file is not UTF-8 text" in result.stderr
    assert "Traceback" not in result.output
    *_, failed = recorded_runs(cli_engine)  # the planner sees why, nothing was imported
    assert (failed["status"], failed["filename"]) == ("failed", "bad.csv")
    assert "not UTF-8" in failed["error"]
    assert failed["results"] == []


def test_the_generated_backlog_csv_imports_cleanly(db):
    """The bench's input (``service.dev.demo``): every row valid, screened, signals carried."""
    demo.ensure_staff(db)  # the rows name the demo lawyers
    rows = demo.backlog_rows(400, seed=7)
    report = import_rows(db, parse_file(demo.as_csv(rows).encode(), "backlog.csv"), SYSTEM)
    assert (report.rows, report.created, report.failed) == (400, 400, 0)
    assert sum(report.screened.values()) == 400
    flagged = [r["v_number"] for r in rows if r.get("signals")]
    for v_number in flagged:
        case = case_by_v(db, v_number)
        assert case is not None
        assert case.state == CaseState.EXCLUDED


def test_a_file_with_some_cases_stored_in_a_later_batch_imports_the_rest(db):
    """``import_all`` prepares each batch as if all its rows were new while the one before
    is written; a batch some of whose cases are stored is prepared again without them."""
    demo.ensure_staff(db)
    rows = demo.backlog_rows(2500, seed=5)
    stored = rows[1200:1300]  # in the file's second batch of 1,000
    import_rows(db, stored, SYSTEM, screen=False)
    twice = {**rows[10], "applicant_name": "Someone Else"}  # in the third batch

    report = import_all(db, iter([*rows, twice]), SYSTEM)

    assert (report.rows, report.created, report.skipped_existing) == (2501, 2400, 100)
    assert report.failed == 1
    assert report.errors[0].row == 2501
    assert report.errors[0].errors == ["v_number: appears twice in this file"]
    assert sum(report.screened.values()) == 2400
    states = dict(db.execute(select(Case.v_number, Case.state)).all())
    assert {states[r["v_number"]] for r in stored} == {CaseState.IMPORTED}  # as first stored
    others = [r for r in rows if r not in stored]
    assert {states[r["v_number"]] for r in others} <= {CaseState.SCREENED, CaseState.EXCLUDED}
    assert len(others) == 2400


def test_an_import_prepares_its_batches_beside_the_writer_only_on_a_database_server(
    db, monkeypatch
):
    """PostgreSQL: each batch is prepared (validated, screened, sealed, formatted for
    the driver) in a worker thread while the one before is written. SQLite writes in
    this process and lets go of Python's lock for every row: a busy thread beside it
    made each take back wait, so there the batches are prepared in the writer's thread."""
    demo.ensure_staff(db)
    dialect = db.get_bind().dialect
    threads: list[str] = []
    formatted_for: list[str] = []
    prepare = importing.prepare_batch

    def watched(*args: Any, **kwargs: Any) -> importing.Prepared:
        threads.append(threading.current_thread().name)
        prepared = prepare(*args, **kwargs)
        assert prepared.new.admission is not None
        formatted_for.append(getattr(prepared.new.admission.cases, "dialect", "not formatted"))
        return prepared

    monkeypatch.setattr(importing, "prepare_batch", watched)
    report = import_all(db, iter(demo.backlog_rows(1500, seed=11)), SYSTEM)

    assert (report.created, report.failed) == (1500, 0)
    assert formatted_for == [dialect.name, dialect.name]  # two batches, made ahead
    writer = threading.current_thread().name
    if dialect.name == "sqlite":
        assert threads == [writer, writer]
    else:
        assert writer not in threads
        assert len(threads) == 2
