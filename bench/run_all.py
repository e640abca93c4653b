"""Every benchmark in bench/, then one table: each result against its same-run baseline.

Usage: bench/run [--db sqlite|postgres|both] [--postgres URL] [--rounds N] [--seconds S]
                 [--rows N] [--sample N]

Runs, each in its own process, ``bench_import.py`` (bulk import against a naive
per-row ORM import), ``bench_http.py`` (the service against a bare ASGI app) and, on
PostgreSQL, ``bench_claims.py`` (officers taking files against a bare SQL claim loop). Their
own output goes to stderr; stdout gets one Markdown table of ratios, also saved as
``bench/results/run-<timestamp>.md`` (git-ignored).
"""

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_reachable(url: str) -> bool:
    for plain in ("postgres://", "postgresql://"):  # the installed driver is psycopg 3
        if url.startswith(plain):
            url = "postgresql+psycopg://" + url.removeprefix(plain)
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


def bench(script: str, *args: str) -> bool:
    """Run one benchmark; its output (progress and its own table) goes to stderr."""
    command = [sys.executable, str(BENCH / script), *args]
    print(f"\n$ {' '.join(command[1:])}", file=sys.stderr, flush=True)
    done = subprocess.run(command, stdout=sys.stderr, check=False)  # noqa: S603 - our scripts
    if done.returncode:
        print(f"{script} failed (exit {done.returncode})", file=sys.stderr)
    return done.returncode == 0


def short(database: str) -> str:
    """'PostgreSQL 15.20 (Debian ...)' -> 'PostgreSQL 15.20'."""
    return " ".join(database.split()[:2])


def times(value: float | None, target: str = "", ok: bool | None = None) -> str:
    if value is None:
        return "n/a"
    shown = f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"
    return f"{target}{shown}x" + ("" if ok is None else " ✓" if ok else " ✗")


def number(value: float | None, timeout_ms: float = float("inf")) -> str:
    if value is None:
        return "n/a"
    return f"≥{value:,.0f}" if value >= timeout_ms else f"{value:,.0f}"


def import_rows(result: dict[str, Any]) -> list[str]:
    bulk, naive = result["bulk"], result["naive_sample"]
    return [
        f"| import | {short(result['database'])} "
        f"| rows/s: bulk `import_rows` ({bulk['rows']:,} rows) / per-row ORM "
        f"({naive['rows']:,}-row sample) | {bulk['rows_per_s']:,} / {naive['rows_per_s']:,} "
        f"| {times(result['speedup_per_row'])} | — | {bulk['failed']} / 0 |"
    ]


def http_rows(report: dict[str, Any]) -> list[str]:
    settings = report["settings"]
    at_least = settings["targets"]["throughput_at_least"]
    at_most = settings["targets"]["p95_at_most"]
    timeout_ms = settings["timeout_s"] * 1000
    rows = []
    for result in report["results"].values():
        database = short(result["database"])
        for row in result["summary"]:
            s, b = row["service"], row["bare"]
            throughput, p95 = row["throughput_ratio"], row["p95_ratio"]
            errors = f"{s['errors']:,} / {b['errors']:,}"
            censored = (s["p95_ms"] or 0) >= timeout_ms
            rows += [
                f"| http | {database} | {row['scenario']}: req/s service / bare "
                f"| {number(s['ok_per_s'])} / {number(b['ok_per_s'])} "
                f"| {times(throughput, '', throughput is not None and throughput >= at_least)} "
                f"| ≥ {at_least:g}x | {errors} |",
                f"| http | {database} | {row['scenario']}: p95 ms service / bare "
                f"| {number(s['p95_ms'], timeout_ms)} / {number(b['p95_ms'], timeout_ms)} "
                f"| {times(p95, '≥' if censored else '', p95 is not None and p95 <= at_most)} "
                f"| ≤ {at_most:g}x | {errors} |",
            ]
    return rows


def claims_rows(report: dict[str, Any]) -> list[str]:
    target = report["settings"]["target"]
    ok = report["ratio"] >= target and report["double_claims"] == 0
    return [
        f"| claims | {short(report['database'])} | take next, {report['settings']['officers']} "
        f"officers over {report['settings']['cases']:,} files: claims/s service / bare SQL "
        f"SKIP LOCKED loop | {report['service_claims_per_s']:,.0f} / "
        f"{report['bare_claims_per_s']:,.0f} | {times(report['ratio'], '', ok)} "
        f"| ≥ {target:g}x, 0 double claims ({report['double_claims']}) "
        f"| {report['failed_requests']} / 0 |"
    ]


