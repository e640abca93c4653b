"""HTTP request floor and kiosk-save throughput: the service against a bare ASGI app.

Usage: .venv/bin/python bench/bench_http.py [--db sqlite|postgres|both] [--rounds N]
       [--seconds S] [--postgres ADMIN_URL] [--client wrk|python] [--out FILE]
       [--scenarios floor,kiosk32,kiosk100,autosave,crowd]

Per database (a fresh PostgreSQL database ``hearing_bench_<random>``, dropped at the
end, and a temporary SQLite file), built by the migrations and seeded through the
real services: the service (``service.main:app``) and the baseline
(``bench/bare_app.py``: a plain ASGI callable doing the same database work with the
same engine) run side by side as separate uvicorn processes. A load generator
(``wrk``, else ``bench/load_client.py``), also a separate process, drives:

- floor: ``GET /api/v1/me`` with a bearer token, 32 connections;
- kiosk save: ``PUT /api/v1/kiosk/answers``, 32 and 100 clients, each with its own
  applicant token and its own case with the form in progress;
- kiosk autosave: ``POST /kiosk/autosave/<section>``, 100 clients: what the kiosk page's
  script sends as the applicant types (a form post with the kiosk cookie and the CSRF
  field), against the bare app's same row write.

Each round runs every scenario on the service, then on the bare app, for ``--seconds``
each. The table shows medians over the rounds and the ratios service/bare, measured in
the same run; results go to stdout and ``bench/results/http-<timestamp>.json``
(git-ignored).
"""

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from isolation import isolate, use_database  # noqa: E402

# The same settings for this process (seeding) and both servers (inherited), on a queue
# and database of the benchmark's own. The explicit key keeps token digests equal even
# if a .env file sets another one.
TMP = isolate(
    "bench-http-",
    HEARING_ENV="test",  # cheap password hashing, Huey in immediate mode
    HEARING_SECRET_KEY="bench-http-not-secret",  # noqa: S106 - a throwaway database's key
)

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from service.cli import run_migrations  # noqa: E402
from service.core.db import make_engine  # noqa: E402
from service.core.settings import Settings  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk_http.lua"
LOAD_CLIENT = ROOT / "bench" / "load_client.py"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SERVERS = {"service": "service.main:app", "bare": "bench.bare_app:app"}
TIMEOUT_S = 10  # a request without an answer after this long counts as an error
WARMUP_S = 1


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    clients: int
    # The aims for this scenario (service / bare, measured in the same run):
    # req/s at least, p95 at most; None where the issue sets none.
    throughput_target: float | None = None
    p95_target: float | None = None
    # Aim on the service's failures alone: no 5xx, no timeout, no dropped connection.
    no_errors: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}, {self.clients} clients"


FLOOR = Scenario("floor: GET /me", "GET", "/api/v1/me", 32, 0.8, 1.5)
KIOSK_32 = Scenario("kiosk save: PUT /kiosk/answers", "PUT", "/api/v1/kiosk/answers", 32)
KIOSK_100 = Scenario("kiosk save: PUT /kiosk/answers", "PUT", "/api/v1/kiosk/answers", 100)
AUTOSAVE_100 = Scenario("kiosk autosave: POST /kiosk/autosave (page)", "POST", "", 100, 0.6, 1.5)
# One process (uvicorn, 1 worker) under 200 clients: every request answered.
CROWD_200 = Scenario("crowd: GET /me, one process", "GET", "/api/v1/me", 200, no_errors=True)
SCENARIOS = (FLOOR, KIOSK_32, KIOSK_100, AUTOSAVE_100, CROWD_200)
# Short names for ``--scenarios`` (a run of the rows one is working on).
BY_NAME = {
    "floor": FLOOR,
    "kiosk32": KIOSK_32,
    "kiosk100": KIOSK_100,
    "autosave": AUTOSAVE_100,
    "crowd": CROWD_200,
}
CSRF_COOKIE = "bench-csrf-cookie"  # one anonymous CSRF cookie for every kiosk client
WARM_UP = (FLOOR, KIOSK_32, AUTOSAVE_100)  # per server, WARMUP_S each, before the first round


@dataclass
class Seeded:
    me_token: str  # a planner's bearer token
    kiosk_tokens: list[str]  # one applicant token per case, each case's form in progress
    question_id: str  # a text question of the current form
    section_id: str  # the section holding it (the autosave posts that section's fields)
    csrf_token: str  # the CSRF field that goes with CSRF_COOKIE


