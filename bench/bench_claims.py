"""Claim throughput: 20 officers pressing "take next" over 1,000 ready files, against a
bare SQL claim loop with ``FOR UPDATE SKIP LOCKED``, in one run on PostgreSQL.

Usage: .venv/bin/python bench/bench_claims.py [--postgres ADMIN_URL] [--cases N]
       [--officers N] [--rounds N] [--out FILE]

On a fresh PostgreSQL database ``hearing_bench_<random>`` (built by the migrations,
dropped at the end): 20 officers with bearer tokens and one file driven to
``ready_for_decision`` through the real services, copied to ``--cases`` files. Each round:

- service: the app in its own uvicorn process (``hearing serve``); 20 threads, one per
  officer, each with its own keep-alive connection, ``POST /api/v1/decision-queue/take-next``
  until the queue answers 404;
- bare: 20 threads, each with its own database connection, in a loop of one transaction:
  ``SELECT ... ORDER BY deadline, application LIMIT 1 FOR UPDATE SKIP LOCKED``, ``UPDATE``
  the case, ``INSERT`` its event row, ``COMMIT``, until nothing is left.

Between runs every file goes back to the queue (and the tables are vacuumed); the service
and the bare loop take turns going first. Both count double claims (a file claimed
twice, by the answers and by the event rows): the result must be zero. The table shows
claims per second, medians over the rounds, and the ratio service/bare (target ≥ 0.5x).
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from bench_http import fresh_database, postgres_reachable, server_version  # noqa: E402
from isolation import use_database  # noqa: E402
from sqlalchemy import Engine, create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

RESULTS = BENCH / "results"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET = 0.5


@dataclass
class Seeded:
    tokens: list[str]
    officer_ids: list[uuid.UUID]


def seed(url: str, cases: int, officers: int) -> Seeded:
    """Officers with tokens, one file driven to the queue by the real services, copies.

    The copies are inserted in bulk, so their encrypted columns are sealed here, each for
    its own row (a sealed value is bound to its row id: one cannot be copied)."""
    from service.core.crypto import encrypted_columns, seal_value
    from service.models import Role
    from service.models.cases import Case
    from service.workflow import CaseState
    from tests.factories import Factory

    use_database(url)  # jobs the seeding queues (immediate mode) run on this database
    engine = create_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            factory = Factory(db)
            people = [factory.person(Role.OFFICER, f"bench{i}") for i in range(officers)]
            template = factory.case_in(CaseState.READY_FOR_DECISION)
            db.flush()
            row = {c.key: getattr(template, c.key) for c in Case.__mapper__.column_attrs}
            copies = []
            for i in range(cases - 1):
                copy = dict(row, id=uuid.uuid4(), v_number=f"{9000000000 + i:010d}")
                copy["date_of_application"] = row["date_of_application"] - timedelta(days=i % 900)
                for key, column in encrypted_columns(Case.__mapper__):
                    copy[key] = seal_value(column, copy["id"], row[key])
                copies.append(copy)
            if copies:
                db.execute(insert(Case), copies)
            db.commit()
            return Seeded([p.token for p in people], [p.user.id for p in people])
    finally:
        engine.dispose()


def reset(engine: Engine) -> None:
    """Every file back in the queue, no claim events."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE cases SET state = 'ready_for_decision', claimed_by_id = NULL, "
                "lease_expires_at = NULL WHERE state = 'claimed'"
            )
        )
        conn.execute(text("DELETE FROM case_events WHERE event = 'claim'"))
    # Every run starts from the same tables: without this, the dead row versions of the
    # runs before (and autovacuum, whenever it wakes) slow whichever run comes next.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) cases, case_events"))


def double_claims(engine: Engine) -> int:
    from service.models.cases import CaseEventRow

    with Session(engine) as db:
        counts = db.execute(
            select(CaseEventRow.case_id, func.count())
            .where(CaseEventRow.event == "claim")
            .group_by(CaseEventRow.case_id)
        ).all()
    return sum(n - 1 for _, n in counts if n > 1)


def run_threads(work: list[Any], one: Any) -> tuple[float, list[list[str]]]:
    """Start one thread per item at one barrier; seconds until all are done, their claims."""
    barrier = threading.Barrier(len(work) + 1)
    claimed: list[list[str]] = [[] for _ in work]
    errors: list[BaseException] = []

    def runner(i: int) -> None:
        try:
            one(work[i], barrier, claimed[i])
        except BaseException as exc:  # reported after the run
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} workers failed, e.g. {errors[0]!r}")
    return elapsed, claimed


