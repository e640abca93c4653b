"""Encryption at rest of special-category data (docs/security.md, "Encryption at rest").

Each sensitive column holds ``<key id>:<base64url(nonce || AES-GCM ciphertext)>``. The
associated data binds a ciphertext to its place: table, row id and column. A value
copied to another row or column (by someone with database access) fails to decrypt
instead of showing one applicant's account as another's.

Keys come from the environment (``HEARING_DATA_KEYS``) or a key file
(``HEARING_DATA_KEYS_FILE``), never from the database, and are never logged. Each key
has an id, so old rows stay readable while ``hearing keys rotate`` re-seals them under
the active key.

How ORM code stays plain: the column type (``Encrypted``) only passes ``Sealed`` values
to the database and hands back ``Sealed`` values from it; ORM events seal an object's
values just before it is written (when its row id is known) and open them when it is
loaded. Core statements call ``seal_value`` / ``open_value`` themselves; a plaintext
value given to an encrypted column is refused, so nothing is ever stored unsealed by
accident.
"""

import base64
import binascii
import json
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Text, TypeDecorator, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import InstanceState, Mapper, attributes
from sqlalchemy.orm.attributes import set_committed_value

from service.core.settings import get_settings

Kind = Literal["text", "json", "date", "bytes"]
NONCE_BYTES = 12
KEY_BYTES = 32
# The embedded default for dev and tests only: public, so refused in production.
DEV_KEY_ID = "dev"
DEV_KEY = base64.urlsafe_b64encode(b"dev-only-data-key-not-secret!!!!").decode()


class DataKeyError(Exception):
    """The data keys are missing, malformed or do not open a stored value."""


class KeyConfigError(DataKeyError):
    pass


class UnreadableValue(DataKeyError):
    """A stored value does not decrypt: unknown key, or it was moved or altered."""


class PlaintextRefused(TypeError):
    """A plaintext value reached an encrypted column without being sealed."""


@dataclass(frozen=True, slots=True)
class Sealed:
    """A value as stored: the key id and the nonce with the ciphertext."""

    token: str

    @property
    def key_id(self) -> str:
        return self.token.split(":", 1)[0]

    def __repr__(self) -> str:  # never print the ciphertext into logs either
        return f"Sealed(key_id={self.key_id!r})"


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, AESGCM]
    active: str

    @property
    def active_key(self) -> AESGCM:
        return self.keys[self.active]

    @property
    def is_dev(self) -> bool:
        return self.active == DEV_KEY_ID


def parse_keys(spec: str) -> dict[str, bytes]:
    """``kid:base64key`` pairs separated by commas or new lines (a key file's lines)."""
    keys: dict[str, bytes] = {}
    for raw in spec.replace(",", "\n").splitlines():
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep or not key_id.isidentifier():
            raise KeyConfigError("each data key is 'id:base64key' with an id of letters and digits")
        try:
            secret = base64.urlsafe_b64decode(encoded.strip().encode())
        except (binascii.Error, ValueError):
            raise KeyConfigError(f"data key '{key_id}' is not valid base64") from None
        if len(secret) != KEY_BYTES:
            raise KeyConfigError(f"data key '{key_id}' must be {KEY_BYTES} bytes (AES-256)")
        keys[key_id] = secret
    return keys