def seed(url: str, clients: int) -> Seeded:
    """One user and ``clients`` cases in progress, committed through the real services.

    Everything the benchmark knows about how a case gets to ``in_progress`` is here,
    borrowed from the test factories, so refactors of the services stay out of it.
    """
    from service.core.web import _token as csrf_for  # the service's own CSRF token
    from service.models import Role
    from service.questionnaires.forms import QuestionType
    from service.questionnaires.service import policy_form
    from service.workflow import CaseState
    from tests.factories import Factory

    # Anything the services open themselves (jobs run in immediate mode) uses this database.
    use_database(url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            factory = Factory(db)
            me_token = factory.person(Role.PLANNER).token
            kiosk_tokens = []
            for _ in range(clients):
                case = factory.case_in(CaseState.IN_PROGRESS)
                header = factory.applicant_headers(case)["Authorization"]
                kiosk_tokens.append(header.removeprefix("Bearer "))
            db.commit()
    finally:
        engine.dispose()
    section, question = next(
        (s, q)
        for s in policy_form().sections
        for q in s.questions
        if q.type in (QuestionType.TEXT, QuestionType.LONG_TEXT) and q.show_if is None
    )
    csrf = csrf_for(f"anonymous:{CSRF_COOKIE}")
    return Seeded(me_token, kiosk_tokens, question.id, section.id, csrf)


# --- databases ------------------------------------------------------------------------


def postgres_reachable(admin_url: str) -> bool:
    engine = create_engine(admin_url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


@contextmanager
def fresh_database(backend: str, admin_url: str) -> Iterator[str]:
    """A migrated, empty database: a temporary SQLite file or a new PostgreSQL database."""
    if backend == "sqlite":
        url = f"sqlite:///{TMP / f'bench-{secrets.token_hex(4)}.db'}"
        run_migrations(url)
        yield url
        return
    name = f"hearing_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        run_migrations(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_version(url: str) -> str:
    if url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version}"
    engine = create_engine(url)
    with engine.connect() as conn:
        version = str(conn.scalar(text("SHOW server_version")))
    engine.dispose()
    return f"PostgreSQL {version.split()[0]}"


# --- servers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base_url: str, limit: float) -> float | None:
    """Seconds until ``GET /health`` answers 200, or None if it does not within ``limit``."""
    started = time.monotonic()
    while (left := limit - (time.monotonic() - started)) > 0:
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=left) as response:  # noqa: S310
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:  # refused, timed out, or an error status
            time.sleep(0.1)
    return None


@dataclass
class Server:
    """One app in its own uvicorn process; both apps get the same command and settings."""

    app: str
    database_url: str
    url: str = ""
    restarts: int = 0
    process: subprocess.Popen[bytes] | None = None
    workers: int = 1  # uvicorn processes behind the one port

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "uvicorn", self.app, "--host", "127.0.0.1"]
        command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
        command += ["--workers", str(self.workers)] if self.workers > 1 else []
        env = {**os.environ, "HEARING_DATABASE_URL": self.database_url}
        log_path = TMP / f"{self.app.split(':')[0]}-{self.workers}.log"
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
        for _ in range(60):
            if self.process.poll() is None and wait_healthy(self.url, 1) is not None:
                return
            time.sleep(0.1)
        self.stop()
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{self.app} did not start:\n{tail}")

    def stop(self, grace: float = 5) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop(grace=0.5)
        self.restarts += 1
        self.start()


@contextmanager
def running(servers: dict[str, Server]) -> Iterator[None]:
    try:
        for server in servers.values():
            server.start()
        yield
    finally:
        for server in servers.values():
            server.stop()


# --- load -----------------------------------------------------------------------------


def find_wrk() -> str | None:
    """wrk, installed from Debian's packages when missing and we are root."""
    if shutil.which("wrk") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install wrk)", file=sys.stderr)
        apt = ["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300", "wrk"]
        subprocess.run(  # noqa: S603 - a fixed command
            apt,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            stdout=subprocess.DEVNULL,
            check=False,
        )
    return shutil.which("wrk")