async def _officer(host: str, port: int, token: str, start: asyncio.Event) -> tuple[list[str], int]:
    """One officer on one keep-alive connection: take next until the queue answers 404.

    Raw asyncio streams, as bench/load_client.py: an HTTP library's own cost per request
    would be measured as the service's."""
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        "POST /api/v1/decision-queue/take-next HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()
    mine: list[str] = []
    failed = 0
    await start.wait()
    try:
        while True:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            body = await reader.readexactly(length)
            if status == 404:
                return mine, failed
            if status != 200:
                failed += 1
                continue
            mine.append(json.loads(body)["id"])
    finally:
        writer.close()


async def _floor_client(
    host: str, port: int, token: str, requests: int, start: asyncio.Event
) -> int:
    """The service's request floor for context: ``GET /api/v1/me`` (sign-in only)."""
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        f"GET /api/v1/me HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n\r\n"
    ).encode()
    await start.wait()
    ok = 0
    try:
        for _ in range(requests):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            ok += head.startswith(b"HTTP/1.1 200")
    finally:
        writer.close()
    return ok


def floor_run(app_url: str, tokens: list[str], total: int) -> float:
    """Requests per second of GET /me: as many requests as there are files to claim."""
    host, port = app_url.removeprefix("http://").split(":")

    async def everyone() -> tuple[float, int]:
        start = asyncio.Event()
        each = total // len(tokens)
        tasks = [
            asyncio.create_task(_floor_client(host, int(port), t, each, start)) for t in tokens
        ]
        await asyncio.sleep(0.2)
        began = time.perf_counter()
        start.set()
        done = sum(await asyncio.gather(*tasks))
        return time.perf_counter() - began, done

    elapsed, done = asyncio.run(everyone())
    return round(done / elapsed, 1)


def service_run(app_url: str, tokens: list[str]) -> tuple[float, list[list[str]], int]:
    host, port = app_url.removeprefix("http://").split(":")

    async def everyone() -> tuple[float, list[tuple[list[str], int]]]:
        start = asyncio.Event()
        tasks = [asyncio.create_task(_officer(host, int(port), t, start)) for t in tokens]
        await asyncio.sleep(0.2)  # every connection open
        began = time.perf_counter()
        start.set()
        results = await asyncio.gather(*tasks)
        return time.perf_counter() - began, results

    elapsed, results = asyncio.run(everyone())
    return elapsed, [mine for mine, _ in results], sum(failed for _, failed in results)


BARE_PICK = text(
    "SELECT id FROM cases WHERE state = 'ready_for_decision' "
    "ORDER BY target_date NULLS LAST, date_of_application, ready_at "
    "LIMIT 1 FOR UPDATE SKIP LOCKED"
)
BARE_CLAIM = text(
    "UPDATE cases SET state = 'claimed', claimed_by_id = :officer, lease_expires_at = :lease, "
    "version = version + 1 WHERE id = :id"
)
BARE_EVENT = text(
    "INSERT INTO case_events (case_id, event, from_state, to_state, actor_id, actor_role, at, "
    "reason_kind, reason) VALUES (:id, 'claim', 'ready_for_decision', 'claimed', :officer, "
    "'officer', :now, 'step', :reason)"
)


def bare_reason(case_id: uuid.UUID) -> str:
    """The event's reason sealed as the engine seals it (bound to the case and kind)."""
    from service.core.crypto import bound_place, seal_value
    from service.models.cases import CaseEventRow

    sealed = seal_value(CaseEventRow.reason, bound_place(case_id, "step"), "taken from the queue")
    assert sealed is not None
    return sealed.token


def bare_run(engine: Engine, officer_ids: list[uuid.UUID]) -> tuple[float, list[list[str]], int]:
    def one(officer: uuid.UUID, barrier: threading.Barrier, mine: list[str]) -> None:
        with engine.connect() as conn:
            barrier.wait()
            while True:
                with conn.begin():
                    picked = conn.execute(BARE_PICK).scalar()
                    if picked is None:
                        return
                    now = datetime.now(UTC)
                    lease = now + timedelta(minutes=30)
                    conn.execute(BARE_CLAIM, {"officer": officer, "lease": lease, "id": picked})
                    reason = bare_reason(uuid.UUID(str(picked)))
                    values = {"id": picked, "officer": officer, "now": now, "reason": reason}
                    conn.execute(BARE_EVENT, values)
                mine.append(str(picked))

    elapsed, claimed = run_threads(officer_ids, one)
    return elapsed, claimed, 0


