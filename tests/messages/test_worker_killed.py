"""A real worker process killed between sending an e-mail and marking it sent: once its
hold runs out, a restarted worker sends it once more, with the same Message-ID, and marks
it; never a third time. On the SQLite queue and, when configured, on Redis."""

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Message, MessageStatus
from service.workflow import CaseState
from tests.conftest import REDIS_URL, require_server
from tests.live import Process, drop_database, engine_for, fresh_database, seeded, start_worker
from tests.messages.smtp_server import free_port, smtp_server

WAIT_SECONDS = 30
HOLD_SECONDS = 2


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = fresh_database(tmp_path, "mail")
    try:
        yield url
    finally:
        drop_database(url)


def queue_env(queue: str, tmp_path: Path) -> dict[str, str]:
    if queue == "sqlite":
        return {"HEARING_REDIS_URL": "", "HEARING_HUEY_SQLITE_PATH": str(tmp_path / "q.db")}
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as exc:
        require_server("Redis", False, f"{REDIS_URL}: {exc}")
    server.flushdb()  # this test's own database (HEARING_TEST_REDIS_URL)
    return {"HEARING_REDIS_URL": REDIS_URL}


def wait_for(condition, what: str, worker: Process | None = None) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        log = worker.output() if worker else ""
        assert time.monotonic() < deadline, f"waited {WAIT_SECONDS} s for {what}; log:\n{log}"
        time.sleep(0.1)


@pytest.mark.parametrize("queue", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_worker_killed_mid_delivery_sends_once_more(database: str, tmp_path: Path, queue: str):
    with engine_for(database) as engine:
        with seeded(engine) as factory:
            case = factory.case_in(CaseState.INVITED)  # the invitation to the lawyer
        port = free_port()
        env = {
            **queue_env(queue, tmp_path),
            "HEARING_ENV": "dev",  # the real queue, not the tests' immediate mode
            "HEARING_SMTP_HOST": "127.0.0.1",
            "HEARING_SMTP_PORT": str(port),
            "HEARING_MESSAGE_CLAIM_SECONDS": str(HOLD_SECONDS),
        }

        def message() -> Message:
            with Session(engine) as db:
                return db.scalars(select(Message).where(Message.case_id == case.id)).one()

        workers: list[Process] = []

        def kill_the_sender() -> None:
            # The server has the message; the worker dies before it hears "250" and
            # before it can mark the message sent.
            if len(workers) == 1:
                workers[0].popen.send_signal(signal.SIGKILL)

        with smtp_server(port, on_data=kill_the_sender) as inbox:
            workers.append(start_worker(database, tmp_path, **env))
            wait_for(lambda: workers[0].popen.poll() is not None, "the kill", workers[0])
            # The server files the message after the kill (on_data runs first).
            wait_for(lambda: len(inbox.received) == 1, "the message at the server")
            assert message().status is MessageStatus.QUEUED  # sent, not marked

            time.sleep(HOLD_SECONDS + 0.5)  # the dead worker's hold runs out
            workers.append(start_worker(database, tmp_path, **env))
            try:
                wait_for(lambda: message().status is MessageStatus.SENT, "delivery", workers[1])
                time.sleep(HOLD_SECONDS + 1)  # room for a wrong third send
            finally:
                workers[1].stop(signal.SIGINT)
        log = workers[1].output()

    assert len(inbox.received) == 2, "sent once, then once more after the kill: no more"
    first, second = inbox.received
    assert first["Message-ID"] == second["Message-ID"] == f"<{message().id}@hearing.example>"
    assert message().attempts == 1
    assert "Traceback" not in log, log
    if queue == "redis":
        keys = redis.Redis.from_url(REDIS_URL).keys("*hearing*")
        assert keys, "the worker did not use the Redis queue"