def load(
    client: str, base_url: str, scenario: Scenario, tokens: Path, body: str, seconds: int
) -> dict[str, Any]:
    """One closed-loop run: ``scenario.clients`` clients sending requests back to back."""
    if client == "wrk":
        threads = min(os.cpu_count() or 1, scenario.clients)
        command = ["wrk", "-t", str(threads), "-c", str(scenario.clients), "-d", f"{seconds}s"]
        command += ["--timeout", f"{TIMEOUT_S}s", "-s", str(LUA), base_url, "--"]
        command += [scenario.method, scenario.path, str(tokens), str(threads), body]
    else:
        command = [sys.executable, str(LOAD_CLIENT), base_url, scenario.method, scenario.path]
        command += [str(tokens), str(seconds), str(TIMEOUT_S), body]
    done = subprocess.run(  # noqa: S603 - our own fixed command
        command, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("LOAD_JSON ")]
    if not lines:
        raise RuntimeError(f"{client} printed no result:\n{done.stdout}\n{done.stderr}")
    raw: dict[str, Any] = json.loads(lines[-1].removeprefix("LOAD_JSON "))
    ok = raw["responses"] - raw["non2xx"]
    return {**raw, "ok_per_s": round(ok / raw["duration_s"], 1) if raw["duration_s"] else 0.0}


def censor(result: dict[str, Any]) -> dict[str, Any]:
    """Percentiles over answered and timed-out requests; the client's cover answered ones.

    A timed-out request took at least TIMEOUT_S: where timeouts are more than 5% of the
    requests, p95 is at least that (shown as ≥10,000 ms); likewise p50 past 50%.
    """
    answered, timeouts = result["responses"], result["timeouts"]
    for key, share in (("p50_ms", 0.5), ("p95_ms", 0.05)):
        if answered + timeouts == 0:
            result[key] = None
        elif timeouts / (answered + timeouts) > share:
            result[key] = TIMEOUT_S * 1000.0
    return result


