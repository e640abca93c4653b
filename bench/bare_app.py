"""The baseline for bench_http.py: a bare ASGI app doing the service's database work.

No FastAPI, no Starlette, no ORM session: a plain ASGI callable, the service's own
engine (``make_engine``: same driver, pool and SQLite pragmas) and SQLAlchemy Core
on the service's tables. Each request makes one ``anyio.to_thread.run_sync`` hop for
all its blocking database work, in one transaction, as a best case on this stack.

- ``GET /api/v1/me``: one SELECT of the token row joined with its user, by the token's
  digest (what ``actor_for_token`` needs), answered with a small JSON object.
- ``PUT /api/v1/kiosk/answers``: the same authenticating SELECT (which also finds the
  answer set's id, for sealing), then one ``UPDATE answer_sets SET answers=<sealed>,
  saved_at=... WHERE case_id=...`` and commit.
- ``POST /kiosk/autosave/<section>``: the kiosk page's autosave (a form post with the
  kiosk cookie): the same authenticating SELECT by the cookie's token, then the same
  sealed ``UPDATE answer_sets`` with the posted fields as answers, and commit.
- ``GET /health``: ``SELECT 1``.

Where the service has them, it also runs as many worker threads as the service runs
requests at once (``Settings.threads``) and takes SQLite's write lock up front for
writes (``make_engine``'s ``sqlite_begin`` option), as the service does.

Served by bench_http.py with uvicorn, configured by the same ``HEARING_*`` variables.
"""

import json
import os
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from sqlalchemy import Connection, select, text, update

from service.auth.service import digest
from service.core import db as core_db
from service.core.clock import utcnow
from service.core.crypto import seal_value
from service.core.db import make_engine
from service.core.settings import get_settings
from service.models import Base  # every model's table on Base.metadata

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

engine = make_engine(os.environ["HEARING_DATABASE_URL"])
# Where the service has them: as many worker threads as it runs requests at once, and
# SQLite writers that take the write lock up front (make_engine's BEGIN option).
THREADS: int | None = getattr(get_settings(), "threads", None)
WRITE_OPTIONS = {core_db.SQLITE_BEGIN: "IMMEDIATE"} if hasattr(core_db, "SQLITE_BEGIN") else {}
tokens = Base.metadata.tables["api_tokens"]
users = Base.metadata.tables["users"]
answer_sets = Base.metadata.tables["answer_sets"]


class Unauthorized(Exception):
    pass


def authenticate(conn: Connection, authorization: str) -> dict[str, Any]:
    """One SELECT by the token digest; the same checks as ``actor_for_token``."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized
    row = conn.execute(
        select(
            tokens.c.case_id,
            tokens.c.expires_at,
            tokens.c.revoked_at,
            users.c.id,
            users.c.role,
            users.c.organisation,
            users.c.active,
            answer_sets.c.id.label("answer_set_id"),
        )
        .select_from(
            tokens.outerjoin(users, users.c.id == tokens.c.user_id).outerjoin(
                answer_sets, answer_sets.c.case_id == tokens.c.case_id
            )
        )
        .where(tokens.c.token_hash == digest(token))
    ).one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise Unauthorized
    if row.case_id is not None:
        return {
            "role": "applicant",
            "user_id": None,
            "case_id": str(row.case_id),
            "organisation": None,
            "answer_set_id": row.answer_set_id,
        }
    if not row.active:
        raise Unauthorized
    return {
        "role": row.role,
        "user_id": str(row.id),
        "case_id": None,
        "organisation": row.organisation,
    }


def me(authorization: str) -> dict[str, Any]:
    with engine.begin() as conn:
        return authenticate(conn, authorization)


def save_answers(authorization: str, answers: dict[str, Any]) -> dict[str, Any]:
    with engine.connect().execution_options(**WRITE_OPTIONS) as conn, conn.begin():
        actor = authenticate(conn, authorization)
        if actor["case_id"] is None:
            raise Unauthorized
        saved_at = utcnow()
        conn.execute(
            update(answer_sets)
            .where(answer_sets.c.case_id == uuid.UUID(actor["case_id"]))
            # Sealed like the service stores it (service/core/crypto.py): the same work.
            .values(
                answers=seal_value(answer_sets.c.answers, actor["answer_set_id"], answers),
                saved_at=saved_at,
            )
        )
    return {"case_id": actor["case_id"], "saved_at": saved_at.isoformat()}


def health() -> dict[str, Any]:
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}


async def read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def respond(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if THREADS:
                anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            engine.dispose()
            await send({"type": "lifespan.shutdown.complete"})
            return


def kiosk_token(cookie_header: str) -> str:
    """The kiosk cookie's token, as a bearer credential for ``authenticate``."""
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "kiosk" and value:
            return f"Bearer {value}"
    raise Unauthorized


def form_answers(body: bytes) -> dict[str, Any]:
    fields = parse_qsl(body.decode(), keep_blank_values=True)
    return {name: value for name, value in fields if name != "csrf_token" and value}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    headers = dict(scope["headers"])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    route = (scope["method"], scope["path"])
    try:
        if route == ("GET", "/api/v1/me"):
            payload = await anyio.to_thread.run_sync(me, authorization)
        elif route == ("PUT", "/api/v1/kiosk/answers"):
            answers = json.loads(await read_body(receive))["answers"]
            if not isinstance(answers, dict):
                raise ValueError("answers must be an object")
            payload = await anyio.to_thread.run_sync(save_answers, authorization, answers)
        elif scope["method"] == "POST" and scope["path"].startswith("/kiosk/autosave/"):
            authorization = kiosk_token(headers.get(b"cookie", b"").decode("latin-1"))
            answers = form_answers(await read_body(receive))
            payload = await anyio.to_thread.run_sync(save_answers, authorization, answers)
        elif route == ("GET", "/health"):
            payload = await anyio.to_thread.run_sync(health)
        else:
            await respond(send, 404, {"detail": "not found"})
            return
    except Unauthorized:
        await respond(send, 401, {"detail": "unknown, revoked or expired token"})
        return
    except (ValueError, KeyError, TypeError):
        await respond(send, 422, {"detail": "body must be {'answers': {...}}"})
        return
    await respond(send, 200, payload)
