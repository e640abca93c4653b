"""Fallback load generator for bench_http.py when wrk is not installed.

Usage: python bench/load_client.py URL METHOD PATH TOKENS_FILE SECONDS TIMEOUT [BODY]

One asyncio task per line of TOKENS_FILE (one client each, its own keep-alive
connection and token), each sending requests back to back for SECONDS on raw
asyncio streams (cheaper than an HTTP library; the machine is shared with the
server). Prints the same ``LOAD_JSON {...}`` line as bench/wrk_http.lua. A request
without an answer after TIMEOUT seconds counts as a timeout; requests still open
when the run ends are reported as ``unfinished``, as in the wrk script.
"""

import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import uvloop  # installed with uvicorn[standard]; cheaper than the default loop


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    non2xx: int = 0
    connect_errors: int = 0
    read_errors: int = 0
    timeouts: int = 0
    in_flight: int = 0  # requests sent and not yet answered


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status, and whether the connection stays open; the body is read and dropped."""
    status = int((await reader.readuntil(b"\r\n")).split(b" ", 2)[1])
    headers: dict[bytes, bytes] = {}
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    if headers.get(b"transfer-encoding") == b"chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    else:
        await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return status, headers.get(b"connection") != b"close"


async def client(
    host: str, port: int, request: bytes, deadline: float, timeout: float, stats: Stats
) -> None:
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    while time.monotonic() < deadline:
        if writer is None or reader is None:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), timeout
                )
            except (OSError, TimeoutError):
                stats.connect_errors += 1
                await asyncio.sleep(0.1)
                continue
        started = time.perf_counter()
        stats.in_flight += 1
        try:
            writer.write(request)
            status, keep_alive = await asyncio.wait_for(read_response(reader), timeout)
        except TimeoutError:
            stats.timeouts += 1
            keep_alive = False
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            stats.read_errors += 1
            keep_alive = False
        else:
            stats.latencies_ms.append((time.perf_counter() - started) * 1000)
            stats.non2xx += not 200 <= status <= 299
        finally:
            stats.in_flight -= 1
        if not keep_alive:
            writer.close()
            writer = reader = None


def build_request(method: str, host: str, path: str, token: str, body: str) -> bytes:
    # A token line "cookie:<value>" signs in by cookie (the kiosk pages), and a body
    # that is not JSON is a form post.
    credential = (
        f"Cookie: {token.removeprefix('cookie:')}"
        if token.startswith("cookie:")
        else f"Authorization: Bearer {token}"
    )
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", credential]
    if body:
        kind = "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
        lines += [f"Content-Type: {kind}", f"Content-Length: {len(body.encode())}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


async def run(
    url: str, method: str, path: str, tokens: list[str], seconds: float, timeout: float, body: str
) -> Stats:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    stats = Stats()
    deadline = time.monotonic() + seconds
    tasks = [
        asyncio.create_task(
            client(
                host,
                port,
                build_request(method, parts.netloc, path, t, body),
                deadline,
                timeout,
                stats,
            )
        )
        for t in tokens
    ]
    await asyncio.sleep(seconds)
    unfinished = stats.in_flight
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    stats.in_flight = unfinished
    return stats


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def main() -> None:
    url, method, path, tokens_file, seconds, timeout = sys.argv[1:7]
    body = sys.argv[7] if len(sys.argv) > 7 else ""
    with open(tokens_file, encoding="utf-8") as lines:
        tokens = [line.strip() for line in lines if line.strip()]
    stats = uvloop.run(run(url, method, path, tokens, float(seconds), float(timeout), body))
    result = {
        "responses": len(stats.latencies_ms),
        "duration_s": float(seconds),
        "non2xx": stats.non2xx,
        "connect_errors": stats.connect_errors,
        "read_errors": stats.read_errors,
        "write_errors": 0,
        "timeouts": stats.timeouts,
        "unfinished": stats.in_flight,
        "p50_ms": round(percentile(stats.latencies_ms, 50), 3),
        "p95_ms": round(percentile(stats.latencies_ms, 95), 3),
        "max_ms": round(max(stats.latencies_ms, default=0.0), 3),
    }
    print("LOAD_JSON " + json.dumps(result))


if __name__ == "__main__":
    main()
