"""Declarative base with a naming convention and UTC-aware timestamps."""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, MetaData, String, TypeDecorator, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service.core.clock import as_utc, utcnow
from service.core.crypto import encrypt_orm

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware on the way out on every backend (SQLite stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is UTC:  # the common case (``utcnow``), as is
            return value
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store UTC-aware datetimes only")
        return as_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class StrEnumColumn(TypeDecorator[StrEnum]):
    """A ``StrEnum`` stored as its text value; reads come back as the enum member."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum
        # A member or its text to the plain text: a lookup, not the enum's call (a bulk
        # write binds tens of thousands of these).
        self.texts = {member.value: member.value for member in enum}

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        text = self.texts.get(value)
        return self.enum(value).value if text is None else text  # else: refused (ValueError)

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), uuid.UUID: Uuid()}


# Sensitive columns (``Encrypted``) are sealed on write and opened on load.
encrypt_orm(Base)


class UuidPk:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def enum_check(column: str, values: Any) -> str:
    """SQL for a CHECK that a text column holds one of the enum's values."""
    listed = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({listed})"
