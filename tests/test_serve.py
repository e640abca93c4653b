"""`hearing serve` under load and against slow clients (issue 14, part 4): a worker process
starts without the PDF library, and a client that trickles its headers or its body is cut
off instead of holding a connection (and a request's turn) for minutes."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.live import ROOT, App, drop_database, fresh_database, start_app

# The test gives up after this long; the server's limits below are a second or two.
PATIENCE_SECONDS = 60


def test_the_app_starts_without_importing_the_pdf_library():
    """WeasyPrint (a second or more to import on a loaded machine) loads on first use."""
    check = "import sys, service.main; print('weasyprint' in sys.modules)"
    result = subprocess.run(  # noqa: S603 - our own fixed command
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """One app with short limits for both slow clients (each on its own connection)."""
    tmp = tmp_path_factory.mktemp("serve")
    url = fresh_database(tmp, "serve")
    started = start_app(
        url, tmp, HEARING_HEADER_TIMEOUT_SECONDS="1", HEARING_BODY_TIMEOUT_SECONDS="1"
    )
    try:
        yield started
    finally:
        started.process.stop()
        drop_database(url)


def connect(app: App) -> socket.socket:
    host, port = app.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=PATIENCE_SECONDS)
    sock.setblocking(False)
    return sock


def trickle(sock: socket.socket, data: bytes) -> bytes | None:
    """Send ``data`` a byte every 0.2 s (and then nothing) until the server answers or
    closes; what it sent (b"" for a plain close), or None if it never did."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    answer = b""
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
            if not chunk:
                return answer
            answer += chunk
            if b"\r\n\r\n" in answer:
                return answer
        except BlockingIOError:
            pass
        except ConnectionResetError:
            return answer
        if data:
            try:
                sock.send(data[:1])
            except (BrokenPipeError, ConnectionResetError):
                return answer
            data = data[1:]
        time.sleep(0.2)
    return None


def test_a_client_trickling_its_headers_is_cut_off(app: App):
    headers = b"GET /health HTTP/1.1\r\nHost: localhost\r\n" + b"X-Slow: " + b"a" * 1000
    app.new_errors()  # the other test's output is its own
    with connect(app) as sock:
        answer = trickle(sock, headers)
    assert answer is not None, "the server held a connection whose headers never ended"
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
    assert app.new_errors() is None


def test_a_client_trickling_its_body_gets_408(app: App):
    body = b'{"username": "someone", "password": "' + b"x" * 1000 + b'"}'
    head = (
        b"POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    app.new_errors()
    with connect(app) as sock:
        sock.sendall(head)
        answer = trickle(sock, body)
    assert answer is not None, "the server waited for a trickled body without limit"
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert app.new_errors() is None
