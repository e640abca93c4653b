"""The procedure engine: the one place that changes a case's state.

``advance`` asks the workflow (``service/workflow.py``) whether the move is allowed,
stamps the milestone, writes the event row and runs what the domains subscribed to
that move (free the seat, close the invitation, ...) — all in the caller's
transaction, so either everything happens or nothing does. ``advance_many`` does the
same for thousands of cases at once (bulk screening), ``advance_first`` moves the first
case of a queue in the statement that picks it ("take next"), ``admit`` records new cases.

No other module assigns ``Case.state`` or writes an event row;
``tests/test_architecture.py`` checks that.
"""

import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Table,
    Update,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.crypto import Sealed, bound_place, seal_value
from service.core.discovery import import_domain_modules
from service.core.errors import Conflict
from service.models.cases import Case, CaseEventRow, Signal
from service.workflow import (
    CaseEvent,
    CaseFacts,
    CaseState,
    Reason,
    ReasonKind,
    Track,
    next_state,
    transition,
)

# The milestone column stamped when a case enters a state.
MILESTONES: dict[CaseState, str] = {
    CaseState.SCREENED: "screened_at",
    CaseState.INVITED: "invited_at",
    CaseState.CONSENTED: "consented_at",
    CaseState.SCHEDULED: "scheduled_at",
    CaseState.SUBMITTED: "submitted_at",
    CaseState.TRANSLATED: "translated_at",
    CaseState.READY_FOR_DECISION: "ready_at",
    CaseState.DECIDED_ON_FORM: "decided_at",
    CaseState.PHYSICAL_HEARING_REQUIRED: "decided_at",
}
ADMITTED = "import"  # the event of a case entering the service (no state before)


@dataclass(frozen=True)
class Move:
    """One case's move, as the subscribers see it."""

    case_id: uuid.UUID
    event: CaseEvent
    source: CaseState
    target: CaseState
    actor: Actor
    reason: Reason


Subscriber = Callable[[Session, Move], None]


@dataclass(frozen=True)
class _Subscription:
    states: frozenset[CaseState]
    events: frozenset[CaseEvent]
    handler: Subscriber

    def wants(self, move: Move) -> bool:
        return move.target in self.states or move.event in self.events


_subscriptions: list[_Subscription] = []
_discovered = threading.Event()
_discovering = threading.Lock()


def on_enter(*states: CaseState) -> Callable[[Subscriber], Subscriber]:
    """Subscribe ``handler(db, move)`` to every move into one of ``states``."""

    def register(handler: Subscriber) -> Subscriber:
        _subscriptions.append(_Subscription(frozenset(states), frozenset(), handler))
        return handler

    return register


def on_event(*events: CaseEvent) -> Callable[[Subscriber], Subscriber]:
    """Subscribe ``handler(db, move)`` to every move by one of ``events``."""

    def register(handler: Subscriber) -> Subscriber:
        _subscriptions.append(_Subscription(frozenset(), frozenset(events), handler))
        return handler

    return register


def _notify(db: Session, move: Move) -> None:
    if not _discovered.is_set():
        # Every domain's service module registers its subscribers when imported;
        # import them all once, so no subscriber depends on who imported what first.
        with _discovering:
            import_domain_modules("service")
            _discovered.set()
    for subscription in _subscriptions:
        if subscription.wants(move):
            subscription.handler(db, move)


def facts_for(case: Case, **overrides: Any) -> CaseFacts:
    """What the workflow's guards know of a case; callers add what only they know
    (the applicant's confirmation at check-in, the consultations at decision)."""
    facts = CaseFacts(
        track=Track(case.track) if case.track else None,
        has_active_signal=bool(case.signals),
        coordinator_motives=frozenset(case.coordinator_motives),
    )
    return replace(facts, **overrides)


def check(case: Case, event: CaseEvent, **facts: Any) -> CaseState:
    """The state ``event`` would lead to, or the workflow's refusal; changes nothing."""
    return transition(case.state, event, facts_for(case, **facts))


