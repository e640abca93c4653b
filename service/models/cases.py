"""Cases, their signals and the event log every transition writes."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from service.core.clock import utcnow
from service.core.crypto import Encrypted
from service.models.base import Base, StrEnumColumn, Timestamped, UuidPk, enum_check
from service.workflow import CaseState, ReasonKind, Track

V_NUMBER_PATTERN = r"^V?\d{10}$"


class Literacy(StrEnum):
    KNOWN = "known"  # reads and writes the form language
    UNKNOWN = "unknown"
    LOW = "low"


class CoordinatorMotive(StrEnum):
    LGBTI = "lgbti"
    CONVERSION = "conversion"


class SignalKind(StrEnum):
    NV = "nv"  # national security
    ARTICLE_1F = "1f"


QUEUE_CONDITION = f"state = '{CaseState.READY_FOR_DECISION.value}'"


def in_state(state: CaseState) -> ColumnElement[bool]:
    """``Case.state == state`` with the state written into the SQL, not bound: a partial
    index (``ix_cases_queue``) serves only a condition the planner can match to its own
    when it plans the statement, and a statement built once is planned once for all."""
    return Case.state == literal_column(f"'{state.value}'")


class Case(UuidPk, Timestamped, Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(enum_check("state", CaseState), name="state_known"),
        CheckConstraint(enum_check("literacy", Literacy), name="literacy_known"),
        CheckConstraint(f"track IS NULL OR {enum_check('track', Track)}", name="track_known"),
        # An eligible screening always fixes the track.
        CheckConstraint(
            "track IS NOT NULL OR state IN ('imported', 'excluded', 'withdrawn')",
            name="track_set_once_eligible",
        ),
        # The database itself refuses a kansarm case decided on the form.
        CheckConstraint(
            "state <> 'decided_on_form' OR track = 'replacing'", name="form_decision_replacing"
        ),
        CheckConstraint(
            "state NOT IN ('decided_on_form', 'physical_hearing_required') "
            "OR decided_at IS NOT NULL",
            name="decided_has_time",
        ),
        # The planner's case list: sorted by target date or application date, paged.
        Index("ix_cases_target_date", "target_date", "v_number"),
        Index("ix_cases_application", "date_of_application", "v_number"),
        Index("ix_cases_state_target", "state", "target_date", "v_number"),
        # The decision queue in its order (``decisions.queries.queue_order``): "take next"
        # and the officer's queue read its first rows instead of sorting every ready file.
        # Partial, so that no other case (an import's rows) pays for it; a statement uses
        # it only when it names the state as the index does (``in_state``).
        Index(
            "ix_cases_queue",
            "state",
            "target_date",
            "date_of_application",
            "ready_at",
            postgresql_where=text(QUEUE_CONDITION),
            sqlite_where=text(QUEUE_CONDITION),
        ),
        # Covering for the list's counts per filter and its page of ids (sorted within
        # the index, then only 50 whole rows read): no table row per counted case.
        Index(
            "ix_cases_list",
            "state",
            "track",
            "nationality",
            "lawyer_id",
            "target_date",
            "date_of_application",
            "v_number",
            "id",
        ),
    )

    v_number: Mapped[str] = mapped_column(String(11), unique=True)
    # Shown to the host at check-in, so the right person takes the seat.
    applicant_name: Mapped[str] = mapped_column(Encrypted(), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Encrypted("date"))
    nationality: Mapped[str] = mapped_column(String(10), index=True)
    languages: Mapped[list[str]] = mapped_column(JSON)
    date_of_application: Mapped[date] = mapped_column(Date)
    lawyer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    literacy: Mapped[str] = mapped_column(String(10), default=Literacy.UNKNOWN)
    coordinator_motives: Mapped[list[str]] = mapped_column(JSON, default=list)
    vulnerability_notes: Mapped[str] = mapped_column(Encrypted(), default="")

    # No index of its own: ``ix_cases_state_target`` and ``ix_cases_list`` begin with it.
    state: Mapped[CaseState] = mapped_column(
        StrEnumColumn(CaseState, 30), default=CaseState.IMPORTED
    )
    track: Mapped[str | None] = mapped_column(String(20))
    policy_version: Mapped[str | None] = mapped_column(String(60))
    exclusion_reason: Mapped[str | None] = mapped_column(Encrypted())
    # Terms running on the case (invitation reply, lawyer's corrections).
    reply_due_at: Mapped[datetime | None]
    corrections_due_at: Mapped[datetime | None]
    target_date: Mapped[date | None] = mapped_column(Date)
    claimed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # A claim is a lease: past this moment the sweep returns the case to the queue.
    lease_expires_at: Mapped[datetime | None]
    # Milestones, so throughput can be measured without replaying events.
    screened_at: Mapped[datetime | None]
    invited_at: Mapped[datetime | None]
    consented_at: Mapped[datetime | None]
    scheduled_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    translated_at: Mapped[datetime | None]
    ready_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Retention (service/retention): personal data removed, the figures kept.
    anonymised_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    # Loaded when read (most requests never need them); lists load them in bulk.
    signals: Mapped[list["Signal"]] = relationship(
        back_populates="case", order_by="Signal.noted_at", lazy="select"
    )


class Signal(UuidPk, Base):
    """An NV or 1F signal; any one pulls the case out of the written track."""

    __tablename__ = "signals"
    __table_args__ = (CheckConstraint(enum_check("kind", SignalKind), name="kind_known"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(5))
    source: Mapped[str] = mapped_column(Encrypted())
    reason: Mapped[str] = mapped_column(Encrypted(), default="")
    noted_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="signals")


class CaseEventRow(Base):
    """One row per state change, written in the same transaction as the change."""

    __tablename__ = "case_events"
    __table_args__ = (
        Index("ix_case_events_case_at", "case_id", "at"),
        CheckConstraint(enum_check("to_state", CaseState), name="to_state_known"),
        CheckConstraint(enum_check("reason_kind", ReasonKind), name="reason_kind_known"),
    )

    # An increasing integer keeps the order of events written in the same instant.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    event: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # What kind of text the reason is; who may read it follows from the kind
    # (service/fields.py). Sealed bound to the case and the kind: the row id is only
    # numbered on insert, and a reason moved to a row of another kind does not open.
    reason_kind: Mapped[ReasonKind] = mapped_column(StrEnumColumn(ReasonKind, 10))
    reason: Mapped[str] = mapped_column(Encrypted(bound_to=("case_id", "reason_kind")), default="")


class CaseNameKey(Base):
    """A keyed hash of one word of the applicant's name (a blind index): the name itself
    is encrypted with a random nonce, so the planner's name search looks these up."""

    __tablename__ = "case_name_keys"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportRun(UuidPk, Timestamped, Base):
    """One backlog file read, on the import page or by ``hearing import-cases``: the
    file until it is read (page uploads only), the progress the page polls, and the
    result per row (``ImportResult``)."""

    __tablename__ = "import_runs"
    __table_args__ = (CheckConstraint(enum_check("status", ImportStatus), name="status_known"),)

    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    screen: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.QUEUED)
    # The uploaded file, sealed (it holds names), removed once it has been read.
    content: Mapped[bytes | None] = mapped_column(Encrypted("bytes"))
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    skipped_existing: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None]


class ImportResult(Base):
    """The result of one row of an import run (no names: it is downloadable). One row
    each, written with its batch, so a run's results grow by appending, never by
    rewriting what earlier batches wrote."""

    __tablename__ = "import_results"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("import_runs.id"), primary_key=True)
    row: Mapped[int] = mapped_column(primary_key=True)
    v_number: Mapped[str] = mapped_column(Text, default="")
    # "imported:<state>", "existing" or "refused"
    result: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
