"""The engine's bulk path is bulk: ``advance_many`` calls each subscriber once per
(event, target state) with all the moves, each writes one set-based statement, so a
batch takes the same number of statements whatever its size; subscribers with nothing
to do for the moves at hand are not called; and the outcome per case is that of
``advance``, one case at a time (the batch of one)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from service import procedure
from service.cases.importing import import_rows
from service.core.actor import SYSTEM
from service.core.clock import utcnow
from service.core.crypto import seal_value
from service.dev import demo
from service.models import Case, CaseEventRow, Role, Signal
from service.models.decisions import WorkInterval
from service.models.invitations import Invitation
from service.models.messages import Message
from service.models.sessions import Booking
from service.models.terms import Term
from service.workflow import CaseEvent, CaseState, Reason, WorkflowError
from tests.factories import Factory

# States in which a case holds something that leaving the track must release.
HOLDING = (
    CaseState.INVITED,
    CaseState.SCHEDULED,
    CaseState.IN_PROGRESS,
    CaseState.WITH_LAWYER,
    CaseState.CLAIMED,
)
WHY = Reason.exclusion("NV signal from AIVD: physical hearing required")


@contextmanager
def statements(db: Session) -> Iterator[list[str]]:
    """The SQL statements ``db`` sends meanwhile (an executemany counts once)."""
    seen: list[str] = []
    engine = db.get_bind()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def holding_cases(factory: Factory, per_state: int) -> list[Case]:
    return [factory.case_in(state) for state in HOLDING for _ in range(per_state)]


def exclusions(cases: list[Case]) -> list[procedure.Planned]:
    return [procedure.Planned(c.id, c.state, CaseEvent.EXCLUDE, WHY) for c in cases]


def outcome(db: Session, case: Case) -> dict[str, Any]:
    """What the move and its subscribers left of one case (ids and times left out)."""
    db.refresh(case)

    def rows(model: Any, *columns: Any) -> list[tuple[Any, ...]]:
        found = db.execute(select(*columns).where(model.case_id == case.id))
        return sorted(tuple(row) for row in found)

    return {
        "state": case.state,
        "claimed_by": case.claimed_by_id,
        "lease": case.lease_expires_at,
        "events": [
            (e.event, e.from_state, e.to_state, e.reason_kind, e.reason)
            for e in db.scalars(
                select(CaseEventRow)
                .where(CaseEventRow.case_id == case.id)
                .order_by(CaseEventRow.id)
            )
        ],
        "invitations": rows(Invitation, Invitation.status),
        "bookings": rows(Booking, Booking.cancelled_at.is_not(None), Booking.cancel_reason),
        "terms": rows(Term, Term.step, Term.closed_at.is_(None)),
        "work": rows(WorkInterval, WorkInterval.closed),
        "messages": rows(Message, Message.kind),
    }


def without_times(found: dict[str, Any]) -> dict[str, Any]:
    # The events' reasons name no time; the first events (driving the case here) differ
    # only in what the factory wrote, so compare the move's own event (the last).
    return {**found, "events": found["events"][-1:]}


def test_a_bulk_move_leaves_each_case_as_a_single_move_does(db, factory):
    single, bulk = holding_cases(factory, 1), holding_cases(factory, 1)
    for case in single:
        procedure.advance(db, case, CaseEvent.EXCLUDE, SYSTEM, WHY)
    procedure.advance_many(db, exclusions(bulk), SYSTEM)

    for one, many in zip(single, bulk, strict=True):
        alone, together = outcome(db, one), outcome(db, many)
        assert together["state"] == CaseState.EXCLUDED
        assert not any(open_ for _, open_ in together["terms"])  # every term closed
        assert all(cancelled for cancelled, _ in together["bookings"])
        assert without_times(together) == without_times(alone)


def test_a_batch_takes_the_same_statements_whatever_its_size(db, factory):
    small = exclusions(holding_cases(factory, 1))
    large = exclusions(holding_cases(factory, 3))
    db.flush()
    with statements(db) as few:
        procedure.advance_many(db, small, SYSTEM)
    with statements(db) as many:
        procedure.advance_many(db, large, SYSTEM)
    assert len(many) == len(few)


def test_subscribers_with_nothing_to_release_are_not_called(db, factory):
    """Cases excluded straight from the import hold nothing: the engine writes the
    cases and their events, one statement each, no subscriber runs."""
    cases = [factory.case() for _ in range(5)]
    db.flush()
    planned = [
        procedure.Planned(c.id, CaseState.IMPORTED, CaseEvent.SCREEN_EXCLUDED, WHY) for c in cases
    ]
    with statements(db) as sent:
        procedure.advance_many(db, planned, SYSTEM)
    # The events' rows: one INSERT (SQLite's executemany) or one COPY (PostgreSQL).
    assert [s.split()[0] for s in sent] in (["UPDATE", "INSERT"], ["UPDATE", "COPY"]), sent


# --- new cases: written once, in the state their first move leads to ----------------------


def test_an_imported_case_is_written_once_screened(db):
    """The import screens its new cases before writing them: each case is inserted in the
    state its screening leads to (one statement for the batch), never updated after."""
    demo.ensure_staff(db)  # the rows name the demo lawyers
    rows = demo.backlog_rows(40, seed=5)
    with statements(db) as sent:
        report = import_rows(db, rows, SYSTEM)
    assert report.created == sum(report.screened.values()) == 40
    writes = [s.split()[:3] for s in sent if s.split()[0] in ("INSERT", "COPY", "UPDATE")]
    to_cases = [w for w in writes if "cases" in (w[1], w[2])]
    assert to_cases in ([["INSERT", "INTO", "cases"]], [["COPY", "cases", "(id,"]]), to_cases


def _new_case(**values: Any) -> dict[str, Any]:
    case_id = uuid.uuid4()
    return {
        "id": case_id,
        "v_number": f"{uuid.uuid4().int % 10**10:010d}",
        "applicant_name": seal_value(Case.applicant_name, case_id, "Amal Haddad"),
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": date(2024, 3, 1),
        "coordinator_motives": [],
        "vulnerability_notes": seal_value(Case.vulnerability_notes, case_id, ""),
    } | values


def _eligible(case: dict[str, Any]) -> procedure.Planned:
    why = Reason.step("eligible")
    changes = {"track": "replacing"}
    return procedure.Planned(
        case["id"], CaseState.IMPORTED, CaseEvent.SCREEN_ELIGIBLE, why, changes
    )


def test_a_new_cases_first_move_is_judged_on_the_rows_written(db):
    """The workflow judges a new case's first move on the facts of its own rows, as it
    judges a stored case's: a case with a signal is not screened eligible."""
    signalled, plain = _new_case(), _new_case()
    signal_id = uuid.uuid4()
    signal = {
        "id": signal_id,
        "case_id": signalled["id"],
        "kind": "nv",
        "source": seal_value(Signal.source, signal_id, "AIVD"),
        "reason": seal_value(Signal.reason, signal_id, ""),
    }
    admitted = Reason.step("imported from file")
    cases, moves = [signalled, plain], [_eligible(signalled), _eligible(plain)]
    with pytest.raises(WorkflowError), db.begin_nested():
        procedure.admit_rows(db, cases, SYSTEM, admitted, [signal], moves)
    assert db.scalar(select(Case.id).where(Case.id.in_([c["id"] for c in cases]))) is None

    states = procedure.admit_rows(db, [plain], SYSTEM, admitted, moves=[_eligible(plain)])

    assert states == {plain["id"]: CaseState.SCREENED}
    stored = db.get(Case, plain["id"])
    assert (stored.state, stored.track, stored.version) == ("screened", "replacing", 2)
    assert stored.screened_at is not None
    events = db.scalars(
        select(CaseEventRow).where(CaseEventRow.case_id == plain["id"]).order_by(CaseEventRow.id)
    )
    assert [(e.event, e.to_state) for e in events] == [
        ("import", "imported"),
        ("screen_eligible", "screened"),
    ]


