"""Audited reads: ``GET /api/v1/cases/{id}`` writing its audit entry, against the same
service with the audit trail switched off, at 1 / 8 / 32 clients, with 1 and 2 app
processes, in one run.

Usage: .venv/bin/python bench/bench_audit.py [--db sqlite|postgres|both] [--rounds N]
       [--seconds S] [--postgres ADMIN_URL] [--client wrk|python] [--out FILE]

Per database (a fresh PostgreSQL database or a temporary SQLite file, migrated, seeded
through the real services with a planner and a case): four uvicorn servers side by side,
``service.main:app`` (audited) and ``bench/unaudited_app.py`` (the same app whose audit
note writes nothing), each with 1 and with 2 processes. While the load runs,
``hearing audit seal --watch`` seals the trail as the worker does; afterwards ``hearing
audit verify`` must find it intact, every entry sealed (the benchmark fails otherwise).

Each round runs every (clients, processes) pair on the audited and the unaudited server,
``--seconds`` each (bench_http.py's load generators: wrk, else bench/load_client.py).
Ratios are medians of the rounds' ratios. Aims (issue 17): audited ≥ 0.8x unaudited at 32
clients; audited with 2 processes ≥ 1.6x with 1, at 32 clients. Results go to stdout
and ``bench/results/audit-<timestamp>.json`` (git-ignored); ``rows`` there is what
``run_all.py`` prints.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

# bench_http isolates this process first (own queue, own database): before the service.
from bench_http import (  # noqa: E402
    POSTGRES_ADMIN,
    RESULTS,
    TMP,
    Scenario,
    Server,
    fresh_database,
    load,
    load_client,
    machine,
    median,
    ms,
    postgres_reachable,
    ratio,
    run_once,
    running,
    server_version,
    wait_healthy,
)
from isolation import use_database  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from service.core.db import make_engine  # noqa: E402
from service.core.settings import Settings  # noqa: E402

APPS = {"audited": "service.main:app", "unaudited": "bench.unaudited_app:app"}
CLIENTS = (1, 8, 32)
PROCESSES = (1, 2)
AIM_AUDITED = 0.8  # audited / unaudited req/s at 32 clients, at least
AIM_PROCESSES = 1.6  # 2 processes / 1 process, audited, 32 clients, at least
AIM_CLIENTS = 32


def seed(url: str) -> tuple[str, str]:
    """A planner's bearer token and a case, committed through the real services."""
    from service.models import Role
    from tests.factories import Factory

    use_database(url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            factory = Factory(db)
            token = factory.person(Role.PLANNER).token
            case_id = str(factory.case().id)
            db.commit()
    finally:
        engine.dispose()
    return token, case_id


def hearing(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARING_DATABASE_URL": url}
    return subprocess.run(  # noqa: S603 - our own fixed command
        [sys.executable, "-m", "service.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def measure(
    client: str, url: str, token: str, case_id: str, rounds: int, seconds: int
) -> tuple[list[dict[str, Any]], str]:
    # One line per client (the python load client starts one client per line).
    tokens = {n: TMP / f"audit-tokens-{n}.txt" for n in (*CLIENTS, 8)}
    for n, path_ in tokens.items():
        path_.write_text(f"{token}\n" * n, encoding="utf-8")
    path = f"/api/v1/cases/{case_id}"
    servers = {
        f"{kind} x{n}": Server(app, url, workers=n) for kind, app in APPS.items() for n in PROCESSES
    }
    runs: list[dict[str, Any]] = []
    sealer_log = (TMP / "sealer.log").open("ab")
    sealer = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "audit", "seal", "--watch"],
        cwd=ROOT,
        env={**os.environ, "HEARING_DATABASE_URL": url},
        stdout=sealer_log,
        stderr=sealer_log,
    )
    try:
        with running(servers):
            for server in servers.values():  # warm-up
                load(client, server.url, Scenario("warm-up", "GET", path, 8), tokens[8], "", 1)
                wait_healthy(server.url, 60)
            for number in range(1, rounds + 1):
                for clients in CLIENTS:
                    scenario = Scenario("audited read", "GET", path, clients)
                    for n in PROCESSES:
                        for kind in APPS:
                            server = servers[f"{kind} x{n}"]
                            result = run_once(
                                client, server, scenario, tokens[clients], "", seconds
                            )
                            runs.append(
                                {"round": number, "clients": clients, "processes": n}
                                | {"kind": kind, **result}
                            )
                            print(
                                f"  round {number}  {clients:>2} clients  {n} process(es)  "
                                f"{kind:<9} {result['ok_per_s']:>8.1f} req/s  "
                                f"p95 {ms(result['p95_ms']):>8} ms  errors {result['errors']}",
                                file=sys.stderr,
                                flush=True,
                            )
    finally:
        sealer.terminate()
        sealer.wait(timeout=30)
        sealer_log.close()
    sealed = hearing(url, "audit", "seal")
    verified = hearing(url, "audit", "verify")
    verdict = (verified.stdout + verified.stderr).strip()
    if sealed.returncode or verified.returncode:
        raise RuntimeError(f"the audit trail does not verify:\n{sealed.stderr}\n{verdict}")
    return runs, verdict


def pick(runs: list[dict[str, Any]], **where: Any) -> dict[int, dict[str, Any]]:
    """The runs matching ``where``, by round."""
    return {r["round"]: r for r in runs if all(r[k] == v for k, v in where.items())}


def summarise(runs: list[dict[str, Any]], database: str) -> list[dict[str, Any]]:
    """Rows for the table: service, baseline, ratio, aim, met."""
    rows = []

    def row(measure: str, this: dict[int, Any], base: dict[int, Any], aim: float | None) -> None:
        by_round = [
            ratio(this[n]["ok_per_s"], base[n]["ok_per_s"]) for n in sorted(this) if n in base
        ]
        value = median(by_round)
        rows.append(
            {
                "bench": "audit",
                "database": database,
                "measure": measure,
                "this": median([r["ok_per_s"] for r in this.values()]),
                "baseline": median([r["ok_per_s"] for r in base.values()]),
                "unit": "req/s",
                "p95_ms": [
                    median([r["p95_ms"] for r in this.values()]),
                    median([r["p95_ms"] for r in base.values()]),
                ],
                "ratio": value,
                "ratio_by_round": by_round,
                "aim": None if aim is None else f"≥ {aim:g}x",
                "met": None if aim is None else value is not None and value >= aim,
                "errors": [
                    sum(r["errors"] for r in this.values()),
                    sum(r["errors"] for r in base.values()),
                ],
            }
        )

    for clients in CLIENTS:
        for n in PROCESSES:
            row(
                f"audited GET /cases/{{id}}, {clients} clients, {n} process(es): "
                "req/s audited / unaudited",
                pick(runs, clients=clients, processes=n, kind="audited"),
                pick(runs, clients=clients, processes=n, kind="unaudited"),
                AIM_AUDITED if clients == AIM_CLIENTS else None,
            )
    for kind in APPS:
        row(
            f"{kind} GET /cases/{{id}}, {AIM_CLIENTS} clients: req/s 2 processes / 1 process",
            pick(runs, clients=AIM_CLIENTS, processes=2, kind=kind),
            pick(runs, clients=AIM_CLIENTS, processes=1, kind=kind),
            AIM_PROCESSES if kind == "audited" else None,
        )
    return rows


def verdict_word(met: bool | None) -> str:
    return "—" if met is None else "met" if met else "not met"


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| database | measure | this / baseline | ratio | aim | met | p95 ms | errors |",
        "| --- | --- | ---: | ---: | --- | --- | ---: | ---: |",
    ]
    for r in rows:
        shown = " / ".join("n/a" if v is None else f"{v:,.0f}" for v in (r["this"], r["baseline"]))
        value = "n/a" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        p95 = " / ".join(ms(v) for v in r["p95_ms"])
        lines.append(
            f"| {r['database']} | {r['measure']} | {shown} | {value} | {r['aim'] or '—'} "
            f"| {verdict_word(r['met'])} | {p95} | {r['errors'][0]} / {r['errors'][1]} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="postgres")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3, help="per run")
    parser.add_argument("--postgres", metavar="URL", default=POSTGRES_ADMIN, help="admin URL")
    parser.add_argument("--client", choices=("wrk", "python"), help="default: wrk if present")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    admin_url = Settings(database_url=args.postgres).database_url
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in backends and not postgres_reachable(admin_url):
        if args.db != "both":
            sys.exit(f"PostgreSQL is not reachable at {args.postgres}")
        backends.remove("postgres")
    client = load_client(args.client)

    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    results: dict[str, Any] = {}
    try:
        for backend in backends:
            with fresh_database(backend, admin_url) as url:
                database = server_version(url)
                print(f"== {database}: audited reads", file=sys.stderr, flush=True)
                token, case_id = seed(url)
                began = time.perf_counter()
                runs, verdict = measure(client, url, token, case_id, args.rounds, args.seconds)
                print(f"  {verdict}", file=sys.stderr, flush=True)
                summary = summarise(runs, database)
                rows += summary
                results[backend] = {
                    "database": database,
                    "seconds": round(time.perf_counter() - began, 1),
                    "verify": verdict,
                    "runs": runs,
                }
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    markdown = table(rows)
    print(markdown)
    report = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(load_before),
        "settings": {"rounds": args.rounds, "seconds": args.seconds, "client": client},
        "rows": rows,
        "results": results,
        "table": markdown,
    }
    out = args.out or RESULTS / f"audit-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"saved {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