def new_key() -> str:
    """A fresh random key, base64url, for ``hearing keys new``."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


@lru_cache
def get_keyring() -> Keyring:
    """The data keys from the settings (cached; tests clear the cache to switch keys)."""
    settings = get_settings()
    spec = settings.data_keys.get_secret_value()
    if settings.data_keys_file is not None:
        spec += "\n" + settings.data_keys_file.read_text()
    keys = parse_keys(spec)
    if not keys:
        if settings.env == "production":
            raise KeyConfigError("HEARING_DATA_KEYS or HEARING_DATA_KEYS_FILE is required")
        keys = parse_keys(f"{DEV_KEY_ID}:{DEV_KEY}")
    active = settings.data_key_active or next(iter(keys))
    if active not in keys:
        raise KeyConfigError(f"the active data key '{active}' is not among the data keys")
    if settings.env == "production" and DEV_KEY_ID in keys:
        raise KeyConfigError("the public dev data key is refused in production")
    return Keyring({k: AESGCM(v) for k, v in keys.items()}, active)


def bound_place(*values: object) -> str:
    """A row's place made of several columns' values (``Encrypted(bound_to=...)``)."""
    return "/".join(str(v) for v in values)


def associated_data(table: str, row_id: object, column: str) -> bytes:
    return f"{table}\x1f{row_id}\x1f{column}".encode()


def _serialise(kind: Kind, value: Any) -> bytes:
    if kind == "bytes":
        if not isinstance(value, bytes):
            raise TypeError("a bytes column needs bytes")
        return value
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    if kind == "date":
        if not isinstance(value, date):
            raise TypeError("a date column needs a date")
        return value.isoformat().encode()
    if not isinstance(value, str):
        raise TypeError("a text column needs a str")
    return value.encode()


def _deserialise(kind: Kind, plain: bytes) -> Any:
    if kind == "bytes":
        return plain
    text = plain.decode()
    if kind == "json":
        return json.loads(text)
    if kind == "date":
        return date.fromisoformat(text)
    return text


def seal_bytes(plain: bytes, aad: bytes, keyring: Keyring | None = None) -> Sealed:
    ring = keyring or get_keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.active_key.encrypt(nonce, plain, aad)
    return Sealed(f"{ring.active}:{base64.urlsafe_b64encode(nonce + sealed).decode()}")


def open_bytes(sealed: Sealed, aad: bytes, keyring: Keyring | None = None) -> bytes:
    ring = keyring or get_keyring()
    key_id, _, encoded = sealed.token.partition(":")
    key = ring.keys.get(key_id)
    if key is None:
        raise UnreadableValue(f"no data key '{key_id}' is configured")
    try:
        blob = base64.urlsafe_b64decode(encoded.encode())
        return key.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, binascii.Error, ValueError):
        raise UnreadableValue("a stored value does not decrypt in its place") from None


class Encrypted(TypeDecorator[Any]):
    """A sensitive column: stores ``Sealed`` text, refuses plaintext (see module doc)."""

    impl = Text
    cache_ok = True

    def __init__(self, kind: Kind = "text", bound_to: tuple[str, ...] = ("id",)) -> None:
        super().__init__()
        self.kind: Kind = kind
        # The columns whose values name the row in the associated data: the row id, or
        # for a table whose ids are numbered by the database on insert (the event log)
        # columns known before it, such as the case and the kind of text.
        self.bound_to = bound_to

    def place(self, row: Any) -> object:
        """The row's part of the associated data, from an object or a mapping."""
        get = row.__getitem__ if isinstance(row, Mapping) else lambda name: getattr(row, name)
        if self.bound_to == ("id",):
            return get("id")
        return bound_place(*(get(name) for name in self.bound_to))

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.token
        raise PlaintextRefused("an encrypted column was given plaintext: seal it first")

    def process_result_value(self, value: Any, dialect: Dialect) -> Sealed | None:
        return None if value is None else Sealed(value)


def _encrypted(column: Any) -> tuple[Column[Any], Encrypted]:
    col = column.property.columns[0] if hasattr(column, "property") else column
    if not isinstance(col.type, Encrypted):
        raise TypeError(f"{col} is not an encrypted column")
    return col, col.type


def seal_at(kind: Kind, table: str, column: str, row_id: object, value: Any) -> Sealed | None:
    """Seal ``value`` for ``table.column`` of row ``row_id`` (migrations name the place)."""
    if value is None:
        return None
    return seal_bytes(_serialise(kind, value), associated_data(table, row_id, column))


def open_at(kind: Kind, table: str, column: str, row_id: object, value: Sealed | None) -> Any:
    if value is None:
        return None
    return _deserialise(kind, open_bytes(value, associated_data(table, row_id, column)))


def seal_value(column: Any, row_id: object, value: Any) -> Sealed | None:
    """Seal ``value`` for ``column`` (a model attribute or table column) of row ``row_id``
    (for a column bound to other columns than the id: their ``bound_place``)."""
    col, kind = _encrypted(column)
    return seal_at(kind.kind, col.table.name, col.name, row_id, value)


