"""Every benchmark in bench/, then one table: each result against its same-run baseline.

Usage: bench/run [--db sqlite|postgres|both] [--postgres URL] [--rounds N] [--seconds S]
                 [--rows N] [--large-rows N] [--sample N] [--renders N]

Runs, each in its own process and on databases of its own, ``bench_import.py`` (bulk
import against COPY of the same rows and a naive per-row ORM import, for the backlog's
15,348 rows; then 150,000 rows, judged linear and in constant memory against it),
``bench_http.py`` (the service against a bare ASGI app), ``bench_audit.py`` (audited
reads against the same service with the audit trail off, 1 and 2 processes) and, on
PostgreSQL, ``bench_claims.py`` (officers taking files against a bare SQL claim loop),
``bench_case_list.py`` (the planner's list against raw SQL) and ``bench_dossier.py`` (the
PDF in the worker's rendering child against bare WeasyPrint, and its memory), and
``bench_reports.py`` (the nationality report against the same aggregation in raw SQL) and,
on PostgreSQL, ``bench_replay.py`` (the 2020 pilot's replay at scale 0.1: actions/s, no
baseline).
Their own output goes to stderr; stdout gets one Markdown table, also saved as
``bench/results/run-<timestamp>.md`` (git-ignored): every row with the service's and the
baseline's figure, the ratio, the row's own aim (issue 17's table) and whether it is met,
and the load average at the start and the end of the run.
"""

import argparse
import json
import os
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
BACKLOG_ROWS = 15_348  # the Taskforce's backlog (bench_import's default)


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


def times(value: float | None, at_least: bool = False) -> str:
    if value is None:
        return "n/a"
    shown = f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"
    return f"{'≥' if at_least else ''}{shown}x"


def number(value: float | None, timeout_ms: float = float("inf")) -> str:
    if value is None:
        return "n/a"
    if value >= timeout_ms:
        return f"≥{value:,.0f}"
    return f"{value:,.3f}" if value < 1 else f"{value:,.0f}"


def verdict(met: bool | None) -> str:
    """Each row is judged against its own aim (the table of issue 17)."""
    return "—" if met is None else "met" if met else "not met"


def row(
    bench_: str,
    database: str,
    measure: str,
    this: str,
    ratio: str,
    aim: str | None,
    met: bool | None,
    errors: str,
) -> str:
    return (
        f"| {bench_} | {database} | {measure} | {this} | {ratio} | {aim or 'no aim'} "
        f"| {verdict(met)} | {errors} |"
    )


# A large file against the backlog's run: time per row and peak RSS (linear, constant).
LARGE_AIM = 1.25


def import_rows(result: dict[str, Any], backlog: dict[str, Any] | None = None) -> list[str]:
    """The backlog's rows (``backlog`` None) or a large file's, judged against the backlog."""
    bulk, naive, copy = result["bulk"], result["naive_sample"], result["copy"]
    database = short(result["database"])
    aim = result["aim_times_copy_at_most"]
    lines = [
        row(
            "import",
            database,
            f"import + screening, {bulk['rows']:,} rows / {copy['how']} of the same rows: s "
            f"(peak RSS {bulk['peak_rss_mb']:,.0f} MB)",
            f"{bulk['total_s']:.2f} / {copy['total_s']:.3f}",
            times(result["times_copy"]),
            f"≤ {aim:g}x" if backlog is None else None,
            result["times_copy"] <= aim if backlog is None else None,
            f"{bulk['failed']} / 0",
        )
    ]
    floor = result.get("stored_rows_floor")
    if floor and backlog is None:
        lines.append(
            row(
                "import",
                database,
                f"context: the import / its {floor['rows']:,} stored rows COPYed by the server "
                f"alone into the schema's tables (indexes, keys; {result['floor_times_copy']}x "
                "the COPY of the CSV): s",
                f"{bulk['total_s']:.2f} / {floor['total_s']:.2f}",
                times(result["times_floor"]),
                None,
                None,
                f"{bulk['failed']} / 0",
            )
        )
    if backlog is not None:
        base = backlog["bulk"]
        per_row = (bulk["total_s"] / bulk["rows"]) / (base["total_s"] / base["rows"])
        memory = bulk["peak_rss_mb"] / base["peak_rss_mb"]
        lines.append(
            row(
                "import",
                database,
                f"linear, constant memory: s per 1,000 rows and peak RSS MB, {bulk['rows']:,} "
                f"rows / {base['rows']:,} rows",
                f"{1000 * bulk['total_s'] / bulk['rows']:.3f} / "
                f"{1000 * base['total_s'] / base['rows']:.3f}; "
                f"{bulk['peak_rss_mb']:,.0f} / {base['peak_rss_mb']:,.0f}",
                f"{times(per_row)}; {times(memory)}",
                f"≤ {LARGE_AIM:g}x both",
                per_row <= LARGE_AIM and memory <= LARGE_AIM,
                f"{bulk['failed']} / 0",
            )
        )
    if naive:
        lines.append(
            row(
                "import",
                database,
                f"rows/s: bulk `import_file` ({bulk['rows']:,} rows) / per-row ORM "
                f"({naive['rows']:,}-row sample)",
                f"{bulk['rows_per_s']:,} / {naive['rows_per_s']:,}",
                times(result["speedup_per_row"]),
                None,
                None,
                f"{bulk['failed']} / 0",
            )
        )
    return lines


