"""Real processes for tests: the app (uvicorn) and the job worker (``hearing worker``), each
on a fresh, migrated database of its own (a SQLite file, or a new PostgreSQL database next
to the suite's one when ``HEARING_TEST_DATABASE_URL`` points at PostgreSQL).

Tests seed that database through the real services (``seeded(url)`` yields a ``Factory``
on a plain session and commits), then talk to the process over HTTP or watch the
database. ``server_error_excerpt`` finds tracebacks and 500s in a process's log.
"""

import atexit
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from service.cli import run_migrations
from service.core.db import make_engine
from tests.conftest import WORKER
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[1]
# Lines of a process's log that mean an unexpected server error.
SERVER_ERROR = re.compile(r"Traceback| 500 ")
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


# --- databases ---------------------------------------------------------------------------


def fresh_database(tmp: Path, tag: str) -> str:
    """A migrated database for one process: a SQLite file in ``tmp``, or on PostgreSQL a
    new database named after the suite's one (so that ``.ci/run`` cleans up leftovers).
    Each is a copy of one database per test process that the migrations built once: they
    take seconds, and a dozen modules start processes (tests/test_migrations.py runs the
    migrations themselves)."""
    template = _migrated_template()
    url = _new_database(tmp, tag, template=template)
    if url.startswith("sqlite"):
        with (
            closing(sqlite3.connect(str(make_url(template).database))) as source,
            closing(sqlite3.connect(str(make_url(url).database))) as target,
        ):
            source.backup(target)
    return url


_template: str | None = None  # this process's migrated database, never used itself


def _migrated_template() -> str:
    global _template
    if _template is None:
        url = _new_database(Path(tempfile.mkdtemp(prefix="hearing-template-")), "template")
        run_migrations(url)
        if url.startswith("postgres"):
            atexit.register(drop_database, url)
        _template = url
    return _template


def _new_database(tmp: Path, tag: str, template: str | None = None) -> str:
    """An empty database (on PostgreSQL a copy of ``template`` when given)."""
    requested = os.environ.get("HEARING_TEST_DATABASE_URL", "")
    if not requested.startswith("postgres"):
        return f"sqlite:///{tmp / f'{tag}.db'}"
    base = make_url(requested)
    name = f"{base.database}_{WORKER}_{os.getpid()}_{tag}"
    copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if not url.startswith("postgres"):
        return  # the SQLite file goes with the temp dir
    target = make_url(url)
    base = make_url(os.environ["HEARING_TEST_DATABASE_URL"])
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = make_engine(url, pool_size=2)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def seeded(engine: Engine) -> Iterator[Factory]:
    """A ``Factory`` on a plain session of ``engine``; everything it made is committed
    at the end of the block, through the real services, for another process to see."""
    with Session(engine, expire_on_commit=False) as db:
        yield Factory(db)
        db.commit()


# --- logs --------------------------------------------------------------------------------


def server_error_excerpt(log: str) -> str | None:
    """The lines of ``log`` that show server errors (500s, whole tracebacks), or None."""
    keep: list[str] = []
    in_traceback = False
    for line in log.splitlines():
        if line.startswith("Traceback"):
            in_traceback = True
        elif in_traceback and not line[:1].isspace():
            keep.append(line)  # the exception itself, the traceback's last line
            in_traceback = False
            continue
        if in_traceback or SERVER_ERROR.search(line):
            keep.append(line)
    if len(keep) > 200:
        keep = [*keep[:60], f"... ({len(keep) - 120} lines left out) ...", *keep[-60:]]
    return "\n".join(keep) or None


@dataclass
class Process:
    """A started process and its log (stdout and stderr)."""

    popen: subprocess.Popen[bytes]
    log: Path
    _checked: int = field(default=0, repr=False)

    def output(self) -> str:
        return self.log.read_bytes().decode(errors="replace")

    def new_errors(self) -> str | None:
        """An excerpt of the log written since the last call, if it shows a server error."""
        with self.log.open("rb") as handle:
            handle.seek(self._checked)
            chunk = handle.read().decode(errors="replace")
            self._checked = handle.tell()
        return server_error_excerpt(chunk)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def process_env(database_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a child process: the suite's, pointed at its own database and
    its own Huey file (``HEARING_REDIS_URL`` empty)."""
    return {
        **os.environ,
        "HEARING_DATABASE_URL": database_url,
        "HEARING_ENV": "test",
        "HEARING_REDIS_URL": "",
        "HEARING_HUEY_SQLITE_PATH": str(tmp / "huey.db"),
        **extra,
    }


def spawn(command: list[str], env: dict[str, str], log: Path) -> Process:
    with log.open("ab") as out:
        popen = subprocess.Popen(  # noqa: S603 - our own fixed command
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return Process(popen, log)


# --- the app -----------------------------------------------------------------------------


@dataclass
class App:
    url: str  # e.g. http://127.0.0.1:41234
    database_url: str
    process: Process

    def new_errors(self) -> str | None:
        return self.process.new_errors()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# How long a test waits for the app to answer /health: a loaded machine (load 10+ on
# two cores) has taken 27 s to start it (``Settings.worker_startup_seconds`` is 60).
STARTUP_PATIENCE_SECONDS = 60


def start_app(database_url: str, tmp: Path, **env: str) -> App:
    """Start uvicorn on a free port and wait for /health; retry if the port was taken."""
    log = tmp / "app.log"
    log.touch()
    output = ""
    for _attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        # The README's own server command (no banner, proxy headers), not bare uvicorn.
        command = [sys.executable, "-m", "service.cli", "serve"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
        logged_before = log.stat().st_size
        process = spawn(command, process_env(database_url, tmp, **env), log)
        deadline = time.monotonic() + STARTUP_PATIENCE_SECONDS
        while time.monotonic() < deadline and process.popen.poll() is None:
            try:
                with _DIRECT.open(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        return App(url, database_url, process)
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        output = log.read_bytes()[logged_before:].decode(errors="replace")
        if process.popen.poll() is not None and "address already in use" in output.lower():
            continue  # another process took the free port meanwhile
        process.stop()
        pytest.fail(f"the app did not come up at {url}; its output:\n{output[-5000:]}")
    pytest.fail(f"no free port for the app after 3 attempts; its output:\n{output[-5000:]}")


# --- the worker --------------------------------------------------------------------------


def worker_command() -> list[str]:
    """``hearing worker`` from the virtualenv that runs the tests."""
    script = Path(sys.executable).with_name("hearing")
    if script.is_file():
        return [str(script), "worker"]
    return [sys.executable, "-m", "service.cli", "worker"]


def start_worker(database_url: str, tmp: Path, **env: str) -> Process:
    log = tmp / "worker.log"
    log.touch()
    return spawn(worker_command(), process_env(database_url, tmp, **env), log)
