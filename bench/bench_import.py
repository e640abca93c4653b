"""Import and screen the whole 15,348-case backlog (or N rows), against the database
loading the same rows itself (COPY), and against a naive per-row baseline.

Usage: .venv/bin/python bench/bench_import.py [--postgres URL] [--rows N] [--sample N]

Each backend gets fresh databases built by the migrations. The bulk run writes a
seeded CSV with the backlog's nationality mix (``service.dev.demo.backlog_rows``) to a file
and imports it as ``hearing import-cases`` does (``import_runs.import_file``: the file
streamed, validated, inserted and screened batch by batch, recorded as an import run with
its result per row, one commit), in a process of its own, so its peak resident memory
(RSS) is the import's alone. The baselines:

- COPY: the same CSV file loaded by the database into a table of text columns (one per
  CSV column) — PostgreSQL's ``COPY ... FROM STDIN``; SQLite has no COPY, so one
  transaction of ``executemany`` INSERTs of the parsed rows. The least any import of
  these rows can cost; the issue's aim is import + screening within 50x of it.
- floor (PostgreSQL): the rows the import stored (cases, signals, events, name keys,
  screenings, results per row), loaded by the server alone with COPY into tables like
  theirs (the same indexes, checks and foreign keys), rolled back: what storing these
  rows in this schema costs whoever sends them. Context, no aim: it shows how much of
  the distance to the COPY of the CSV is the schema's own work.
- naive: what a straightforward ORM import would do, ``create_case`` + ``screen_case``
  per row, flushing each, on a sample, extrapolated per row (context, no aim;
  ``--sample 0`` leaves it out).

``bench/run`` runs it for the backlog (aim ≤ 50x COPY) and for 150,000 rows (aim: the
time per row and the peak RSS within 1.25x of the backlog's run: linear, constant
memory).

Jobs the import queues go to this benchmark's own queue file (bench/isolation.py) and
are not run. Results go to stdout and to ``bench/results/import-<backend>-<rows>.json``
(git-ignored).
"""

import argparse
import csv
import io
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from isolation import isolate, use_database

isolate("bench-import-")  # before the service is imported (its queue is built then)

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session, configure_mappers  # noqa: E402

from service import procedure  # noqa: E402
from service.cases import import_runs  # noqa: E402
from service.cases.schemas import CaseIn  # noqa: E402
from service.cases.service import create_case  # noqa: E402
from service.cli import run_migrations  # noqa: E402
from service.core.actor import SYSTEM  # noqa: E402
from service.core.db import make_engine  # noqa: E402
from service.core.settings import Settings  # noqa: E402
from service.dev.demo import BACKLOG_CASES, as_csv, backlog_rows, ensure_staff  # noqa: E402
from service.eligibility.service import screen_case  # noqa: E402
from service.models import Case  # noqa: E402

RESULTS = Path(__file__).with_name("results")
# The aim: import + screening within this many times the COPY of the same rows.
AIM_COPY_RATIO = 50.0


