"""The planner's name search over encrypted names: a blind index.

Names are sealed with a random nonce (``core/crypto``), so SQL cannot compare them. Each
word of a name is stored beside the case as a keyed hash (HMAC-SHA256 under a key derived
from the service's secret): equal words give equal keys, but a key says nothing without
the secret. A search for "amal haddad" finds the cases holding both words' keys, through
an index. Words are compared case- and accent-insensitively, whole words only.
"""

import hashlib
import hmac
import re
import unicodedata
import uuid
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import delete
from sqlalchemy.orm import Session

from service.core.bulk import insert_rows
from service.core.settings import get_settings
from service.models.cases import CaseNameKey

KEY_CHARS = 32
MAX_WORDS = 6
_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache
def _secret() -> bytes:
    return hmac.new(get_settings().secret_key.encode(), b"case-name-index", "sha256").digest()


def words(text: str) -> list[str]:
    """The words of a name, folded: lower case, without accents."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return list(dict.fromkeys(_WORD.findall(plain)))[:MAX_WORDS]


def key_of(word: str) -> str:
    return hmac.new(_secret(), word.encode(), hashlib.sha256).hexdigest()[:KEY_CHARS]


def keys_of(name: str) -> list[str]:
    return [key_of(w) for w in words(name)]


def index_rows(case_id: uuid.UUID, name: str) -> list[dict[str, object]]:
    return [{"case_id": case_id, "key": k} for k in keys_of(name)]


def name_rows(names: Iterable[tuple[uuid.UUID, str]]) -> list[dict[str, object]]:
    """The name keys of new cases, as rows of ``CaseNameKey``."""
    return [row for case_id, name in names for row in index_rows(case_id, name)]


def index_names(db: Session, names: Iterable[tuple[uuid.UUID, str]]) -> None:
    """Index the names of new cases (one executemany)."""
    rows = name_rows(names)
    if rows:
        insert_rows(db, CaseNameKey, rows)


def forget_name(db: Session, case_id: uuid.UUID) -> None:
    """Drop a case's name keys (the name was removed or changed)."""
    db.execute(delete(CaseNameKey).where(CaseNameKey.case_id == case_id))
