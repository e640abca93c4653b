"""The replay of the 2020 pilot (``hearing simulate taskforce``) as a throughput figure.

Usage: .venv/bin/python bench/bench_replay.py [--db sqlite|postgres] [--postgres URL]
           [--scale S] [--seed N] [--processes N] [--out FILE]

A fresh database built by the migrations, then ``simulate.taskforce.replay`` at
``--scale`` (default 0.1: a tenth of the backlog) in one transaction, as the command runs
it: actions per second of wall time and of this process's CPU time. With
``--processes N`` the load test: N app processes (uvicorn) on the database, driven over
HTTP (``simulate.http``), and the row reports requests per second of wall time. There is
no baseline and no aim: the row reports the figure (issue 18 asks for the replay's
throughput). Its own line to stdout and, with ``--out``, a JSON file that
``bench/run_all.py`` reads (``{"rows": [...]}``).
"""

import argparse
import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from isolation import isolate, use_database  # noqa: E402

WORKDIR = isolate(
    "bench-replay-",
    HEARING_ENV="test",  # cheap password hashing, Huey in immediate mode
    HEARING_SECRET_KEY="bench-replay-not-secret",  # noqa: S106 - a throwaway database
    HEARING_ELIGIBILITY_POLICY="taskforce-2020",
)

from bench_import import fresh_database, server_version  # noqa: E402
from run_all import POSTGRES_ADMIN, postgres_reachable  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from service.core.db import make_engine  # noqa: E402


def run(
    backend: str, postgres_url: str | None, scale: float, seed: int, processes: int = 0
) -> dict[str, Any]:
    from service.simulate.http import app_processes
    from service.simulate.taskforce import replay

    with fresh_database(backend, postgres_url, "replay") as url:
        use_database(url)
        engine = make_engine(url)
        doors = app_processes(processes, url, str(WORKDIR)) if processes else nullcontext([])
        try:
            with doors as urls, Session(engine) as db:
                result = replay(db, seed=seed, scale=scale, urls=urls)
                db.commit()
            version = server_version(url, backend)
        finally:
            engine.dispose()
    total = result.table[-1]
    if processes:
        return {
            "database": version,
            "scale": scale,
            "seed": seed,
            "processes": processes,
            "requests": result.requests,
            "seconds": round(result.seconds, 2),
            "rows": [
                {
                    "measure": f"replay over HTTP `--scale {scale:g} --processes {processes}` "
                    f"({result.imported:,} cases, {result.requests:,} requests, "
                    f"{total.held:,} written hearings): requests/s wall / actions/s wall",
                    "this": round(result.requests_per_second, 1),
                    "baseline": round(result.per_second, 1),
                    "ratio": None,
                    "aim": None,
                    "met": None,
                }
            ],
        }
    return {
        "database": version,
        "scale": scale,
        "seed": seed,
        "imported": result.imported,
        "actions": result.actions,
        "seconds": round(result.seconds, 2),
        "cpu_seconds": round(result.cpu_seconds, 2),
        "written_hearings": total.held,
        "rows": [
            {
                "measure": f"replay `simulate taskforce --scale {scale:g}` ({result.imported:,} "
                f"cases, {result.actions:,} actions, {total.held:,} written hearings): actions/s "
                f"wall / actions/s CPU",
                "this": round(result.per_second, 1),
                "baseline": round(result.actions / result.cpu_seconds, 1),
                "ratio": None,
                "aim": None,
                "met": None,
            }
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=0, help="app processes over HTTP")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.db == "postgres" and not postgres_reachable(args.postgres):
        sys.exit(f"PostgreSQL at {args.postgres} is not reachable")
    result = run(args.db, args.postgres, args.scale, args.seed, args.processes)
    found = result["rows"][0]
    figures = f"{found['this']:,.1f} / {found['baseline']:,.1f}"
    print(f"| {result['database']} | {found['measure']} | {figures} |")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
