"""The planner's case list and case page against the same queries in raw SQL, in one run.

Usage: .venv/bin/python bench/bench_case_list.py [--db sqlite|postgres|both]
           [--postgres URL] [--cases N] [--large] [--rounds N] [--out FILE]

Each backend gets a fresh database built by the migrations, filled with the backlog
(15,348 cases, ``service.dev.demo.backlog_rows``, imported and screened by ``import_rows``;
``--large``: 150,000 cases of the same mix, which takes some minutes to import).
A planner signs in through the sign-in pages of an in-process app (``TestClient``).

Measured, alternately, ``--rounds`` times each (medians compared):

- **page**: ``GET /planner/cases?...`` (filtered, sorted, a page far from the first) and
  ``GET /planner/cases/{id}``: the whole server side (routing, session, queries,
  decryption, rendering), in process, no network;
- **service**: ``cases.queries.search_cases`` alone (the list's queries through the ORM);
- **raw SQL**: the same statements as text on one connection (the count, the page's rows,
  the signals of the page, the lawyers' firms, every filter's counts; for the case page
  the case, its events, signals, screenings, invitations, translation, hand-off and
  messages), no ORM, no decryption, no template.

Aim (issue 16): the list at most 2x the raw SQL and under 200 ms server time at 15k.
Results go to stdout and, with ``--out``, to a JSON file (``bench/run`` reads it).
"""

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from isolation import isolate, use_database  # noqa: E402

isolate(
    "bench-case-list-",
    HEARING_ENV="test",  # cheap password hashing, Huey in immediate mode
    HEARING_SECRET_KEY="bench-case-list-not-secret",  # noqa: S106 - a throwaway database
)

from bench_import import fresh_database, server_version  # noqa: E402
from run_all import postgres_reachable  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.engine import Connection  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from service.core.db import make_engine  # noqa: E402
from service.workflow import OPEN_STATES  # noqa: E402

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
LARGE = 150_000
TARGET_RATIO = 2.0
TARGET_MS = 200.0
# The lists a planner asks for: filtered, sorted, and a page well into the result.
SCENARIOS: dict[str, dict[str, str]] = {
    "screened, by target date, page 20": {"state": "screened", "sort": "target", "page": "20"},
    "Syrian, eligible, by application date, page 5": {
        "nationality": "SY",
        "outcome": "eligible",
        "sort": "application",
        "page": "5",
    },
}


def fill(url: str, cases: int) -> None:
    """The backlog, imported and screened through ``import_rows`` as the import page does."""
    from service.cases.importing import import_rows, parse_file
    from service.core.actor import SYSTEM
    from service.dev.demo import as_csv, backlog_rows, ensure_staff

    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            ensure_staff(db)
            rows = parse_file(as_csv(backlog_rows(cases)).encode(), "backlog.csv")
            import_rows(db, rows, SYSTEM)
            db.commit()
    finally:
        engine.dispose()


