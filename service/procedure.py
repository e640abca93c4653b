"""The procedure engine: the one place that changes a case's state.

``advance`` asks the workflow (``service/workflow.py``) whether the move is allowed,
on the facts it reads from the database itself (``facts``: signals, consultations, the
applicant's consent, the track; never from a caller), stamps the milestone, writes the
event row and runs what the domains subscribed to that move (free the seat, close the
invitation, ...) — all in the caller's transaction, so either everything happens or
nothing does. ``advance_many`` does the same for thousands of cases at once (bulk
screening), ``advance_first`` moves the first case of a queue in the statement that
picks it ("take next"), ``admit`` records new cases, ``admit_rows`` writes new cases
already moved by their first move (the import's screening: each case written once).

Subscribers are batch-aware: each gets all the moves of one call that share an event
and a target state (``advance`` gives a batch of one) and writes one set-based statement
for them; one that declares ``after=`` states is not called for moves from elsewhere (a
case leaving the track straight from the import holds nothing to release).

No other module assigns ``Case.state`` or writes an event row;
``tests/test_architecture.py`` checks that. ``docs/workflow.md`` lists the subscribers
(``python -m service.procedure > docs/workflow.md``).
"""

import inspect
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    literal_column,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import InstrumentedAttribute, Session

from service import workflow
from service.core.actor import Actor
from service.core.bulk import among, formatted, insert_rows, update_rows
from service.core.clock import utcnow
from service.core.crypto import Sealed, bound_place, seal_many, seal_value
from service.core.discovery import import_domain_modules
from service.core.errors import Conflict
from service.models.cases import Case, CaseEventRow, Signal, in_state
from service.models.decisions import Consultation
from service.models.sessions import Booking
from service.workflow import (
    CaseEvent,
    CaseFacts,
    CaseState,
    Reason,
    ReasonKind,
    Track,
    guarded,
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


# A subscriber gets every move of one call that shares an event and a target state (a
# batch of one from ``advance``), and writes what it does for all of them at once.
Subscriber = Callable[[Session, Sequence[Move]], None]


@dataclass(frozen=True)
class _Subscription:
    states: frozenset[CaseState]
    events: frozenset[CaseEvent]
    handler: Subscriber
    # Only moves from these states concern the subscriber (None: from any state); with
    # none among the moves at hand it is not called at all.
    after: frozenset[CaseState] | None = None

    def wants(self, event: CaseEvent, target: CaseState) -> bool:
        return target in self.states or event in self.events

    def concerned(self, moves: Sequence[Move]) -> list[Move]:
        return [m for m in moves if self.after is None or m.source in self.after]


_subscriptions: list[_Subscription] = []
_discovered = threading.Event()
_discovering = threading.Lock()


def on_enter(
    *states: CaseState, after: Iterable[CaseState] | None = None
) -> Callable[[Subscriber], Subscriber]:
    """Subscribe ``handler(db, moves)`` to the moves into one of ``states`` (from one of
    the states ``after``, when given)."""

    def register(handler: Subscriber) -> Subscriber:
        sources = frozenset(after) if after is not None else None
        _subscriptions.append(_Subscription(frozenset(states), frozenset(), handler, sources))
        return handler

    return register


def on_event(*events: CaseEvent) -> Callable[[Subscriber], Subscriber]:
    """Subscribe ``handler(db, moves)`` to the moves by one of ``events``."""

    def register(handler: Subscriber) -> Subscriber:
        _subscriptions.append(_Subscription(frozenset(), frozenset(events), handler))
        return handler

    return register


# The modules of a domain that subscribe to moves: its service, and its tasks (a
# subscriber that queues a background job lives beside the job).
SUBSCRIBING_MODULES = ("service", "tasks")


def subscriptions() -> list[_Subscription]:
    """Every subscription, in the order the subscribers run."""
    if not _discovered.is_set():
        # Subscribers register when their module is imported; import them all once,
        # so no subscriber depends on who imported what first.
        with _discovering:
            for kind in SUBSCRIBING_MODULES:
                import_domain_modules(kind)
            _discovered.set()
    return _subscriptions


def _notify(db: Session, moves: Sequence[Move]) -> None:
    """Call each subscriber once per (event, target state) with all the moves it concerns."""
    batches: dict[tuple[CaseEvent, CaseState], list[Move]] = {}
    for move in moves:
        batches.setdefault((move.event, move.target), []).append(move)
    for (event, target), batch in batches.items():
        for subscription in subscriptions():
            if subscription.wants(event, target) and (concerned := subscription.concerned(batch)):
                subscription.handler(db, concerned)


def case_ids(moves: Sequence[Move]) -> list[uuid.UUID]:
    """The cases of a subscriber's moves, for its one set-based statement."""
    return [move.case_id for move in moves]


def _name(handler: Subscriber) -> str:
    return f"{handler.__module__.removeprefix('service.')}.{handler.__name__}"


def _what_it_does(handler: Subscriber) -> str:
    doc = inspect.getdoc(handler)
    if not doc:
        raise ValueError(f"subscriber {_name(handler)} has no docstring saying what it does")
    return " ".join(doc.split("\n\n")[0].split())


def _reacts_to(subscription: _Subscription) -> str:
    states = [f"`{s}`" for s in CaseState if s in subscription.states]
    if len(states) > len(CaseState) / 2:
        others = [f"`{s}`" for s in CaseState if s not in subscription.states]
        states = [f"any state but {', '.join(others)}"]
    events = [f"`{e}`" for e in CaseEvent if e in subscription.events]
    if subscription.after is not None:
        sources = [f"`{s}`" for s in CaseState if s in subscription.after]
        states = [f"{', '.join(states)} from {', '.join(sources)}"] if states else states
    return "; ".join(
        part
        for part in (
            f"enters {', '.join(states)}" if states else "",
            f"event {', '.join(events)}" if events else "",
        )
        if part
    )


def describe_subscribers() -> str:
    """The side effects of moves as Markdown: which subscriber reacts to which move."""
    listed = sorted(
        subscriptions(),
        key=lambda s: (s.handler.__module__, s.handler.__code__.co_firstlineno),
    )
    lines = [
        "## Side effects (subscribers)",
        "",
        "The engine (`service/procedure.py`) runs these in the move's own transaction, after",
        "its event row is written. A domain subscribes with `@procedure.on_enter(state, ...)`",
        "or `@procedure.on_event(event, ...)` in its "
        f"{' or '.join(f'`{kind}.py`' for kind in SUBSCRIBING_MODULES)}.",
        "",
        "| a move | runs |",
        "| --- | --- |",
    ]
    moves = [(f"into `{s}`", [x for x in listed if s in x.states]) for s in CaseState]
    moves += [(f"by `{e}`", [x for x in listed if e in x.events]) for e in CaseEvent]
    lines += [
        f"| {move} | {', '.join(f'`{_name(x.handler)}`' for x in runs)} |"
        for move, runs in moves
        if runs
    ]
    lines += ["", "| subscriber | reacts when a case | what it does |", "| --- | --- | --- |"]
    lines += [
        f"| `{_name(s.handler)}` | {_reacts_to(s)} | {_what_it_does(s.handler)} |" for s in listed
    ]
    return "\n".join(lines) + "\n"


# --- what the guards know -----------------------------------------------------------------

# Cases per statement when gathering facts: far below every database's parameter limit.
_FACTS_BATCH = 1000


def _track(value: str | None) -> Track | None:
    return Track(value) if value else None


def facts(db: Session, case: Case) -> CaseFacts:
    """What the workflow's guards know of ``case``, read from the database, never taken
    from a caller: its signals, the consultations its motives and the officers' questions
    call for, the applicant's own consent as the host recorded it on the booking, and the
    track as the case holds it."""
    stored = _stored_facts(db, [case.id]).get(case.id, CaseFacts())
    return replace(stored, track=Track(case.track) if case.track else None)


def _facts_for_move(db: Session, case: Case, event: CaseEvent) -> CaseFacts:
    # A move no rule guards needs no facts: spare it the reads.
    return facts(db, case) if guarded(event) else CaseFacts()


def _stored_facts(db: Session, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CaseFacts]:
    # What is stored: the move's own changes to the case are written with its state, in
    # one UPDATE, so reading the facts must not flush them first.
    found: dict[uuid.UUID, CaseFacts] = {}
    with db.no_autoflush:
        for start in range(0, len(case_ids), _FACTS_BATCH):
            found |= _stored_facts_batch(db, case_ids[start : start + _FACTS_BATCH])
    return found


# The case a fact column's subquery belongs to, always named with its table: SQLite's
# RETURNING drops table names from every column below it, and an unqualified ``id``
# inside ``SELECT ... FROM signals`` would be the signal's own.
_THE_CASE = literal_column("cases.id", Case.id.type)


def _fact_columns() -> list[Any]:
    """What a case's own row and its signals and bookings say of its guards' facts, as
    columns correlated to the case: read by a SELECT of cases (``_stored_facts``) or
    returned by the UPDATE that moves one (``first_in_line``), the same either way.
    ``asked``: whether any consultation exists, so that a case without one (nearly every
    case) needs no further read."""
    signalled = select(Signal.id).where(Signal.case_id == _THE_CASE).exists()
    consented = (
        select(Booking.id)
        .where(
            Booking.case_id == _THE_CASE,
            Booking.cancelled_at.is_(None),
            Booking.applicant_consent_confirmed,
        )
        .exists()
    )
    asked = select(Consultation.id).where(Consultation.case_id == _THE_CASE).exists()
    return [
        Case.coordinator_motives.label("fact_motives"),
        signalled.label("fact_signalled"),
        consented.label("fact_consented"),
        asked.label("fact_asked"),
    ]


def _asked(db: Session, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[tuple[str, bool]]]:
    """The consultations of these cases: (motive, answered) each."""
    asked: dict[uuid.UUID, list[tuple[str, bool]]] = {}
    if not case_ids:
        return asked
    consultations = select(
        Consultation.case_id, Consultation.motive, Consultation.advice.is_not(None)
    ).where(among(db, Consultation.case_id, case_ids))
    with db.no_autoflush:
        found = db.execute(consultations).all()
    for case_id, motive, done in found:
        asked.setdefault(case_id, []).append((motive, done))
    return asked


def _facts_of(row: Row[Any], asked: Sequence[tuple[str, bool]]) -> CaseFacts:
    """A row with the ``_fact_columns`` (and its track) as the guards' facts."""
    required, answered = _consultations(row.fact_motives or (), asked)
    return CaseFacts(
        track=_track(row.track),
        has_active_signal=bool(row.fact_signalled),
        coordinator_motives=required,
        consulted_motives=answered,
        applicant_consent_confirmed=bool(row.fact_consented),
    )


def _stored_facts_batch(db: Session, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CaseFacts]:
    cases = db.execute(
        select(Case.id, Case.track, *_fact_columns()).where(among(db, Case.id, case_ids))
    ).all()
    asked = _asked(db, [row.id for row in cases if row.fact_asked])
    return {row.id: _facts_of(row, asked.get(row.id, [])) for row in cases}


def _consultations(
    motives: Iterable[str], asked: Sequence[tuple[str, bool]]
) -> tuple[frozenset[str], frozenset[str]]:
    """The topics that need a coordinator's answer and those answered: every motive the
    case raises and every topic an officer asked about; a topic answered once but asked
    again waits for the new answer."""
    required = frozenset(motives) | {motive for motive, _ in asked}
    waiting = {motive for motive, done in asked if not done}
    return required, frozenset(motive for motive, done in asked if done) - waiting


# --- moves ---------------------------------------------------------------------------------


def check(
    db: Session, case: Case, event: CaseEvent, changes: Mapping[str, Any] | None = None
) -> CaseState:
    """The state ``event`` would lead to, or the workflow's refusal; changes nothing.

    ``changes``: the case's columns the move will write with its state (a screening's
    track), so the guards judge the case as the move leaves it."""
    facts = _as_moved(_facts_for_move(db, case, event), changes or {})
    return transition(case.state, event, facts)


def _as_moved(facts: CaseFacts, changes: Mapping[str, Any]) -> CaseFacts:
    if "track" not in changes:
        return facts
    return replace(facts, track=Track(changes["track"]) if changes["track"] else None)


def advance(
    db: Session,
    case: Case,
    event: CaseEvent,
    actor: Actor,
    reason: Reason,
) -> CaseState:
    """Move ``case`` by ``event`` if the workflow allows it; log it; tell subscribers.

    The workflow's guards see the facts the engine reads itself (``facts``). ``reason``
    says what kind of text it is (``Reason.decision(...)``, ...): who may read it follows
    from that kind (service/fields.py), not from the caller.
    """
    _require_kind(reason)
    source = case.state
    target = check(db, case, event)
    now = utcnow()
    case.state = target
    if column := MILESTONES.get(target):
        setattr(case, column, now)
    values = _event_values(case.id, event.value, source, target, actor, reason, now)
    db.add(CaseEventRow(**values))
    db.flush()
    _notify(db, [Move(case.id, event, source, target, actor, reason)])  # a batch of one
    db.flush()
    return target


@dataclass(frozen=True)
class Planned:
    """One case's move in a bulk ``advance_many``: the same rules as ``advance``."""

    case_id: uuid.UUID
    source: CaseState
    event: CaseEvent
    reason: Reason
    # Other columns written with the state, the same keys for every move of a batch
    # (encrypted ones sealed by the caller: ``seal_value``).
    changes: dict[str, Any] = field(default_factory=dict)


def advance_many(db: Session, planned: Sequence[Planned], actor: Actor) -> list[Move]:
    """Move many cases in a few statements (executemany): bulk screening of a backlog.

    Each move is checked by the workflow like a single one, on the facts the engine reads
    for all of them at once (a batch that sets the track: the track it sets); a case that
    moved meanwhile (its state is no longer ``source``) makes the whole batch fail with a 409.
    Each subscriber is called once per (event, target state) with all its moves.
    """
    if not planned:
        return []
    known = _stored_facts(db, [p.case_id for p in planned if guarded(p.event)])
    now = utcnow()
    stamped = {MILESTONES[t] for t in _targets(planned) if t in MILESTONES}
    moves: list[Move] = []
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for p in planned:
        _require_kind(p.reason)
        target = transition(
            p.source, p.event, _as_moved(known.get(p.case_id, CaseFacts()), p.changes)
        )
        moves.append(Move(p.case_id, p.event, p.source, target, actor, p.reason))
        row: dict[str, Any] = {"b_id": p.case_id, "b_source": p.source.value, "state": target}
        row.update({c: now if MILESTONES.get(target) == c else None for c in stamped})
        rows.append({**row, **p.changes})
        events.append(_move_values(moves[-1], now))
    _update_cases(db, rows, stamped, changed=set(planned[0].changes))
    insert_rows(db, CaseEventRow, _all_sealed(events))
    db.expire_all()  # the subscribers read the cases as these statements left them
    _notify(db, moves)
    db.flush()
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
    # The source state in the match: a case that moved meanwhile is not updated.
    updated = update_rows(db, table, rows, {"id": "b_id", "state": "b_source"}, values)
    if updated not in (-1, len(rows)):
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
    and moves it by ``event``, returning its id, its track, the guards' facts as
    ``_stored_facts`` reads them (in the same statement: no read after it) and
    ``returning``. PostgreSQL: the pick locks its row and skips rows other transactions
    hold, so two callers at once never get the same case. ``changed``: other columns
    written with the state, as bound parameters of the same names."""
    target = next_state(source, event)
    if target is None:
        raise ValueError(f"no move from {source.value} by {event.value}")
    table = Case.__table__
    assert isinstance(table, Table)
    picked = (
        queue.where(in_state(source)).limit(1).with_for_update(skip_locked=True)
    ).scalar_subquery()
    values: dict[str, Any] = {"state": target, "version": table.c.version + 1}
    values.update({c: bindparam(c) for c in changed})
    if column := MILESTONES.get(target):
        values[column] = bindparam("at")
    statement = (
        update(table)
        .where(table.c.id == picked, table.c.state == source)
        .values(values)
        .returning(table.c.id, table.c.track, *_fact_columns(), *returning)
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
    # The guards' facts as every move reads them (``facts``), returned by the statement
    # itself; the consultations read only for a case that has any.
    asked = _asked(db, [picked.id]) if picked.fact_asked and guarded(first.event) else {}
    facts = _facts_of(picked, asked.get(picked.id, []))
    target = transition(first.source, first.event, facts)
    event = _event_values(picked.id, first.event.value, first.source, target, actor, reason, now)
    db.connection().execute(_EVENT_ROW, _sealed(event))
    move = Move(picked.id, first.event, first.source, target, actor, reason)
    _notify(db, [move])
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
        _event_values(case_id, ADMITTED, None, CaseState.IMPORTED, actor, reason, now)
        for case_id in case_ids
    ]
    if rows:
        insert_rows(db, CaseEventRow, _all_sealed(rows))


@dataclass(frozen=True)
class Admission:
    """New cases as ``admit_rows`` writes them, decided but not yet written
    (``plan_admission``): their rows, their signals, the events (sealed) and the moves
    the subscribers hear of."""

    cases: Sequence[dict[str, Any]]
    signals: Sequence[dict[str, Any]]
    events: Sequence[dict[str, Any]]
    moved: list[Move]

    def formatted_for(self, dialect: Dialect) -> "Admission":
        """The same admission with its rows in the driver's form (``bulk.formatted``),
        made by the thread that prepares an import's batch, not the one that writes it."""
        return replace(
            self,
            cases=formatted(dialect, Case, self.cases),
            signals=formatted(dialect, Signal, self.signals),
            events=formatted(dialect, CaseEventRow, self.events),
        )


def admit_rows(
    db: Session,
    cases: Sequence[dict[str, Any]],
    actor: Actor,
    reason: Reason,
    signals: Sequence[dict[str, Any]] = (),
    moves: Sequence[Planned] = (),
) -> dict[uuid.UUID, CaseState]:
    """Write new cases and their signals (rows for ``insert_rows``: the same keys in every
    row, encrypted values sealed, no state) and record that they entered the service, as
    ``admit`` does; the state each case is written in.

    ``moves``: a first move from ``imported`` for some of them (the import's screening).
    Such a case is written once, in the state the move leads to, with the move's columns,
    milestone, version and event: as ``admit`` and then ``advance_many`` would leave it,
    without inserting the case and then updating it (each write goes into every index
    of ``cases``). The workflow judges each move on the facts of the rows written (their
    signals and motives, the move's track), which are the facts ``advance_many`` would
    read: no booking or consultation can name a case before it is written."""
    return write_admission(db, plan_admission(cases, actor, reason, signals, moves))


def plan_admission(
    cases: Sequence[dict[str, Any]],
    actor: Actor,
    reason: Reason,
    signals: Sequence[dict[str, Any]] = (),
    moves: Sequence[Planned] = (),
) -> Admission:
    """What ``admit_rows`` writes, decided without the database (the workflow's checks
    included): an import prepares its next batch this way while the last one is written."""
    _require_kind(reason)
    first = {p.case_id: p for p in moves}
    if len(first) != len(moves) or first.keys() - {c["id"] for c in cases}:
        raise ValueError("one first move per new case, and only for cases written here")
    changed = set(moves[0].changes) if moves else set()
    stamped = {MILESTONES[t] for t in _targets(moves) if t in MILESTONES}
    signalled = {s["case_id"] for s in signals}
    now = utcnow()
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []  # the admissions
    later: list[dict[str, Any]] = []  # the first moves' events
    moved: list[Move] = []
    for case in cases:
        case_id = case["id"]
        row = {**case, **dict.fromkeys(changed | stamped), "state": CaseState.IMPORTED}
        row["version"] = 1
        events.append(_event_values(case_id, ADMITTED, None, row["state"], actor, reason, now))
        if (planned := first.get(case_id)) is not None:
            move = _first_move(planned, _new_case_facts(case, case_id in signalled), actor, changed)
            row.update(planned.changes, state=move.target, version=2)
            if column := MILESTONES.get(move.target):
                row[column] = now
            later.append(_move_values(move, now))
            moved.append(move)
        rows.append(row)
    # Every admission before the moves: the log's increasing ids keep each case's order.
    return Admission(rows, signals, _all_sealed(events + later), moved)


def write_admission(db: Session, admission: Admission) -> dict[uuid.UUID, CaseState]:
    """Write what ``plan_admission`` decided and tell the subscribers; each case's state."""
    insert_rows(db, Case, admission.cases)
    insert_rows(db, Signal, admission.signals)
    insert_rows(db, CaseEventRow, admission.events)
    _notify(db, admission.moved)
    db.flush()
    return {row["id"]: row["state"] for row in admission.cases}


def _new_case_facts(case: Mapping[str, Any], signalled: bool) -> CaseFacts:
    """The guards' facts of a case about to be written (``_facts_of`` for its row)."""
    required, _ = _consultations(case.get("coordinator_motives") or (), ())
    return CaseFacts(
        track=_track(case.get("track")),
        has_active_signal=signalled,
        coordinator_motives=required,
    )


def _first_move(planned: Planned, facts: CaseFacts, actor: Actor, changed: set[str]) -> Move:
    """A new case's first move, checked by the workflow as ``advance_many`` checks it."""
    _require_kind(planned.reason)
    if planned.source is not CaseState.IMPORTED:
        raise ValueError("a new case moves from 'imported'")
    if set(planned.changes) != changed:
        raise ValueError("every move of a batch changes the same columns")
    target = transition(planned.source, planned.event, _as_moved(facts, planned.changes))
    return Move(planned.case_id, planned.event, planned.source, target, actor, planned.reason)


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


def _all_sealed(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``_sealed`` for the event rows of a batch, sealed together (``seal_many``)."""
    places = [(bound_place(r["case_id"], r["reason_kind"]), r["reason"]) for r in rows]
    reasons = seal_many(CaseEventRow.reason, places)
    return [r | {"reason": reason} for r, reason in zip(rows, reasons, strict=True)]


def _move_values(move: Move, at: datetime) -> dict[str, Any]:
    return _event_values(
        move.case_id, move.event.value, move.source, move.target, move.actor, move.reason, at
    )


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


def describe() -> str:
    """docs/workflow.md: the procedure's rules and the side effects of its moves."""
    return workflow.describe() + "\n" + describe_subscribers()


if __name__ == "__main__":
    # Run as a script, this file is ``__main__``, a copy the subscribers never register
    # with: they register with the engine the domains import.
    import service.procedure

    print(service.procedure.describe(), end="")