def this_run(path: Path, started: float) -> dict[str, Any] | None:
    """A result file written by this run, else None."""
    if path.exists() and path.stat().st_mtime >= started:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    return None


def http_rows(report: dict[str, Any]) -> list[str]:
    timeout_ms = report["settings"]["timeout_s"] * 1000
    rows = []
    for result in report["results"].values():
        database = short(result["database"])
        for summary in result["summary"]:
            s, b = summary["service"], summary["bare"]
            targets, met = summary["targets"], summary["met"]
            throughput, p95 = summary["throughput_ratio"], summary["p95_ratio"]
            errors = f"{s['errors']:,} / {b['errors']:,}"
            censored = (s["p95_ms"] or 0) >= timeout_ms
            at_least, at_most = targets["throughput"], targets["p95"]
            if targets.get("no_errors"):
                rows.append(
                    row(
                        "http",
                        database,
                        f"{summary['scenario']}: req/s service / bare (failed requests: "
                        "5xx, timeouts, dropped connections)",
                        f"{number(s['ok_per_s'])} / {number(b['ok_per_s'])}",
                        times(throughput),
                        "0 failed (service)",
                        met["no_errors"],
                        errors,
                    )
                )
                continue
            rows += [
                row(
                    "http",
                    database,
                    f"{summary['scenario']}: req/s service / bare",
                    f"{number(s['ok_per_s'])} / {number(b['ok_per_s'])}",
                    times(throughput),
                    None if at_least is None else f"≥ {at_least:g}x",
                    met["throughput"],
                    errors,
                ),
                row(
                    "http",
                    database,
                    f"{summary['scenario']}: p95 ms service / bare",
                    f"{number(s['p95_ms'], timeout_ms)} / {number(b['p95_ms'], timeout_ms)}",
                    times(p95, censored),
                    None if at_most is None else f"≤ {at_most:g}x",
                    met["p95"],
                    errors,
                ),
            ]
    return rows


def audit_rows(report: dict[str, Any]) -> list[str]:
    return [
        row(
            "audit",
            short(r["database"]),
            r["measure"],
            f"{number(r['this'])} / {number(r['baseline'])}",
            times(r["ratio"]),
            r["aim"],
            r["met"],
            f"{r['errors'][0]:,} / {r['errors'][1]:,}",
        )
        for r in report["rows"]
    ]


def claims_rows(report: dict[str, Any]) -> list[str]:
    target = report["settings"]["target"]
    ok = report["ratio"] >= target and report["double_claims"] == 0
    return [
        row(
            "claims",
            short(report["database"]),
            f"take next, {report['settings']['officers']} officers over "
            f"{report['settings']['cases']:,} files: claims/s service / bare SQL SKIP LOCKED "
            f"loop ({report['double_claims']} double claims)",
            f"{report['service_claims_per_s']:,.0f} / {report['bare_claims_per_s']:,.0f}",
            times(report["ratio"]),
            f"≥ {target:g}x, 0 double claims",
            ok,
            f"{report['failed_requests']} / 0",
        )
    ]