def raw_list(conn: Connection, params: dict[str, str], now: datetime, today: date) -> None:
    """The list page's statements as raw SQL: count, page, signals, firms, facet counts."""
    where, args = ["1=1"], {}
    conditions = {
        "state": ("state = :state", params.get("state")),
        "nationality": ("nationality = :nationality", params.get("nationality")),
        "outcome": ("track IS NOT NULL", params.get("outcome")),
    }
    for _name, (clause, value) in conditions.items():
        if value:
            where.append(clause)
    for key in ("state", "nationality"):
        if params.get(key):
            args[key] = params[key]

    def minus(skip: str) -> str:
        kept = ["1=1"] + [c for n, (c, v) in conditions.items() if v and n != skip]
        return " AND ".join(kept)

    filtered = " AND ".join(where)
    order = (
        "date_of_application, v_number"
        if params.get("sort") == "application"
        else "target_date IS NULL, target_date, v_number"
    )
    offset = (int(params.get("page", "1")) - 1) * 50
    conn.execute(text(f"SELECT count(*) FROM cases WHERE {filtered}"), args).scalar()  # noqa: S608
    ids = [
        row.id
        for row in conn.execute(
            text(
                f"SELECT * FROM cases WHERE id IN (SELECT id FROM cases WHERE {filtered} "  # noqa: S608
                f"ORDER BY {order} LIMIT 50 OFFSET {offset}) ORDER BY {order}"
            ),
            args,
        )
    ]
    if ids:
        marks = ", ".join(f":i{n}" for n in range(len(ids)))
        found = {f"i{n}": value for n, value in enumerate(ids)}
        conn.execute(text(f"SELECT * FROM signals WHERE case_id IN ({marks})"), found).all()  # noqa: S608
    conn.execute(text("SELECT id, organisation FROM users WHERE role = 'lawyer'")).all()
    for column in ("state", "track", "nationality"):
        conn.execute(
            text(
                f"SELECT {column}, count(*) FROM cases WHERE {minus(column)} "  # noqa: S608
                f"GROUP BY {column} ORDER BY count(*) DESC"
            ),
            {k: v for k, v in args.items() if k != column},
        ).all()
    facet_args = {k: v for k, v in args.items()}
    outcome_free = minus("outcome")
    for extra in ("state = 'imported'", "state = 'excluded'", "track IS NOT NULL"):
        conn.execute(
            text(f"SELECT count(*) FROM cases WHERE {outcome_free} AND {extra}"),  # noqa: S608
            facet_args,
        ).scalar()
    # Overdue, as the service counts it: open, past the target or a term of the lawyer's.
    open_states = ", ".join(f"'{state}'" for state in sorted(OPEN_STATES))
    conn.execute(
        text(
            f"SELECT count(*) FROM cases WHERE {filtered} AND state IN ({open_states}) "  # noqa: S608
            "AND (target_date < :today OR state = 'invited' AND reply_due_at < :now "
            "OR state = 'with_lawyer' AND corrections_due_at < :now)"
        ),
        {**args, "today": today, "now": now},
    ).scalar()
    conn.execute(
        text(
            f"SELECT count(*) FROM cases WHERE {filtered} AND EXISTS "  # noqa: S608
            "(SELECT 1 FROM signals WHERE signals.case_id = cases.id)"
        ),
        args,
    ).scalar()
    conn.execute(
        text(
            "SELECT users.organisation, count(*) FROM cases JOIN users ON users.id = "  # noqa: S608
            f"cases.lawyer_id WHERE {filtered} AND users.organisation IS NOT NULL "
            "GROUP BY users.organisation ORDER BY users.organisation"
        ),
        args,
    ).all()


def raw_case(conn: Connection, case_id: Any) -> None:
    """The case page's reads as raw SQL."""
    case = conn.execute(text("SELECT * FROM cases WHERE id = :id"), {"id": case_id}).one()
    if case.lawyer_id:
        conn.execute(text("SELECT * FROM users WHERE id = :id"), {"id": case.lawyer_id}).one()
    for table, order in (
        ("case_events", "id"),
        ("signals", "noted_at"),
        ("screenings", "screened_at"),
        ("invitations", "sent_at"),
        ("messages", "created_at"),
        ("hearing_handoffs", "case_id"),
        ("terms", "started_at"),
    ):
        conn.execute(
            text(f"SELECT * FROM {table} WHERE case_id = :id ORDER BY {order}"),  # noqa: S608
            {"id": case_id},
        ).all()
    conn.execute(
        text(
            "SELECT * FROM translations JOIN agencies ON agencies.id = translations.agency_id "
            "WHERE translations.case_id = :id"
        ),
        {"id": case_id},
    ).all()


def timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def measure(pairs: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """Alternate the measured things ``rounds`` times (after two warm-up rounds)."""
    samples: dict[str, list[float]] = {name: [] for name in pairs}
    for round_no in range(rounds + 2):
        for name, work in pairs.items():
            ms = timed(work)
            if round_no >= 2:
                samples[name].append(ms)
    return {name: round(statistics.median(values), 2) for name, values in samples.items()}


def run(
    backend: str, postgres_url: str | None, cases: int, large: bool, rounds: int
) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from service.cases.queries import CaseFilter, search_cases
    from service.core.clock import utcnow
    from service.main import app
    from service.models import Role
    from service.models.cases import Case
    from service.terms.policy import local_date
    from tests.factories import Factory
    from tests.helpers import sign_in

    with fresh_database(backend, postgres_url, "caselist") as url:
        started = time.perf_counter()
        fill(url, LARGE if large else cases)
        use_database(url)
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as db:
                person = Factory(db).person(Role.PLANNER)
                db.commit()
                total = db.query(Case).count()
                sample = db.scalar(select(Case).order_by(Case.v_number).offset(total // 2))
                assert sample is not None
            print(
                f"{backend}: {total:,} cases in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            browser = TestClient(app)
            assert sign_in(browser, person.user.username).status_code == 303
            now = utcnow()
            today = local_date(now)
            results = []
            for label, params in SCENARIOS.items():
                query = "&".join(f"{k}={v}" for k, v in params.items())

                def page(query: str = query) -> None:
                    answer = browser.get(f"/planner/cases?{query}", headers={"accept": "text/html"})
                    assert answer.status_code == 200, answer.status_code

                def service(params: dict[str, str] = params) -> None:
                    with Session(engine) as db:
                        search_cases(db, person.actor, CaseFilter.model_validate(params))

                def raw(params: dict[str, str] = params) -> None:
                    with engine.connect() as conn:
                        raw_list(conn, params, now, today)

                medians = measure({"page": page, "service": service, "raw": raw}, rounds)
                results.append({"measure": f"list: {label}", **medians})

            def case_page() -> None:
                answer = browser.get(f"/planner/cases/{sample.id}", headers={"accept": "text/html"})
                assert answer.status_code == 200, answer.status_code

            # As the database stores it: SQLite holds UUIDs as 32 hex digits.
            stored_id = sample.id.hex if backend == "sqlite" else sample.id

            def raw_page() -> None:
                with engine.connect() as conn:
                    raw_case(conn, stored_id)

            medians = measure({"page": case_page, "raw": raw_page}, rounds)
            results.append({"measure": "case page", **medians, "service": None})
            version = server_version(url, backend)
        finally:
            engine.dispose()
    for row in results:
        row["ratio"] = round(row["page"] / row["raw"], 2)
        if row.get("service") is not None:
            row["service_ratio"] = round(row["service"] / row["raw"], 2)
    return {"database": version, "cases": total, "results": results}


def meets_aim(row: dict[str, Any]) -> bool | None:
    """The issue's aim is for the list; the case page is shown against raw SQL only."""
    if not row["measure"].startswith("list"):
        return None
    return row["page"] <= TARGET_MS and row["ratio"] <= TARGET_RATIO


def report(result: dict[str, Any]) -> None:
    print(f"\n{result['database']}, {result['cases']:,} cases")
    print("| measure | page ms (server) | service ms | raw SQL ms | page / raw | service / raw |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in result["results"]:
        ok = meets_aim(row)
        service = "—" if row.get("service") is None else f"{row['service']:.1f}"
        service_ratio = "—" if row.get("service_ratio") is None else f"{row['service_ratio']:.2f}x"
        print(
            f"| {row['measure']} | {row['page']:.1f} | {service} | {row['raw']:.1f} "
            f"| {row['ratio']:.2f}x {'—' if ok is None else '✓' if ok else '✗'} "
            f"| {service_ratio} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--postgres", metavar="URL", default=POSTGRES_ADMIN)
    parser.add_argument("--cases", type=int, default=15_348)
    parser.add_argument("--large", action="store_true", help=f"grow to {LARGE:,} cases")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in backends and not postgres_reachable(args.postgres):
        if args.db == "postgres":
            sys.exit(f"PostgreSQL is not reachable at {args.postgres}")
        print("PostgreSQL not reachable: SQLite only", file=sys.stderr)
        backends.remove("postgres")
    results = {}
    for backend in backends:
        pg = args.postgres if backend == "postgres" else None
        results[backend] = run(backend, pg, args.cases, args.large, args.rounds)
        report(results[backend])
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        settings = {"target_ratio": TARGET_RATIO, "target_ms": TARGET_MS, "rounds": args.rounds}
        payload = {"settings": settings, "results": results}
        args.out.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
