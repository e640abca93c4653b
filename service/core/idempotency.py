"""``Idempotency-Key`` on writes: the same key and request give the first answer again.

A client that is unsure whether its POST arrived (a timeout, a dropped connection) sends
it again with the same key. Inside the request's unit of work, after the caller is signed
in, the key is looked up for that caller:

* not seen: the endpoint runs, and its answer is stored in the same transaction as what
  it created (so both or neither exist);
* seen with the same method, path and body: the stored answer is returned, nothing runs;
* seen with another request: 422 ``idempotency_key_reused``.

Concurrent requests with one key queue on a lock for that key (a transaction-scoped
advisory lock on PostgreSQL; SQLite writers already hold the database's write lock), so
twenty identical requests at once create exactly one thing.
"""

import base64
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from sqlalchemy import DateTime, Integer, String, Uuid, column, insert, select, table, text
from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.crypto import Encrypted, open_value, seal_value
from service.core.errors import DomainError

HEADER = "idempotency-key"
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces

# The table (service/models/idempotency.py), named here because core knows no models.
_ANSWERS = table(
    "idempotency_keys",
    column("id", Uuid()),
    column("actor", String()),
    column("key", String()),
    column("request_hash", String()),
    column("status", Integer()),
    # Sealed like the answers it repeats (a created case's name, a signal's source).
    column("body", Encrypted()),
    column("created_at", DateTime(timezone=True)),
)


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"


class BadIdempotencyKey(DomainError):
    status = 422
    code = "bad_idempotency_key"


@dataclass(frozen=True)
class IdempotentRequest:
    key: str
    request_hash: str


MULTIPART_BOUNDARY = re.compile(r"multipart/[\w.+-]+;.*?boundary=\"?([^\";]+)\"?", re.IGNORECASE)


def read_request(
    key: str, method: str, path: str, body: bytes, content_type: str = ""
) -> IdempotentRequest:
    if not KEY.match(key):
        raise BadIdempotencyKey("An Idempotency-Key is 1 to 200 printable ASCII characters.")
    # A retried upload is the same request under a new random multipart boundary.
    if found := MULTIPART_BOUNDARY.match(content_type):
        body = body.replace(found.group(1).encode("latin-1"), b"")
    digest = hashlib.sha256(f"{method} {path}\n".encode() + body).hexdigest()
    return IdempotentRequest(key, digest)


def _whose(actor: Actor) -> str:
    if actor.user_id is not None:
        return str(actor.user_id)
    return f"case:{actor.case_id}"


def stored_answer(db: Session, actor: Actor, request: IdempotentRequest) -> Response | None:
    """The answer given before to this key, after waiting for any request holding it."""
    whose = _whose(actor)
    if db.get_bind().dialect.name == "postgresql":
        db.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"{whose} {request.key}"},
        )
    row = db.execute(
        select(_ANSWERS.c.id, _ANSWERS.c.request_hash, _ANSWERS.c.status, _ANSWERS.c.body).where(
            _ANSWERS.c.actor == whose, _ANSWERS.c.key == request.key
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != request.request_hash:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for another request; use a new key for a new one."
        )
    stored = json.loads(open_value(_ANSWERS.c.body, row.id, row.body))
    if isinstance(stored, dict) and RESPONSE in stored:
        return _replayed(stored[RESPONSE])
    return JSONResponse(stored, status_code=row.status)


# An endpoint that answers with a ready response (a page's redirect or HTML, a 204): kept
# whole, with the headers that say what it is; never its cookies.
RESPONSE = "__response__"
KEPT_HEADERS = ("content-type", "location", "content-disposition")


def _kept(response: Response) -> dict[str, Any]:
    return {
        RESPONSE: {
            "status": response.status_code,
            "headers": {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers},
            "body": base64.b64encode(bytes(response.body)).decode(),
        }
    }


def _replayed(kept: dict[str, Any]) -> Response:
    return Response(
        base64.b64decode(kept["body"]), status_code=kept["status"], headers=kept["headers"]
    )


def store_answer(
    db: Session, actor: Actor, request: IdempotentRequest, status: int, result: Any
) -> None:
    row_id = uuid.uuid4()
    body = json.dumps(_kept(result) if isinstance(result, Response) else jsonable_encoder(result))
    db.execute(
        insert(_ANSWERS).values(
            id=row_id,
            actor=_whose(actor),
            key=request.key,
            request_hash=request.request_hash,
            status=result.status_code if isinstance(result, Response) else status,
            body=seal_value(_ANSWERS.c.body, row_id, body),
            created_at=utcnow(),
        )
    )