def measure(name: str, engine: Engine, cases: int, run: Any) -> dict[str, Any]:
    reset(engine)
    elapsed, claimed, failed = run()
    every = [c for officer in claimed for c in officer]
    doubles = (len(every) - len(set(every))) + double_claims(engine)
    result = {
        "claims": len(every),
        "seconds": round(elapsed, 3),
        "claims_per_s": round(len(every) / elapsed, 1),
        "double_claims": doubles,
        "failed_requests": failed,
        "per_officer_min_max": [min(map(len, claimed)), max(map(len, claimed))],
    }
    print(f"  {name}: {result}", file=sys.stderr, flush=True)
    if len(every) != cases:
        raise RuntimeError(f"{name}: {len(every)} claims of {cases} files")
    return result


def start_service(url: str, tmp: Path, workers: int) -> Any:
    """``hearing serve --workers N`` (the README's way to use every CPU) on a free port."""
    from tests.live import App, process_env, spawn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    env = process_env(url, tmp, HEARING_REVIEW_SHARE="0")
    process = spawn(command, env, tmp / "app.log")
    app = App(f"http://127.0.0.1:{port}", url, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{app.url}/health", timeout=2, trust_env=False).status_code == 200:
                return app
        except httpx.HTTPError:
            time.sleep(0.2)
    process.stop()
    raise RuntimeError(f"the app did not come up: {process.output()[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", default=POSTGRES_ADMIN, help="admin URL")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="app processes (default: CPUs)"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not postgres_reachable(args.postgres):
        sys.exit(f"PostgreSQL is not reachable at {args.postgres}")

    report: dict[str, Any] = {"settings": vars(args) | {"out": None, "target": TARGET}}
    with fresh_database("postgres", args.postgres) as url:
        seeded = seed(url, args.cases, args.officers)
        engine = create_engine(url, pool_size=args.officers, max_overflow=0)
        tmp = Path(tempfile.mkdtemp(prefix="bench-claims-"))
        app = start_service(url, tmp, args.workers)
        rounds: list[dict[str, Any]] = []
        try:
            for i in range(args.rounds):
                print(f"round {i + 1}/{args.rounds}", file=sys.stderr, flush=True)
                runs = {
                    "service": lambda: service_run(app.url, seeded.tokens),
                    "bare": lambda: bare_run(engine, seeded.officer_ids),
                }
                # Each goes first in every other round: a drift of the machine (a
                # checkpoint, other work) weighs on both alike.
                order = list(runs) if i % 2 == 0 else list(reversed(runs))
                measured = {name: measure(name, engine, args.cases, runs[name]) for name in order}
                service, bare = measured["service"], measured["bare"]
                floor = floor_run(app.url, seeded.tokens, args.cases)
                print(f"  floor GET /me: {floor} req/s", file=sys.stderr, flush=True)
                rounds.append({"service": service, "bare": bare, "floor_me_per_s": floor})
        finally:
            app.process.stop()
            engine.dispose()
        report["database"] = server_version(url)
    service_rate = statistics.median(r["service"]["claims_per_s"] for r in rounds)
    bare_rate = statistics.median(r["bare"]["claims_per_s"] for r in rounds)
    floor_rate = statistics.median(r["floor_me_per_s"] for r in rounds)
    report |= {
        "rounds": rounds,
        "floor_me_per_s": floor_rate,
        "service_claims_per_s": service_rate,
        "bare_claims_per_s": bare_rate,
        "ratio": round(service_rate / bare_rate, 3),
        "double_claims": sum(r[k]["double_claims"] for r in rounds for k in ("service", "bare")),
        "failed_requests": sum(r["service"]["failed_requests"] for r in rounds),
    }
    out = args.out or RESULTS / f"claims-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    ok = "met" if report["ratio"] >= TARGET and report["double_claims"] == 0 else "not met"
    print(
        "| database | claims/s service / bare | ratio | aim | met | double claims "
        "| service's GET /me floor, req/s |\n"
        "| --- | ---: | ---: | --- | --- | ---: | ---: |\n"
        f"| {report['database']} | {service_rate:,.0f} / {bare_rate:,.0f} "
        f"| {report['ratio']:.2f}x | ≥ {TARGET}x, 0 double claims | {ok} "
        f"| {report['double_claims']} "
        f"| {floor_rate:,.0f} |"
    )
    if report["double_claims"]:
        sys.exit("double claims")


if __name__ == "__main__":
    main()