@contextmanager
def fresh_database(backend: str, postgres_url: str | None, label: str) -> Iterator[str]:
    """A migrated, empty database: a temporary SQLite file or a new PostgreSQL database."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            url = f"sqlite:///{tmp}/{label}.db"
            run_migrations(url)
            yield url
        return
    assert postgres_url
    base = make_url(Settings(database_url=postgres_url).database_url)  # psycopg 3 driver
    name = f"bench_{label}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        run_migrations(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def with_session(url: str, work: Callable[[Session], Any]) -> Any:
    """Run ``work`` in one committed transaction, as the CLI and API do."""
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            result = work(db)
            db.commit()
        return result
    finally:
        engine.dispose()


# The baseline takes a fraction of a second, no longer than a hiccup of the machine: it
# is loaded this many times, each into a table of its own, and the median counts.
BASELINE_RUNS = 3


def copy_baseline(url: str, backend: str, content: bytes) -> dict[str, Any]:
    """The CSV loaded by the database itself into a table of text columns (see above),
    ``BASELINE_RUNS`` times; the median time."""
    header = next(csv.reader(io.StringIO(content.decode().split("\n", 1)[0])))
    columns = ", ".join(f'"{name}" text' for name in header)
    engine = make_engine(url)
    times: list[float] = []
    try:
        for run in range(BASELINE_RUNS):
            table = f"bench_copy_{run}"
            with engine.begin() as conn:
                conn.execute(text(f"CREATE TABLE {table} ({columns})"))
            started = time.perf_counter()
            _load(engine, backend, table, header, content)
            times.append(time.perf_counter() - started)
            with engine.connect() as conn:
                loaded = int(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608
    finally:
        engine.dispose()
    total = statistics.median(times)
    return {
        "rows": loaded,
        "how": "COPY FROM STDIN (csv)" if backend == "postgres" else "executemany INSERT",
        "total_s": round(total, 4),
        "runs_s": [round(t, 4) for t in times],
        "rows_per_s": round(loaded / total),
    }


def _load(engine: Any, backend: str, table: str, header: list[str], content: bytes) -> None:
    if backend == "postgres":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                statement = f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)"
                with cursor.copy(statement) as copy:
                    copy.write(content)
            raw.commit()
        finally:
            raw.close()
        return
    rows = [tuple(r) for r in csv.reader(io.StringIO(content.decode()))][1:]
    marks = ", ".join("?" for _ in header)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608


# The tables an import writes, in an order their foreign keys allow.
STORED_TABLES = (
    "cases",
    "signals",
    "case_events",
    "case_name_keys",
    "screenings",
    "import_results",
)


def stored_rows_floor(url: str) -> dict[str, Any]:
    """PostgreSQL: the rows the import stored, loaded by the database alone (COPY, no
    service code) into tables like theirs — the same columns, indexes, checks and foreign
    keys — in a transaction that is rolled back. What storing these rows costs the server
    whoever sends them: a floor under any import of this file into this schema."""
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:  # type: ignore[attr-defined]
            dumps = {t: _copy_out(cursor, t) for t in STORED_TABLES}
            raw.commit()
            for table in STORED_TABLES:
                _table_like(cursor, table)
            backend = int(cursor.execute("SELECT pg_backend_pid()").fetchone()[0])
            cpu_before, started = backend_cpu_s(backend), time.perf_counter()
            for table in STORED_TABLES:
                with cursor.copy(f"COPY floor_{table} FROM STDIN") as copy:
                    copy.write(dumps[table])
            total = time.perf_counter() - started
            cpu_after = backend_cpu_s(backend)
        raw.rollback()
    finally:
        raw.close()
        engine.dispose()
    return {
        "rows": sum(dump.count(b"\n") for dump in dumps.values()),
        "total_s": round(total, 3),
        "server_cpu_s": None
        if cpu_before is None or cpu_after is None
        else round(cpu_after - cpu_before, 2),
    }


def _copy_out(cursor: Any, table: str) -> bytes:
    with cursor.copy(f"COPY {table} TO STDOUT") as copy:
        return b"".join(bytes(chunk) for chunk in copy)


def _table_like(cursor: Any, table: str) -> None:
    """``floor_<table>``: the table's columns, indexes and checks, and its foreign keys
    (to the other floor tables where they point at one)."""
    cursor.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
    keys = cursor.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        (table,),
    ).fetchall()
    for (definition,) in keys:
        for other in STORED_TABLES:
            definition = definition.replace(f"REFERENCES {other}(", f"REFERENCES floor_{other}(")
        cursor.execute(f"ALTER TABLE floor_{table} ADD {definition}")


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM, not ``getrusage``: its
    ru_maxrss keeps the parent's peak across fork and exec."""
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def import_file(url: str, path: Path) -> dict[str, Any]:
    """In the child process: the file imported as ``hearing import-cases`` does."""
    use_database(url)
    # Start-up, not import: the domains whose subscribers the engine calls are imported
    # on first use (the app imports them when it starts).
    procedure.subscriptions()
    configure_mappers()  # as the app's first request would (the ORM's one-time set-up)
    rss_before = peak_rss_mb()  # the service's modules loaded, nothing read yet

    server: dict[str, float | None] = {}

    def work(db: Session) -> Any:
        backend = backend_of(db)
        before = backend_cpu_s(backend)
        with path.open("rb") as stream:
            report = import_runs.import_file(db, stream, path.name, SYSTEM)[1]  # a run, as the CLI
        after = backend_cpu_s(backend)
        server["cpu_s"] = None if before is None or after is None else after - before
        return report

    started, cpu_started = time.perf_counter(), time.process_time()
    report = with_session(url, work)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    stored = with_session(url, lambda db: db.scalar(select(func.count()).select_from(Case)))
    assert report.created == stored == report.rows, (report.created, stored, report.rows)
    return {
        "rows": report.rows,
        "created": report.created,
        "failed": report.failed,
        "screened": dict(sorted(report.screened.items())),
        "total_s": round(total, 3),  # read + validate + insert + screen + commit
        # CPU seconds, less skewed by the machine's load than the wall time: the importing
        # process's, and its database server process's (before the commit; PostgreSQL on
        # this machine only, else None).
        "client_cpu_s": round(cpu, 2),
        "server_cpu_s": None if server["cpu_s"] is None else round(server["cpu_s"], 2),
        "rows_per_s": round(report.rows / total),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def backend_of(db: Session) -> int | None:
    """The process id of the PostgreSQL server process serving ``db`` (None on SQLite)."""
    if db.get_bind().dialect.name != "postgresql":
        return None
    return int(db.scalar(text("SELECT pg_backend_pid()")) or 0)


def backend_cpu_s(pid: int | None) -> float | None:
    """CPU seconds a local server process has used (user + system), if it can be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bulk(url: str, path: Path) -> dict[str, Any]:
    """The import in a process of its own (its peak RSS is the import's)."""
    use_database(url)
    with_session(url, lambda db: ensure_staff(db))
    command = [sys.executable, __file__, "--import-file", str(path), "--database", url]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def naive(url: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The per-row ORM way: create, flush, screen, flush, for each row."""
    use_database(url)
    with_session(url, lambda db: ensure_staff(db))

    def work(db: Session) -> None:
        for row in rows:
            case = create_case(db, CaseIn.model_validate(row), SYSTEM)
            screen_case(db, case, SYSTEM)

    started = time.perf_counter()
    with_session(url, work)
    total = time.perf_counter() - started
    return {
        "rows": len(rows),
        "total_s": round(total, 3),
        "rows_per_s": round(len(rows) / total),
        "extrapolated_full_backlog_s": round(total / len(rows) * BACKLOG_CASES, 1),
    }


def server_version(url: str, backend: str) -> str:
    if backend == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    engine = create_engine(url)
    with engine.connect() as conn:
        version = str(conn.scalar(text("SHOW server_version")))
    engine.dispose()
    return f"PostgreSQL {version}"


def run(backend: str, postgres_url: str | None, total: int, sample: int) -> dict[str, Any]:
    rows = backlog_rows(total)
    content = as_csv(rows).encode()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        path = Path(tmp) / "backlog.csv"
        path.write_bytes(content)
        with fresh_database(backend, postgres_url, "bulk") as url:
            bulk_result = bulk(url, path)
            database = server_version(url, backend)
            floor = stored_rows_floor(url) if backend == "postgres" else None
    naive_result = None
    if sample:
        with fresh_database(backend, postgres_url, "naive") as url:
            naive_result = naive(url, rows[:sample])
    with fresh_database(backend, postgres_url, "copy") as url:
        copy_result = copy_baseline(url, backend, content)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": backend,
        "database": database,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            # Other work on the machine skews timings; recorded so figures can be judged.
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "bulk": bulk_result,
        "naive_sample": naive_result,
        "speedup_per_row": round(bulk_result["rows_per_s"] / naive_result["rows_per_s"], 1)
        if naive_result
        else None,
        "copy": copy_result,
        # How many times the COPY's time the import takes (lower is better).
        "times_copy": round(bulk_result["total_s"] / copy_result["total_s"], 1),
        # The stored rows loaded by the server alone into the schema's tables (PostgreSQL).
        "stored_rows_floor": floor,
        "floor_times_copy": round(floor["total_s"] / copy_result["total_s"], 1) if floor else None,
        "times_floor": round(bulk_result["total_s"] / floor["total_s"], 2) if floor else None,
        "aim_times_copy_at_most": AIM_COPY_RATIO,
    }


def report(result: dict[str, Any]) -> None:
    b, n = result["bulk"], result["naive_sample"]
    machine = result["machine"]
    print(
        f"\n== {result['backend']} ({result['database']}, {machine['cpus']} CPUs, "
        f"load {machine['load_average_1m']})"
    )
    print(
        f"bulk  import_file: {b['rows']} rows in {b['total_s']:.2f} s = {b['rows_per_s']} rows/s, "
        f"peak RSS {b['peak_rss_mb']:.0f} MB ({b['rss_before_mb']:.0f} MB before reading)"
    )
    print(f"      screened: {b['screened']}")
    server_cpu = "n/a" if b["server_cpu_s"] is None else f"{b['server_cpu_s']:.2f} s"
    print(f"      CPU: importing process {b['client_cpu_s']:.2f} s, database server {server_cpu}")
    if n:
        print(
            f"naive per row:    {n['rows']} rows in {n['total_s']:.2f} s = "
            f"{n['rows_per_s']} rows/s (full backlog ≈ {n['extrapolated_full_backlog_s']} s)"
        )
        print(f"bulk vs naive per row: {result['speedup_per_row']}x")
    c = result["copy"]
    met = "met" if result["times_copy"] <= AIM_COPY_RATIO else "not met"
    print(
        f"baseline {c['how']}: {c['rows']} rows in {c['total_s']:.3f} s; the import takes "
        f"{result['times_copy']}x as long (aim ≤ {AIM_COPY_RATIO:g}x: {met})"
    )
    floor = result.get("stored_rows_floor")
    if floor:
        print(
            f"floor: the {floor['rows']} stored rows COPYed by the server alone into tables "
            f"with the schema's indexes and keys: {floor['total_s']:.2f} s (server CPU "
            f"{floor['server_cpu_s']} s) = {result['floor_times_copy']}x the COPY; the import "
            f"takes {result['times_floor']}x this floor"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=BACKLOG_CASES)
    parser.add_argument("--sample", type=int, default=1000, help="rows for the naive baseline")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--postgres-only", action="store_true", help="leave SQLite out")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    parser.add_argument("--import-file", type=Path, help=argparse.SUPPRESS)  # the child
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_file:
        print(json.dumps(import_file(args.database, args.import_file)))
        return
    backends = ([] if args.postgres_only else ["sqlite"]) + (["postgres"] if args.postgres else [])
    for backend in backends:
        result = run(backend, args.postgres, args.rows, args.sample)
        report(result)
        if not args.no_save:
            RESULTS.mkdir(exist_ok=True)
            path = RESULTS / f"import-{backend}-{args.rows}.json"
            path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
            print(f"saved {path}")


if __name__ == "__main__":
    main()