def run_once(
    client: str,
    server: Server,
    scenario: Scenario,
    tokens: Path,
    body: str,
    seconds: int,
    warm_up: Callable[[Server], None] | None = None,
) -> dict[str, Any]:
    """One measured run on one server, its backlog drained before the next is measured."""
    result = load(client, server.url, scenario, tokens, body, seconds)
    # Requests the clients left open may still be queued in the server: they finish
    # before anything else is measured. A server still busy TIMEOUT_S later has
    # stalled: its open requests count as timeouts, and it is restarted.
    drain_s = wait_healthy(server.url, TIMEOUT_S)
    result["drain_s"] = None if drain_s is None else round(drain_s, 2)
    result["stalled"] = drain_s is None
    if drain_s is None:
        result["timeouts"] += result["unfinished"]
        server.restart()
        if warm_up is not None:
            warm_up(server)
    result["errors"] = sum(
        result[key]
        for key in ("non2xx", "connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return censor(result)


def load_client(asked: str | None) -> str:
    """wrk if present (or installable), else the Python client; exits if wrk was asked
    for and cannot be had."""
    wrk = find_wrk() if asked != "python" else None
    client = asked or ("wrk" if wrk else "python")
    if client == "wrk" and not wrk:
        sys.exit("wrk is not installed (apt-get install wrk), use --client python")
    return client


def machine(load_before: float) -> dict[str, Any]:
    """What ran the benchmark, and how busy it was (other work skews timings)."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        # The servers and the load generator share these CPUs.
        "load_average_1m_before": round(load_before, 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
    }


def token_files(seeded: Seeded) -> dict[Scenario, Path]:
    """Per scenario, one token per client: the planner's for GET /me, a case's for the kiosk."""
    files = {}
    for scenario in SCENARIOS:
        kiosk = seeded.kiosk_tokens[: scenario.clients]
        if scenario.method == "GET":
            tokens = [seeded.me_token] * scenario.clients
        elif scenario is AUTOSAVE_100:  # the page signs in by cookie
            tokens = [f"cookie:kiosk={t}; csrf={CSRF_COOKIE}" for t in kiosk]
        else:
            tokens = kiosk
        files[scenario] = TMP / f"tokens-{secrets.token_hex(4)}.txt"
        files[scenario].write_text("\n".join(tokens) + "\n", encoding="utf-8")
    return files


def measure(
    client: str,
    servers: dict[str, Server],
    seeded: Seeded,
    rounds: int,
    seconds: int,
    scenarios: tuple[Scenario, ...] = SCENARIOS,
) -> list[dict[str, Any]]:
    """Every scenario on the service, then the bare app, ``rounds`` times (after a warm-up)."""
    files = token_files(seeded)
    answer = "Ik ben gevlucht voor de oorlog."
    bodies = {
        "PUT": json.dumps({"answers": {seeded.question_id: answer}}),
        "POST": urlencode({"csrf_token": seeded.csrf_token, seeded.question_id: answer}),
        "GET": "",
    }
    paths = {AUTOSAVE_100: f"/kiosk/autosave/{seeded.section_id}"}

    def with_path(scenario: Scenario) -> Scenario:
        return replace(scenario, path=paths.get(scenario, scenario.path))

    def run(scenario: Scenario, server: Server, duration: int) -> dict[str, Any]:
        payload = bodies[scenario.method]
        tokens = files[scenario]
        return run_once(client, server, with_path(scenario), tokens, payload, duration, warm_up)

    def warm_up(server: Server) -> None:
        for scenario in WARM_UP:
            payload = bodies[scenario.method]
            load(client, server.url, with_path(scenario), files[scenario], payload, WARMUP_S)
            wait_healthy(server.url, 60)

    for server in servers.values():
        warm_up(server)
    runs = []
    for number in range(1, rounds + 1):
        for scenario in scenarios:
            for name, server in servers.items():
                result = run(scenario, server, seconds)
                runs.append({"round": number, "scenario": scenario.label, "server": name})
                runs[-1].update(result)
                stalled = "  stalled: restarted" if result["stalled"] else ""
                print(
                    f"  round {number}  {scenario.label:<44} {name:<8}"
                    f"{result['ok_per_s']:>8.1f} req/s  p95 {ms(result['p95_ms']):>8} ms  "
                    f"errors {result['errors']}{stalled}",
                    file=sys.stderr,
                )
    return runs


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def median(values: list[float | None]) -> float | None:
    """The median, or None if any round has no value (nothing was answered)."""
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 3) if known and len(known) == len(values) else None


def summarise(
    runs: list[dict[str, Any]], scenarios: tuple[Scenario, ...] = SCENARIOS
) -> list[dict[str, Any]]:
    """Per scenario: medians over the rounds; a ratio is the median of the rounds' ratios."""
    rows = []
    for scenario in scenarios:
        rounds: dict[int, dict[str, dict[str, Any]]] = {}
        for run in runs:
            if run["scenario"] == scenario.label:
                rounds.setdefault(run["round"], {})[run["server"]] = run
        pairs = list(rounds.values())
        row: dict[str, Any] = {"scenario": scenario.label, "clients": scenario.clients}
        for server in SERVERS:
            row[server] = {
                key: median([pair[server][key] for pair in pairs])
                for key in ("ok_per_s", "p50_ms", "p95_ms")
            }
            row[server]["errors"] = sum(pair[server]["errors"] for pair in pairs)
            row[server]["stalls"] = sum(pair[server]["stalled"] for pair in pairs)
        for key, metric in (("throughput_ratio", "ok_per_s"), ("p95_ratio", "p95_ms")):
            by_round = [ratio(p["service"][metric], p["bare"][metric]) for p in pairs]
            row[key], row[f"{key}_by_round"] = median(by_round), by_round
        row["targets"] = {
            "throughput": scenario.throughput_target,
            "p95": scenario.p95_target,
            "no_errors": scenario.no_errors,
        }
        row["met"] = met(row)
        aimed = [ok for ok in row["met"].values() if ok is not None]
        row["meets_target"] = all(aimed) if aimed else None
        rows.append(row)
    return rows


def met(row: dict[str, Any]) -> dict[str, bool | None]:
    """Per aim of the row: met, not met, or None (no aim set)."""
    throughput, p95 = row["throughput_ratio"], row["p95_ratio"]
    at_least, at_most = row["targets"]["throughput"], row["targets"]["p95"]
    return {
        "throughput": None
        if at_least is None
        else throughput is not None and throughput >= at_least,
        "p95": None if at_most is None else p95 is not None and p95 <= at_most,
        "no_errors": row["service"]["errors"] == 0 if row["targets"]["no_errors"] else None,
    }


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else "met" if ok else "not met"


def ms(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"≥{value:,.0f}" if value >= TIMEOUT_S * 1000 else f"{value:,.1f}"


def times(value: float | None, at_least: bool = False) -> str:
    if value is None:
        return "n/a"
    shown = f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"
    return f"{'≥' if at_least else ''}{shown}x"


def aim(value: float | None, sign: str) -> str:
    return "no aim" if value is None else f"{sign} {value:g}x"


def errors(server: dict[str, Any]) -> str:
    stalls = server["stalls"]
    return f"{server['errors']:,}" + (f" ({stalls} stalled)" if stalls else "")


def clean_aim(targets: dict[str, Any], verdicts: dict[str, bool | None]) -> str:
    return f" (aim 0 failed: {verdict(verdicts['no_errors'])})" if targets["no_errors"] else ""


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| database | scenario | req/s service / bare | req/s service/bare | aim | "
        "p50 ms service / bare | p95 ms service / bare | p95 service/bare | aim "
        "| errors service / bare |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for result in results.values():
        for row in result["summary"]:
            s, b = row["service"], row["bare"]
            throughput, p95 = row["throughput_ratio"], row["p95_ratio"]
            censored = (s["p95_ms"] or 0) >= TIMEOUT_S * 1000
            req_s = " / ".join(
                "n/a" if x is None else f"{x:,.0f}" for x in (s["ok_per_s"], b["ok_per_s"])
            )
            targets, verdicts = row["targets"], row["met"]
            lines.append(
                f"| {result['database']} | {row['scenario']} | {req_s} | {times(throughput)} "
                f"| {aim(targets['throughput'], '≥')}: {verdict(verdicts['throughput'])} "
                f"| {ms(s['p50_ms'])} / {ms(b['p50_ms'])} | {ms(s['p95_ms'])} / {ms(b['p95_ms'])} "
                f"| {times(p95, censored)} "
                f"| {aim(targets['p95'], '≤')}: {verdict(verdicts['p95'])} "
                f"| {errors(s)} / {errors(b)}{clean_aim(targets, verdicts)} |"
            )
    return "\n".join(lines)


def bench_database(
    backend: str,
    admin_url: str,
    client: str,
    rounds: int,
    seconds: int,
    scenarios: tuple[Scenario, ...] = SCENARIOS,
) -> dict[str, Any]:
    clients = max(s.clients for s in SCENARIOS if s.method != "GET")  # a case per kiosk
    with fresh_database(backend, admin_url) as url:
        database = server_version(url)
        print(f"== {database}: seeding {clients} cases in progress", file=sys.stderr)
        started = time.perf_counter()
        seeded = seed(url, clients)
        seed_s = time.perf_counter() - started
        servers = {name: Server(app, url) for name, app in SERVERS.items()}
        with running(servers):
            runs = measure(client, servers, seeded, rounds, seconds, scenarios)
    return {
        "database": database,
        "seed_s": round(seed_s, 2),
        "seeded": {"cases": len(seeded.kiosk_tokens), "question_id": seeded.question_id},
        "restarts_after_stall": {name: server.restarts for name, server in servers.items()},
        "summary": summarise(runs, scenarios),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3, help="per run (server, scenario)")
    parser.add_argument("--postgres", metavar="URL", default=POSTGRES_ADMIN, help="admin URL")
    parser.add_argument("--client", choices=("wrk", "python"), help="default: wrk if present")
    parser.add_argument("--out", type=Path, help="default: bench/results/http-<timestamp>.json")
    parser.add_argument(
        "--scenarios",
        default=",".join(BY_NAME),
        help=f"comma-separated, of {', '.join(BY_NAME)} (default: all)",
    )
    args = parser.parse_args()
    try:
        scenarios = tuple(BY_NAME[name.strip()] for name in args.scenarios.split(","))
    except KeyError as unknown:
        parser.error(f"unknown scenario {unknown}; known: {', '.join(BY_NAME)}")

    admin_url = Settings(database_url=args.postgres).database_url  # psycopg 3 driver
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in backends and not postgres_reachable(admin_url):
        if args.db == "postgres":
            sys.exit(f"PostgreSQL is not reachable at {args.postgres}")
        print(f"PostgreSQL is not reachable at {args.postgres}: SQLite only", file=sys.stderr)
        backends.remove("postgres")
    client = load_client(args.client)

    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]  # other work on the machine skews timings
    try:
        results = {
            b: bench_database(b, admin_url, client, args.rounds, args.seconds, scenarios)
            for b in backends
        }
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    markdown = table(results)
    print(markdown)
    report = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(load_before),
        "settings": {
            "rounds": args.rounds,
            "seconds": args.seconds,
            "warmup_s": WARMUP_S,
            "client": client,
            "timeout_s": TIMEOUT_S,
            "targets": {
                s.label: {"throughput_at_least": s.throughput_target, "p95_at_most": s.p95_target}
                for s in SCENARIOS
            },
        },
        "results": results,
        "table": markdown,
    }
    out = args.out or RESULTS / f"http-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
