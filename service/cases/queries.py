"""Reading cases: lists within what the actor may see, and the timeline."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import ColumnElement, String, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session, defer, selectinload

from service.cases import names
from service.cases.access import visible_cases
from service.core.actor import Actor
from service.core.clock import utcnow
from service.fields import ATTENTION_EVENTS, visibility
from service.models import attention
from service.models.auth import Role, User
from service.models.cases import Case, CaseEventRow, CaseNameKey, Signal
from service.terms.policy import local_date
from service.workflow import OPEN_STATES, CaseState, Track


def list_cases(
    db: Session, actor: Actor, state: CaseState | None, limit: int, offset: int
) -> Sequence[Case]:
    query = visible_cases(actor).options(selectinload(Case.signals))
    if state:
        query = query.where(Case.state == state)
    return db.scalars(
        query.order_by(Case.date_of_application, Case.v_number).limit(limit).offset(offset)
    ).all()


def timeline(db: Session, case_id: uuid.UUID, role: str | None = None) -> Sequence[CaseEventRow]:
    """The case's events; read as ``role``, without those the field table keeps from it
    (the handling of attention points)."""
    query = select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id)
    if role is not None and not visibility("timeline", ATTENTION_EVENTS).sees(role):
        query = query.where(CaseEventRow.event.not_in(attention.ATTENTION_EVENTS))
    return db.scalars(query).all()


def counts_by_state(db: Session) -> list[tuple[CaseState, int]]:
    """How many cases are in each state, in the order of the procedure."""
    found = dict(db.execute(select(Case.state, func.count()).group_by(Case.state)).all())
    return [(state, found[state]) for state in CaseState if state in found]


# --- the planner's case list ---------------------------------------------------------------

PAGE_SIZE = 50


class Outcome(StrEnum):
    """The eligibility outcome as the list filters it (from the case's own columns)."""

    NOT_SCREENED = "not_screened"
    ELIGIBLE = "eligible"
    EXCLUDED = "excluded"


class Sort(StrEnum):
    TARGET = "target"  # six-week target date, soonest first
    APPLICATION = "application"  # date of application, oldest first
    APPLICATION_NEWEST = "application_newest"


class CaseFilter(BaseModel):
    """What the planner's list is narrowed to: the query string of ``/planner/cases``."""

    model_config = ConfigDict(extra="ignore")

    q: Annotated[str, Field(max_length=100)] = ""
    state: CaseState | None = None
    track: Track | None = None
    nationality: Annotated[str, Field(max_length=20)] = ""
    language: Annotated[str, Field(max_length=10)] = ""
    outcome: Outcome | None = None
    overdue: bool = False
    signal: bool = False
    firm: Annotated[str, Field(max_length=200)] = ""
    sort: Sort = Sort.TARGET
    page: Annotated[int, Field(ge=1, le=100_000)] = 1

    @field_validator("state", "track", "outcome", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


@dataclass(frozen=True)
class CasePage:
    cases: Sequence[Case]
    total: int
    page: int
    pages: int
    facets: dict[str, list[tuple[str, int]]]
    firms: dict[uuid.UUID, str | None]


def _v_number_prefix(text: str) -> str | None:
    digits = text.strip().upper().removeprefix("V").replace("-", "").replace(" ", "")
    return digits if digits.isdigit() and 3 <= len(digits) <= 10 else None


def _conditions(
    f: CaseFilter, now: datetime, today: date, skip: str = ""
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter, without the one named ``skip`` (for its counts)."""
    where: list[ColumnElement[bool]] = []
    if f.q.strip():
        prefix = _v_number_prefix(f.q)
        if prefix is not None:
            # A range, not LIKE: it uses the unique index on v_number on both databases.
            upper = prefix + "9" * (10 - len(prefix))
            where.append(Case.v_number.between(prefix, upper))
        else:
            keys = names.keys_of(f.q) or ["-"]
            matching = (
                select(CaseNameKey.case_id)
                .where(CaseNameKey.key.in_(keys))
                .group_by(CaseNameKey.case_id)
                .having(func.count() == len(keys))
            )
            where.append(Case.id.in_(matching))
    if f.state and skip != "state":
        where.append(Case.state == f.state)
    if f.track and skip != "track":
        where.append(Case.track == f.track)
    if f.nationality and skip != "nationality":
        where.append(Case.nationality == f.nationality)
    if f.language:
        # JSON lists are stored as text on both databases: '["ar", "fa"]'.
        where.append(cast(Case.languages, String).like(f'%"{_like_safe(f.language)}"%'))
    if f.outcome and skip != "outcome":
        where.append(_outcome(f.outcome))
    if f.overdue and skip != "overdue":
        where.append(overdue(now, today))
    if f.signal and skip != "signal":
        where.append(exists().where(Signal.case_id == Case.id))
    if f.firm and skip != "firm":
        where.append(Case.lawyer_id.in_(select(User.id).where(User.organisation == f.firm)))
    return where


def _like_safe(text: str) -> str:
    return "".join(c for c in text if c.isalnum() or c == "-")


def _outcome(outcome: Outcome) -> ColumnElement[bool]:
    if outcome is Outcome.NOT_SCREENED:
        return Case.state == CaseState.IMPORTED
    if outcome is Outcome.EXCLUDED:
        return Case.state == CaseState.EXCLUDED
    return Case.track.is_not(None)


def overdue(now: datetime, today: date) -> ColumnElement[bool]:
    """Open, and past its six-week target or a term the lawyer had to keep."""
    return and_(
        Case.state.in_(sorted(OPEN_STATES)),
        or_(
            Case.target_date < today,
            and_(Case.state == CaseState.INVITED, Case.reply_due_at < now),
            and_(Case.state == CaseState.WITH_LAWYER, Case.corrections_due_at < now),
        ),
    )


def _order(sort: Sort) -> list[Any]:
    if sort is Sort.APPLICATION:
        return [Case.date_of_application, Case.v_number]
    if sort is Sort.APPLICATION_NEWEST:
        return [Case.date_of_application.desc(), Case.v_number.desc()]
    return [Case.target_date.is_(None), Case.target_date, Case.v_number]


def _counts(
    db: Session, column: Any, f: CaseFilter, now: datetime, today: date, skip: str
) -> list[tuple[str, int]]:
    query = select(column, func.count()).where(*_conditions(f, now, today, skip))
    rows = db.execute(query.group_by(column).order_by(func.count().desc())).all()
    return [(str(value), count) for value, count in rows if value is not None]


def _count(
    db: Session, extra: ColumnElement[bool], f: CaseFilter, skip: str, now: datetime, today: date
) -> int:
    query = select(func.count()).select_from(Case).where(*_conditions(f, now, today, skip), extra)
    return db.scalar(query) or 0


def search_cases(db: Session, actor: Actor, f: CaseFilter) -> CasePage:
    """One page of the cases the planner's filter finds, with the counts per filter value
    (each counted with the other filters applied). Planners and admins see every case."""
    now = utcnow()
    today = local_date(now)
    where = _conditions(f, now, today)
    base = visible_cases(actor).where(*where)
    total = db.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(f.page, pages)
    # The page's ids first, sorted within the covering index; then only their rows.
    ids = (
        base.with_only_columns(Case.id)
        .order_by(*_order(f.sort))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    # The list never shows the vulnerability notes: not read, so not decrypted either.
    cases = db.scalars(
        select(Case)
        .options(selectinload(Case.signals), defer(Case.vulnerability_notes, raiseload=True))
        .where(Case.id.in_(ids.scalar_subquery()))
        .order_by(*_order(f.sort))
    ).all()
    firm_of = select(User.id, User.organisation).where(User.role == Role.LAWYER)
    firms = {row[0]: row[1] for row in db.execute(firm_of)}
    facets = {
        "state": _counts(db, Case.state, f, now, today, "state"),
        "track": _counts(db, Case.track, f, now, today, "track"),
        "nationality": _counts(db, Case.nationality, f, now, today, "nationality"),
        "outcome": [(o.value, _count(db, _outcome(o), f, "outcome", now, today)) for o in Outcome],
        "overdue": [("true", _count(db, overdue(now, today), f, "overdue", now, today))],
        "signal": [
            (
                "true",
                _count(db, exists().where(Signal.case_id == Case.id), f, "signal", now, today),
            )
        ],
        "firm": _firm_counts(db, f, now, today),
    }
    return CasePage(cases, total, page, pages, facets, firms)


def _firm_counts(db: Session, f: CaseFilter, now: datetime, today: date) -> list[tuple[str, int]]:
    query = (
        select(User.organisation, func.count())
        .select_from(Case)
        .join(User, User.id == Case.lawyer_id)
        .where(*_conditions(f, now, today, "firm"), User.organisation.is_not(None))
        .group_by(User.organisation)
        .order_by(User.organisation)
    )
    return [(str(name), count) for name, count in db.execute(query).all()]


def count(db: Session, *where: ColumnElement[bool]) -> int:
    return db.scalar(select(func.count()).select_from(Case).where(*where)) or 0