def advance(
    db: Session,
    case: Case,
    event: CaseEvent,
    actor: Actor,
    reason: Reason,
    **facts: Any,
) -> CaseState:
    """Move ``case`` by ``event`` if the workflow allows it; log it; tell subscribers.

    ``reason`` says what kind of text it is (``Reason.decision(...)``, ...): who may
    read it follows from that kind (service/fields.py), not from the caller.
    """
    _require_kind(reason)
    source = case.state
    target = check(case, event, **facts)
    now = utcnow()
    case.state = target
    if column := MILESTONES.get(target):
        setattr(case, column, now)
    values = _event_values(case.id, event.value, source, target, actor, reason, now)
    db.add(CaseEventRow(**values))
    db.flush()
    _notify(db, Move(case.id, event, source, target, actor, reason))
    db.flush()
    return target


@dataclass(frozen=True)
class Planned:
    """One case's move in a bulk ``advance_many``: the same rules as ``advance``."""

    case_id: uuid.UUID
    source: CaseState
    event: CaseEvent
    facts: CaseFacts
    reason: Reason
    # Other columns written with the state, the same keys for every move of a batch
    # (encrypted ones sealed by the caller: ``seal_value``).
    changes: dict[str, Any] = field(default_factory=dict)


def advance_many(db: Session, planned: Sequence[Planned], actor: Actor) -> list[Move]:
    """Move many cases in a few statements (executemany): bulk screening of a backlog.

    Each move is checked by the workflow like a single one; a case that moved meanwhile
    (its state is no longer ``source``) makes the whole batch fail with a 409.
    """
    if not planned:
        return []
    now = utcnow()
    stamped = {MILESTONES[t] for t in _targets(planned) if t in MILESTONES}
    moves: list[Move] = []
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for p in planned:
        _require_kind(p.reason)
        target = transition(p.source, p.event, p.facts)
        moves.append(Move(p.case_id, p.event, p.source, target, actor, p.reason))
        row: dict[str, Any] = {"b_id": p.case_id, "b_source": p.source.value, "state": target}
        row.update({c: now if MILESTONES.get(target) == c else None for c in stamped})
        rows.append({**row, **p.changes})
        events.append(
            _sealed(_event_values(p.case_id, p.event.value, p.source, target, actor, p.reason, now))
        )
    _update_cases(db, rows, stamped, changed=set(planned[0].changes))
    db.execute(insert(CaseEventRow).execution_options(render_nulls=True), events)
    for move in moves:
        _notify(db, move)
    db.expire_all()
    return moves


def _targets(planned: Sequence[Planned]) -> set[CaseState]:
    return {target for p in planned if (target := next_state(p.source, p.event))}


def _update_cases(
    db: Session, rows: list[dict[str, Any]], stamped: set[str], changed: set[str]
) -> None:
    table = Case.__table__
    assert isinstance(table, Table)
    if any(set(row) - {"b_id", "b_source", "state", *stamped} != changed for row in rows):
        raise ValueError("every move of a batch changes the same columns")
    values: dict[str, Any] = {"state": bindparam("state"), "version": table.c.version + 1}
    values.update({c: bindparam(c) for c in changed})
    # A move without a milestone keeps the column as it was.
    values.update({c: func.coalesce(bindparam(c), table.c[c]) for c in stamped})
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.state == bindparam("b_source"))
        .values(values)
    )
    result = db.connection().execute(stmt, rows)
    if result.rowcount not in (-1, len(rows)):
        raise Conflict("Some cases changed state meanwhile; try again.")


@dataclass(frozen=True)
class FirstInLine:
    """The move of the first case a queue offers, as one statement (``first_in_line``):
    built once per queue and reused, so a request does not build it again."""

    source: CaseState
    event: CaseEvent
    target: CaseState
    statement: Update


def first_in_line(
    source: CaseState,
    event: CaseEvent,
    queue: Select[uuid.UUID],
    changed: Sequence[str] = (),
    returning: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]] = (),
) -> FirstInLine:
    """One UPDATE that picks the first case of ``queue`` (ids in order) in ``source``
    and moves it by ``event``, returning what the workflow's guards need (and
    ``returning``). PostgreSQL: the pick locks its row and skips rows other transactions
    hold, so two callers at once never get the same case. ``changed``: other columns
    written with the state, as bound parameters of the same names."""
    target = next_state(source, event)
    if target is None:
        raise ValueError(f"no move from {source.value} by {event.value}")
    table = Case.__table__
    assert isinstance(table, Table)
    picked = (
        queue.where(Case.state == source).limit(1).with_for_update(skip_locked=True)
    ).scalar_subquery()
    values: dict[str, Any] = {"state": target, "version": table.c.version + 1}
    values.update({c: bindparam(c) for c in changed})
    if column := MILESTONES.get(target):
        values[column] = bindparam("at")
    signalled = select(Signal.id).where(Signal.case_id == table.c.id).exists()
    statement = (
        update(table)
        .where(table.c.id == picked, table.c.state == source)
        .values(values)
        .returning(
            table.c.id,
            table.c.track,
            table.c.coordinator_motives,
            signalled.label("signalled"),
            *returning,
        )
    )
    return FirstInLine(source, event, target, statement)


