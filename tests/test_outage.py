"""Outages during traffic against a live app on PostgreSQL + Redis (issue 14, part 4).

The test starts its own PostgreSQL cluster (initdb/pg_ctl, as the ``postgres`` user when
run as root) and its own redis-server, each on a free port, and stops and starts them
while requests run: never the shared servers on 5432 and 6379.

* PostgreSQL stopped: every request gets 503 with Retry-After, each failure is one log
  line with its request id and no traceback; once it is back the same app process serves
  every request again.
* Redis stopped: a translation delivered meanwhile is committed and answered with 200; its
  dossier render waits in the job outbox and is rendered once Redis is back, by a worker.
"""

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from service.cli import run_migrations
from service.models import Role
from service.models.dossier import Dossier
from service.models.jobs import OutboxJob
from service.models.translation import Translation
from service.workflow import CaseState
from tests.conftest import require_server
from tests.helpers import API, login_body
from tests.live import App, _free_port, engine_for, seeded, start_app, start_worker

pytestmark = pytest.mark.own_database  # its own PostgreSQL cluster and Redis

PG_BIN = Path(os.environ.get("HEARING_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server")
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
WAIT_SECONDS = 180  # for the worker's sweep (every minute) and a PDF on a loaded machine


def as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the ``postgres`` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Cluster:
    data: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/hearing"

    def ctl(self, *args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "120", *args]
        subprocess.run(as_postgres(command), check=True, capture_output=True)  # noqa: S603

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self.ctl("-o", options, "-l", str(self.log), "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "stop")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    require_server("PostgreSQL binaries", (PG_BIN / "initdb").is_file(), str(PG_BIN))
    # Not under pytest's temp dir: as root that is closed to the postgres user.
    home = Path(tempfile.mkdtemp(prefix="hearing-outage-pg-"))
    data = home / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(data, "postgres")
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
    subprocess.run(as_postgres(initdb), check=True, capture_output=True)  # noqa: S603
    found = Cluster(data, _free_port(), home / "postgres.log")
    if os.geteuid() == 0:
        found.log.touch()
        shutil.chown(found.log, "postgres")
    found.start()
    try:
        admin = create_engine(
            found.url.replace("/hearing", "/postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE hearing"))
        admin.dispose()
        run_migrations(found.url)
        yield found
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            found.stop()
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class Redis:
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--logfile", str(self.log)]
        self.process = subprocess.Popen(command)  # noqa: S603 - our own fixed command
        import redis

        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        pytest.fail("the test's redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    require_server("redis-server", REDIS_SERVER is not None, "not on PATH")
    server = Redis(_free_port(), tmp_path_factory.mktemp("redis") / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app(cluster: Cluster, redis_server: Redis, tmp_path: Path) -> Iterator[App]:
    started = start_app(
        cluster.url, tmp_path, HEARING_REDIS_URL=redis_server.url, HEARING_JOB_REQUEUE_SECONDS="1"
    )
    try:
        yield started
    finally:
        started.process.stop()


def call(app: App, method: str, path: str, token: str = "", body: dict | None = None):
    """(status, headers, body) of one request; a refused connection is status 0. Header
    names are matched without regard to case."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{app.url}{path}", data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with DIRECT.open(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except OSError:
        return 0, Message(), b""


def test_database_stopped_during_traffic_gives_only_503s_then_full_service(
    app: App, cluster: Cluster
):
    with engine_for(cluster.url) as engine, seeded(engine) as factory:
        token = factory.person(Role.PLANNER).token
    routes = [("GET", f"{API}/cases"), ("GET", f"{API}/sessions"), ("GET", "/health")]
    phase = "up"
    seen: list[tuple[str, int, str | None]] = []
    stop = threading.Event()

    def traffic() -> None:
        while not stop.is_set():
            for method, path in routes:
                during = phase
                status, headers, _ = call(app, method, path, token)
                seen.append(
                    (during if during == phase else "changing", status, headers.get("Retry-After"))
                )

    threads = [threading.Thread(target=traffic) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        phase = "stopping"
        cluster.stop()
        phase = "down"
        time.sleep(5)
        phase = "starting"
        cluster.start()
        phase = "back"
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    down = [(status, retry) for when, status, retry in seen if when == "down"]
    assert down, "no request was sent while the database was down"
    assert {status for status, _ in down} == {503}
    assert all(retry and int(retry) > 0 for _, retry in down)
    # Around the stop and the start a request may still succeed or find a dropped
    # connection: 200 or 503, never anything else.
    assert {status for _, status, _ in seen} <= {200, 503}
    # Full service after, from the same process (no restart).
    after = [call(app, method, path, token)[0] for _ in range(10) for method, path in routes]
    assert set(after) == {200}
    assert app.new_errors() is None, app.new_errors()
    failures = [
        json.loads(line)
        for line in app.process.output().splitlines()
        if line.startswith("{") and "database unavailable" in line
    ]
    assert failures, "no failure was logged"
    assert all(f["request_id"] and f["level"] == "WARNING" for f in failures)
    assert "Traceback" not in app.process.output()


def test_redis_stopped_loses_no_job(app: App, cluster: Cluster, redis_server: Redis, tmp_path):
    with engine_for(cluster.url) as engine:
        with seeded(engine) as factory:
            translator = factory.person(Role.TRANSLATOR)
            case = factory.case_in(CaseState.IN_TRANSLATION)
            job = factory.db.scalars(
                select(Translation).where(Translation.case_id == case.id)
            ).one()
            answers = dict.fromkeys(factory.full_answers(), "vertaald")
        redis_server.stop()
        try:
            status, _, body = call(
                app,
                "PUT",
                f"{API}/translations/{job.id}",
                translator.token,
                {"answers_nl": answers},
            )
            # The change committed, and the answer says so (not a 500 that invites a retry).
            assert status == 200, body
            assert json.loads(body)["delivered_at"]
            with Session(engine) as db:
                waiting = db.scalar(select(func.count()).select_from(OutboxJob))
            assert waiting == 2  # the staff and the lawyer's copy
        finally:
            redis_server.start()
        worker = start_worker(
            cluster.url,
            tmp_path,
            HEARING_REDIS_URL=redis_server.url,
            HEARING_JOB_REQUEUE_SECONDS="1",
        )
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            rendered = 0
            while time.monotonic() < deadline:
                with Session(engine) as db:
                    rendered = db.scalar(
                        select(func.count())
                        .select_from(Dossier)
                        .where(Dossier.case_id == case.id, Dossier.pdf.is_not(None))
                    )
                    left = db.scalar(select(func.count()).select_from(OutboxJob))
                if rendered == 2 and left == 0:
                    break
                time.sleep(1)
            assert (rendered, left) == (2, 0), worker.output()[-3000:]
        finally:
            worker.stop()
    assert app.new_errors() is None, app.new_errors()


def test_sign_in_works_with_redis_stopped(app: App, cluster: Cluster, redis_server: Redis):
    with engine_for(cluster.url) as engine, seeded(engine) as factory:
        username = factory.person(Role.PLANNER).user.username
    redis_server.stop()
    try:
        status, _, body = call(app, "POST", f"{API}/auth/token", body=login_body(username))
    finally:
        redis_server.start()
    assert status == 200, body
