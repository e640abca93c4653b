"""Attention points: unit 1F's versioned indicator lists and the hits in a case's answers.

A list version is a draft until published; a published version never changes (the
service refuses it, and ``_frozen`` below refuses it at flush for any writer). An
attention point is never an exclusion: a person raises a signal from it or dismisses it.
"""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, Timestamped, UuidPk, enum_check

# The events of handling a point, written on the case (``procedure.record``); only those
# who may see attention points read them in a timeline (``service/fields.py``).
DISMISSED_EVENT = "attention_point_dismissed"
SIGNALLED_EVENT = "attention_point_signalled"
ATTENTION_EVENTS = (DISMISSED_EVENT, SIGNALLED_EVENT)
# The audit actions of the attention routes all begin so (``audited("attention...")``).
ATTENTION_ACTIONS = "attention."


class IndicatorKind(StrEnum):
    TERM = "term"
    PLACE = "place"
    PERIOD = "period"
    ORGANISATION = "organisation"
    RANK = "rank"
    ROLE = "role"


class PointStatus(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    SIGNALLED = "signalled"


class AnswerText(StrEnum):
    """Which text of an answer a point was found in."""

    ORIGINAL = "original"  # the applicant's own words, in their script
    TRANSLATION = "translation"  # the agency's Dutch
    CORRECTION = "correction"  # the lawyer's correction or addition


class IndicatorList(UuidPk, Timestamped, Base):
    """A list kept by unit 1F or a security partner (its versions hold the indicators)."""

    __tablename__ = "indicator_lists"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Who keeps it: unit 1F, or a named security partner.
    keeper: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class IndicatorListVersion(UuidPk, Timestamped, Base):
    __tablename__ = "indicator_list_versions"
    __table_args__ = (
        UniqueConstraint("list_id", "number"),
        CheckConstraint(
            "(published_at IS NULL) = (published_by_id IS NULL)", name="published_by_whom"
        ),
    )

    list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicator_lists.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    @property
    def published(self) -> bool:
        return self.published_at is not None


class Indicator(UuidPk, Base):
    """One indicator of a list version: the text in its language and in Dutch, its
    transliteration variants, and for a period its dates; who added it and why."""

    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint(enum_check("kind", IndicatorKind), name="kind_known"),
        CheckConstraint(
            "kind <> 'period' OR (valid_from IS NOT NULL AND valid_to IS NOT NULL)",
            name="period_has_dates",
        ),
        CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to", name="dates_ordered"
        ),
    )

    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("indicator_list_versions.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(300))
    text_nl: Mapped[str] = mapped_column(String(300), default="")
    variants: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttentionPoint(UuidPk, Base):
    """A hit of an indicator in one text of one answer of a case."""

    __tablename__ = "attention_points"
    __table_args__ = (
        # The same hit in the same text is one point, whichever list version found it:
        # a dismissed point stays dismissed when the text is matched again.
        UniqueConstraint("case_id", "fingerprint"),
        CheckConstraint(enum_check("status", PointStatus), name="status_known"),
        CheckConstraint(enum_check("text_kind", AnswerText), name="text_kind_known"),
        CheckConstraint("span_start >= 0 AND span_end > span_start", name="span_ordered"),
        CheckConstraint("(status = 'open') = (handled_at IS NULL)", name="handled_unless_open"),
        CheckConstraint("status <> 'signalled' OR signal_id IS NOT NULL", name="signal_kept"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    answer_key: Mapped[str] = mapped_column(String(120))
    text_kind: Mapped[str] = mapped_column(String(12))
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    # The words found (part of the applicant's account: sealed like it).
    excerpt: Mapped[str] = mapped_column(Encrypted())
    indicator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicators.id"), index=True)
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("indicator_list_versions.id"), index=True
    )
    # Keyed digest of (answer, text kind, indicator term, span, the text itself).
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default=PointStatus.OPEN)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    handled_role: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Encrypted(), default="")
    signal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("signals.id"))


class FrozenVersion(Exception):
    """A write to a published indicator list version (a programming error: the service
    refuses it first, with a domain error)."""


def _was_published(version: "IndicatorListVersion") -> bool:
    """Published before the flush at hand (publishing it is the flush's own change)."""
    history = inspect(version).attrs.published_at.history
    before = list(history.deleted or history.unchanged or ())
    return bool(before) and before[0] is not None


@event.listens_for(Session, "before_flush")
def _frozen(session: Session, _context: Any, _instances: Any) -> None:
    """A published list version and its indicators never change, whoever writes."""
    for obj in (*session.dirty, *session.deleted):
        if not isinstance(obj, IndicatorListVersion):
            continue
        changed = obj in session.deleted or session.is_modified(obj)
        if changed and _was_published(obj):
            raise FrozenVersion(f"list version {obj.id} is published and never changes")
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Indicator):
            continue
        if obj in session.dirty and not session.is_modified(obj):
            continue
        version = session.get(IndicatorListVersion, obj.version_id)
        if version is not None and _was_published(version):
            raise FrozenVersion(f"list version {version.id} is published and never changes")