# Written as the ORM writes an event row, without building an ORM object.
_EVENT_ROW = insert(CaseEventRow.__table__)  # type: ignore[arg-type]


def advance_first(
    db: Session,
    first: FirstInLine,
    actor: Actor,
    reason: Reason,
    changes: dict[str, Any] | None = None,
) -> tuple[Move, Row[Any]] | None:
    """Move the first case in line (``first_in_line``); None when the queue is empty.

    The same rules as ``advance``, checked on the facts the statement returns: a refusal
    raises, and the caller's transaction (rolled back on error) undoes the move."""
    _require_kind(reason)
    now = utcnow()
    parameters = dict(changes or {})
    if first.target in MILESTONES:
        parameters["at"] = now
    picked = db.connection().execute(first.statement, parameters).first()
    if picked is None:
        return None
    facts = CaseFacts(
        track=Track(picked.track) if picked.track else None,
        has_active_signal=bool(picked.signalled),
        coordinator_motives=frozenset(picked.coordinator_motives),
    )
    target = transition(first.source, first.event, facts)
    event = _event_values(picked.id, first.event.value, first.source, target, actor, reason, now)
    db.connection().execute(_EVENT_ROW, _sealed(event))
    move = Move(picked.id, first.event, first.source, target, actor, reason)
    _notify(db, move)
    db.expire_all()  # a copy of the case in this session is out of date
    return move, picked


def record(db: Session, case: Case, event: str, actor: Actor, reason: Reason) -> None:
    """Log something that happened to a case without moving it (a term extended)."""
    _require_kind(reason)
    values = _event_values(case.id, event, case.state, case.state, actor, reason, utcnow())
    db.add(CaseEventRow(**values))
    db.flush()


def admit(db: Session, case_ids: Iterable[uuid.UUID], actor: Actor, reason: Reason) -> None:
    """Record that new cases entered the service (their first event, state ``imported``)."""
    _require_kind(reason)
    now = utcnow()
    rows = [
        _sealed(_event_values(case_id, ADMITTED, None, CaseState.IMPORTED, actor, reason, now))
        for case_id in case_ids
    ]
    if rows:
        db.execute(insert(CaseEventRow).execution_options(render_nulls=True), rows)


def forget_reasons(db: Session, case_id: uuid.UUID) -> None:
    """Retention: the event log keeps who did what when (the measurements), not why."""
    for kind in ReasonKind:
        db.execute(
            update(CaseEventRow)
            .where(CaseEventRow.case_id == case_id, CaseEventRow.reason_kind == kind)
            .values(reason=_seal_reason(case_id, kind, ""))
        )


def _require_kind(reason: object) -> None:
    # Plain text would leave its readers to the caller's memory (mypy refuses it too).
    if not isinstance(reason, Reason):
        raise TypeError("an event's reason is a Reason that says what kind of text it is")


def _seal_reason(case_id: uuid.UUID, kind: ReasonKind, text: str) -> Sealed | None:
    return seal_value(CaseEventRow.reason, bound_place(case_id, kind), text)


def _sealed(values: dict[str, Any]) -> dict[str, Any]:
    """An event row for a Core insert: its reason sealed (the ORM seals its own)."""
    reason = _seal_reason(values["case_id"], values["reason_kind"], values["reason"])
    return values | {"reason": reason}


def _event_values(
    case_id: uuid.UUID,
    event: str,
    source: CaseState | None,
    target: CaseState,
    actor: Actor,
    reason: Reason,
    at: datetime,
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "event": event,
        "from_state": source.value if source else None,
        "to_state": target.value,
        "actor_id": actor.user_id,
        "actor_role": actor.role,
        "at": at,
        "reason_kind": reason.kind,
        "reason": reason.text,
    }