def case_list_rows(report: dict[str, Any]) -> list[str]:
    settings = report["settings"]
    rows = []
    for result in report["results"].values():
        for row in result["results"]:
            aimed = row["measure"].startswith("list")  # the aim is for the list
            ok = row["ratio"] <= settings["target_ratio"] and row["page"] <= settings["target_ms"]
            target = f"≤ {settings['target_ratio']:g}x, ≤ {settings['target_ms']:g} ms"
            rows.append(
                f"| case list | {short(result['database'])} | {row['measure']} "
                f"({result['cases']:,} cases): page ms (server) / raw SQL ms "
                f"| {row['page']:,.1f} / {row['raw']:,.1f} "
                f"| {times(row['ratio'], '', ok if aimed else None)} "
                f"| {target if aimed else '—'} | — |"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres", metavar="URL", default=POSTGRES_ADMIN, help="admin URL")
    parser.add_argument("--rounds", type=int, help="bench_http (default 3)")
    parser.add_argument("--seconds", type=int, help="bench_http, per run (default 3)")
    parser.add_argument("--rows", type=int, help="bench_import (default: the whole backlog)")
    parser.add_argument("--sample", type=int, help="bench_import's naive baseline (default 1000)")
    args = parser.parse_args()

    started = time.time()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in backends and not postgres_reachable(args.postgres):
        if args.db == "postgres":
            sys.exit(f"PostgreSQL is not reachable at {args.postgres}")
        print(f"PostgreSQL is not reachable at {args.postgres}: SQLite only", file=sys.stderr)
        backends.remove("postgres")

    # bench_import always measures SQLite, and PostgreSQL when given a server.
    import_args = ["--postgres", args.postgres] if "postgres" in backends else []
    import_args += ["--rows", str(args.rows)] if args.rows else []
    import_args += ["--sample", str(args.sample)] if args.sample else []
    passed = bench("bench_import.py", *import_args)

    http_out = RESULTS / f"http-{stamp}.json"
    http_args = ["--db", "both" if len(backends) == 2 else backends[0]]
    http_args += ["--postgres", args.postgres, "--out", str(http_out)]
    http_args += ["--rounds", str(args.rounds)] if args.rounds else []
    http_args += ["--seconds", str(args.seconds)] if args.seconds else []
    passed = bench("bench_http.py", *http_args) and passed

    # Claims need row locks that skip locked rows: PostgreSQL only.
    claims_out = RESULTS / f"claims-{stamp}.json"
    if "postgres" in backends:
        claims_args = ["--postgres", args.postgres, "--out", str(claims_out)]
        passed = bench("bench_claims.py", *claims_args) and passed

    case_list_out = RESULTS / f"case-list-{stamp}.json"
    case_list_args = ["--db", "both" if len(backends) == 2 else backends[0]]
    case_list_args += ["--postgres", args.postgres, "--out", str(case_list_out)]
    passed = bench("bench_case_list.py", *case_list_args) and passed

    lines = [
        "| bench | database | measure | this / baseline | ratio | target | errors |",
        "| --- | --- | --- | ---: | ---: | --- | ---: |",
    ]
    for backend in backends:
        path = RESULTS / f"import-{backend}.json"
        if path.exists() and path.stat().st_mtime >= started:  # written by this run
            lines += import_rows(json.loads(path.read_text(encoding="utf-8")))
    if http_out.exists():
        lines += http_rows(json.loads(http_out.read_text(encoding="utf-8")))
    if claims_out.exists():
        lines += claims_rows(json.loads(claims_out.read_text(encoding="utf-8")))
    if case_list_out.exists():
        lines += case_list_rows(json.loads(case_list_out.read_text(encoding="utf-8")))
    markdown = "\n".join(lines)
    print(markdown)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"run-{stamp}.md").write_text(markdown + "\n", encoding="utf-8")
    print(f"saved {RESULTS / f'run-{stamp}.md'}", file=sys.stderr)
    if not passed:
        sys.exit("a benchmark failed: see its output above")


if __name__ == "__main__":
    main()