def case_list_rows(report: dict[str, Any]) -> list[str]:
    settings = report["settings"]
    rows = []
    for result in report["results"].values():
        for found in result["results"]:
            aimed = found["measure"].startswith("list")  # the aim is for the list
            ok = (
                found["ratio"] <= settings["target_ratio"]
                and found["page"] <= settings["target_ms"]
            )
            rows.append(
                row(
                    "case list",
                    short(result["database"]),
                    f"{found['measure']} ({result['cases']:,} cases): page ms (server) / raw "
                    "SQL ms",
                    f"{found['page']:,.1f} / {found['raw']:,.1f}",
                    times(found["ratio"]),
                    f"≤ {settings['target_ratio']:g}x, ≤ {settings['target_ms']:g} ms"
                    if aimed
                    else "no aim",
                    ok if aimed else None,
                    "—",
                )
            )
    return rows


def dossier_rows(report: dict[str, Any]) -> list[str]:
    return [
        row(
            "dossier",
            "—",
            r["measure"],
            f"{number(r['this'])} / {number(r['baseline'])}",
            times(r["ratio"]),
            r["aim"],
            r["met"],
            "—",
        )
        for r in report["rows"]
    ]


def _ms(found: tuple[float, float, float, str, bool]) -> tuple[str, str, str, bool]:
    """A service / baseline pair in ms, its ratio, aim and verdict, as the table shows."""
    this, baseline, ratio, aim, met = found
    return f"{number(this)} / {number(baseline)}", times(ratio), aim, met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres", metavar="URL", default=POSTGRES_ADMIN, help="admin URL")
    parser.add_argument("--rounds", type=int, help="bench_http (default 3)")
    parser.add_argument("--seconds", type=int, help="bench_http, per run (default 3)")
    parser.add_argument("--rows", type=int, help="bench_import (default: the whole backlog)")
    parser.add_argument(
        "--large-rows", type=int, default=150_000, help="bench_import's large file (0: none)"
    )
    parser.add_argument("--sample", type=int, help="bench_import's naive baseline (default 1000)")
    parser.add_argument("--renders", type=int, help="bench_dossier's --many (default 500)")
    args = parser.parse_args()

    started = time.time()
    load_before = os.getloadavg()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in backends and not postgres_reachable(args.postgres):
        if args.db == "postgres":
            sys.exit(f"PostgreSQL is not reachable at {args.postgres}")
        print(f"PostgreSQL is not reachable at {args.postgres}: SQLite only", file=sys.stderr)
        backends.remove("postgres")

    import_args = ["--postgres", args.postgres] if "postgres" in backends else []
    import_args += ["--postgres-only"] if backends == ["postgres"] else []
    backlog_rows = args.rows or BACKLOG_ROWS
    sample = ["--sample", str(args.sample)] if args.sample else []
    passed = bench("bench_import.py", *import_args, "--rows", str(backlog_rows), *sample)
    if args.large_rows:
        large = ["--rows", str(args.large_rows), "--sample", "0"]
        passed = bench("bench_import.py", *import_args, *large) and passed

    http_out = RESULTS / f"http-{stamp}.json"
    http_args = ["--db", "both" if len(backends) == 2 else backends[0]]
    http_args += ["--postgres", args.postgres, "--out", str(http_out)]
    http_args += ["--rounds", str(args.rounds)] if args.rounds else []
    http_args += ["--seconds", str(args.seconds)] if args.seconds else []
    passed = bench("bench_http.py", *http_args) and passed

    # The audited read: audited / unaudited, 1 and 2 processes, on each database.
    audit_out = RESULTS / f"audit-{stamp}.json"
    audit_args = ["--db", "both" if len(backends) == 2 else backends[0]]
    audit_args += ["--postgres", args.postgres, "--out", str(audit_out)]
    audit_args += ["--rounds", str(args.rounds)] if args.rounds else []
    audit_args += ["--seconds", str(args.seconds)] if args.seconds else []
    passed = bench("bench_audit.py", *audit_args) and passed

    # Claims need row locks that skip locked rows: PostgreSQL only.
    claims_out = RESULTS / f"claims-{stamp}.json"
    if "postgres" in backends:
        claims_args = ["--postgres", args.postgres, "--out", str(claims_out)]
        passed = bench("bench_claims.py", *claims_args) and passed

    case_list_out = RESULTS / f"case-list-{stamp}.json"
    case_list_args = ["--db", "both" if len(backends) == 2 else backends[0]]
    case_list_args += ["--postgres", args.postgres, "--out", str(case_list_out)]
    passed = bench("bench_case_list.py", *case_list_args) and passed

    # The dossier needs no database: the worker's rendering child against bare WeasyPrint.
    dossier_out = RESULTS / f"dossier-{stamp}.json"
    dossier_args = ["--out", str(dossier_out)]
    if args.renders:
        dossier_args += ["--few", str(max(1, args.renders // 10)), "--many", str(args.renders)]
    passed = bench("bench_dossier.py", *dossier_args) and passed

    # The nationality report against raw SQL: one row, on PostgreSQL where there is one.
    reports_out = RESULTS / f"reports-{stamp}.json"
    reports_args = ["--db", backends[-1], "--postgres", args.postgres, "--out", str(reports_out)]
    passed = bench("bench_reports.py", *reports_args) and passed

    # The replay's throughput: one row to report, no baseline and no aim.
    replay_out = RESULTS / f"replay-{stamp}.json"
    if "postgres" in backends:
        replay_args = ["--postgres", args.postgres, "--scale", "0.1", "--out", str(replay_out)]
        passed = bench("bench_replay.py", *replay_args) and passed

    lines = [
        "| bench | database | measure | service / baseline | ratio | aim | met | errors |",
        "| --- | --- | --- | ---: | ---: | --- | --- | ---: |",
    ]
    for backend in backends:
        backlog = this_run(RESULTS / f"import-{backend}-{backlog_rows}.json", started)
        if backlog:
            lines += import_rows(backlog)
        large = this_run(RESULTS / f"import-{backend}-{args.large_rows}.json", started)
        if large and backlog:
            lines += import_rows(large, backlog)
    if http_out.exists():
        lines += http_rows(json.loads(http_out.read_text(encoding="utf-8")))
    if audit_out.exists():
        lines += audit_rows(json.loads(audit_out.read_text(encoding="utf-8")))
    if claims_out.exists():
        lines += claims_rows(json.loads(claims_out.read_text(encoding="utf-8")))
    if case_list_out.exists():
        lines += case_list_rows(json.loads(case_list_out.read_text(encoding="utf-8")))
    if dossier_out.exists():
        lines += dossier_rows(json.loads(dossier_out.read_text(encoding="utf-8")))
    if reports_out.exists():
        found = json.loads(reports_out.read_text(encoding="utf-8"))["rows"][0]
        reports = (found["this"], found["baseline"], found["ratio"], found["aim"], found["met"])
        lines.append(row("reports", backends[-1], found["measure"], *_ms(reports), "—"))
    if replay_out.exists():
        replay = json.loads(replay_out.read_text(encoding="utf-8"))
        found, database = replay["rows"][0], short(replay["database"])
        wall_cpu = f"{found['this']:,.1f} / {found['baseline']:,.1f}"
        lines.append(row("replay", database, found["measure"], wall_cpu, "n/a", None, None, "—"))
    load_after = os.getloadavg()
    lines.append("")
    lines.append(
        f"Load average (1, 5, 15 min) at the start: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"at the end: {', '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} CPUs)."
    )
    markdown = "\n".join(lines)
    print(markdown)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"run-{stamp}.md").write_text(markdown + "\n", encoding="utf-8")
    print(f"saved {RESULTS / f'run-{stamp}.md'}", file=sys.stderr)
    if not passed:
        sys.exit("a benchmark failed: see its output above")


if __name__ == "__main__":
    main()