def seal_many(column: Any, values: Sequence[tuple[object, Any]]) -> list[Sealed | None]:
    """``seal_value`` for many rows of one column, each (row id or bound place, value):
    the same sealing without the work per value that is the same for all (the column's
    place and the key looked up once, the random nonces drawn at once): a bulk write
    seals tens of thousands of values."""
    col, encrypted = _encrypted(column)
    ring = get_keyring()
    key, prefix = ring.active_key, f"{ring.active}:"
    table, name = col.table.name, col.name
    nonces = os.urandom(NONCE_BYTES * len(values))
    sealed: list[Sealed | None] = []
    for at, (row_id, value) in enumerate(values):
        if value is None:
            sealed.append(None)
            continue
        nonce = nonces[at * NONCE_BYTES : (at + 1) * NONCE_BYTES]
        plain = _serialise(encrypted.kind, value)
        blob = nonce + key.encrypt(nonce, plain, associated_data(table, row_id, name))
        sealed.append(Sealed(prefix + base64.urlsafe_b64encode(blob).decode()))
    return sealed


def open_value(column: Any, row_id: object, value: Sealed | None) -> Any:
    """The plaintext of ``column``'s value in row ``row_id`` (as read by a Core select)."""
    col, kind = _encrypted(column)
    return open_at(kind.kind, col.table.name, col.name, row_id, value)


def encrypted_columns(mapper: Mapper[Any]) -> list[tuple[str, Column[Any]]]:
    """The mapped attributes of a class whose column is encrypted (cached per mapper)."""
    cached = _ENCRYPTED_COLUMNS.get(mapper)
    if cached is None:
        cached = [
            (prop.key, cast(Column[Any], prop.columns[0]))
            for prop in mapper.column_attrs
            if isinstance(prop.columns[0].type, Encrypted)
        ]
        _ENCRYPTED_COLUMNS[mapper] = cached
    return cached


_ENCRYPTED_COLUMNS: dict[Mapper[Any], list[tuple[str, Column[Any]]]] = {}


def _type(column: Column[Any]) -> Encrypted:
    return cast(Encrypted, column.type)


def encrypted_tables(metadata: Any) -> Iterator[tuple[Any, list[Column[Any]]]]:
    """Every table with encrypted columns, and those columns (for rotation and migrations)."""
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, Encrypted)]
        if columns:
            yield table, columns


# --- ORM: seal before a row is written, open when it is loaded -----------------------

_PLAINTEXT = "encrypted_plaintext"


def _default(column: Column[Any]) -> Any:
    default = column.default
    if default is None:
        return None
    arg = getattr(default, "arg", None)
    return arg(None) if callable(arg) else arg


def _seal_instance(mapper: Mapper[Any], target: Any, inserting: bool) -> None:
    columns = encrypted_columns(mapper)
    if not columns:
        return
    state: InstanceState[Any] = attributes.instance_state(target)
    if getattr(target, "id", None) is None and any(
        "id" in _type(column).bound_to for _, column in columns
    ):
        target.id = uuid.uuid4()  # the row id is part of the associated data
    plain: dict[str, Any] = {}
    for key, column in columns:
        if inserting:
            value = state.dict.get(key)
            if value is None:
                value = _default(column)
        elif state.attrs[key].history.has_changes():
            value = state.dict.get(key)
        else:
            continue
        if isinstance(value, Sealed):
            continue  # sealed by the caller (rotation)
        plain[key] = value
        place = _type(column).place(target)
        attributes.set_attribute(target, key, seal_value(column, place, value))
    state.info[_PLAINTEXT] = plain


def _after_write(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    state = attributes.instance_state(target)
    for key, value in state.info.pop(_PLAINTEXT, {}).items():
        set_committed_value(target, key, value)


def _open_instance(target: Any, keys: Any = None) -> None:
    state = attributes.instance_state(target)
    for key, column in encrypted_columns(state.mapper):
        if keys is not None and key not in keys:
            continue
        value = state.dict.get(key)
        if isinstance(value, Sealed):
            place = _type(column).place(target)
            set_committed_value(target, key, open_value(column, place, value))


def encrypt_orm(base: type) -> None:
    """Install the sealing and opening events on every model derived from ``base``."""
    event.listen(base, "before_insert", lambda m, c, t: _seal_instance(m, t, True), propagate=True)
    event.listen(base, "before_update", lambda m, c, t: _seal_instance(m, t, False), propagate=True)
    event.listen(base, "after_insert", _after_write, propagate=True)
    event.listen(base, "after_update", _after_write, propagate=True)
    event.listen(base, "load", lambda t, ctx: _open_instance(t), propagate=True)
    event.listen(base, "refresh", lambda t, ctx, keys: _open_instance(t, keys), propagate=True)
    event.listen(
        base, "refresh_flush", lambda t, ctx, keys: _open_instance(t, keys), propagate=True
    )