# --- the first in line: the guards' facts in the statement that moves it ---------------------


def test_the_first_in_line_is_judged_on_the_facts_every_move_reads(db, factory, monkeypatch):
    """``advance_first`` takes the guards' facts from the UPDATE that picks the case
    (no read after it): for cases with and without signals, the applicant's consent,
    motives and consultations (answered and waiting), the workflow sees exactly the facts
    ``procedure.facts`` reads for a single move."""
    from service.models.cases import Signal, SignalKind
    from service.models.decisions import Consultation
    from service.workflow import CaseFacts

    plain = factory.case_in(CaseState.READY_FOR_DECISION)
    signalled = factory.case_in(CaseState.READY_FOR_DECISION)
    db.add(Signal(case_id=signalled.id, kind=SignalKind.NV, source="IND: test"))
    asked = factory.case_in(CaseState.READY_FOR_DECISION)
    asked.coordinator_motives = ["lgbti"]
    coordinator = factory.person(Role.COORDINATOR, "lgbti").user
    db.add_all(
        [
            Consultation(case_id=asked.id, motive="lgbti", question="q"),
            Consultation(
                case_id=asked.id,
                motive="conversion",
                question="q",
                coordinator_id=coordinator.id,
                advice="a",
                recorded_at=utcnow(),
            ),
        ]
    )
    db.flush()
    seen: dict[Any, CaseFacts] = {}
    real = procedure.transition

    def judged(source: CaseState, event_: CaseEvent, facts: CaseFacts) -> CaseState:
        seen[event_] = facts
        return real(source, event_, facts)

    monkeypatch.setattr(procedure, "transition", judged)
    officer = factory.person(Role.OFFICER).actor
    found = []
    for case in (plain, signalled, asked):
        expected = procedure.facts(db, case)
        first = procedure.first_in_line(
            CaseState.READY_FOR_DECISION, CaseEvent.CLAIM, select(Case.id).where(Case.id == case.id)
        )
        seen.clear()
        with db.begin_nested() as attempt:
            with suppress(procedure.workflow.GuardFailed):
                procedure.advance_first(db, first, officer, Reason.step("taken"))
            attempt.rollback()
        assert seen[CaseEvent.CLAIM] == expected, case
        found.append(expected)
    assert [f.has_active_signal for f in found] == [False, True, False]
    assert found[2].coordinator_motives == {"lgbti", "conversion"}
    assert found[2].consulted_motives == {"conversion"}
    assert all(f.applicant_consent_confirmed for f in found)
