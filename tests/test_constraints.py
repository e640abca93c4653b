"""The database backs the rules even when the services are bypassed.

Every write here is raw SQL (SQLAlchemy core) inside a savepoint. Each refusal has
a control beside it: the same write with only the offending value changed goes
through, so a test cannot pass because some other constraint happened to fire.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Executable, Uuid, bindparam, insert, literal_column, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.core.crypto import bound_place, seal_value
from service.models import Booking, Case, CaseEventRow, Invitation, Role
from service.workflow import CaseState
from tests.conftest import unique_v_number

NOT_NEEDING_A_TRACK = {CaseState.IMPORTED, CaseState.EXCLUDED, CaseState.WITHDRAWN}
DECIDED = {CaseState.DECIDED_ON_FORM, CaseState.PHYSICAL_HEARING_REQUIRED}


def refused(db: Session, statement: Executable) -> None:
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(statement)


@contextmanager
def accepted(db: Session) -> Iterator[None]:
    """Run the control write, then undo it so the next write starts from the same rows."""
    savepoint = db.begin_nested()
    yield
    savepoint.rollback()


def _case_row(**values: Any) -> dict[str, Any]:
    case_id = values.pop("id", uuid.uuid4())
    return {
        "id": case_id,
        "applicant_name": seal_value(Case.applicant_name, case_id, "A. Applicant"),
        "vulnerability_notes": seal_value(Case.vulnerability_notes, case_id, ""),
        "v_number": unique_v_number(),
        "nationality": "SY",
        "languages": ["ar"],
        "date_of_application": utcnow().date(),
        "state": CaseState.IMPORTED.value,
        **values,
    }


def raw_case(db: Session, **values: Any) -> uuid.UUID:
    row = _case_row(**values)
    db.execute(insert(Case).values(**row))
    return row["id"]


def set_case(case_id: uuid.UUID, **values: Any) -> Executable:
    return update(Case).where(Case.id == case_id).values(**values)


# --- cases -----------------------------------------------------------------------------------


def test_kansarm_case_cannot_be_decided_on_the_form(db):
    case_id = raw_case(db, state="claimed", track="preparatory")
    decided = {"state": "decided_on_form", "decided_at": utcnow()}
    refused(db, set_case(case_id, **decided))
    refused(db, set_case(case_id, **decided, track="preparatory"))
    with accepted(db):
        db.execute(set_case(case_id, **decided, track="replacing"))
    with accepted(db):
        db.execute(set_case(case_id, state="physical_hearing_required", decided_at=utcnow()))


@pytest.mark.parametrize("state", sorted(set(CaseState) - NOT_NEEDING_A_TRACK))
def test_eligible_states_need_a_track(db, state):
    case_id = raw_case(db)
    values = {"state": state.value, "decided_at": utcnow()}
    refused(db, set_case(case_id, **values, track=None))
    refused(db, insert(Case).values(**_case_row(track=None, **values)))
    with accepted(db):
        db.execute(set_case(case_id, **values, track="replacing"))


@pytest.mark.parametrize("state", sorted(NOT_NEEDING_A_TRACK))
def test_unscreened_excluded_or_withdrawn_case_may_lack_a_track(db, state):
    case_id = raw_case(db)
    with accepted(db):
        db.execute(set_case(case_id, state=state.value, track=None))


@pytest.mark.parametrize("state", sorted(DECIDED))
def test_decided_case_records_when(db, state):
    case_id = raw_case(db, state="claimed", track="replacing")
    refused(db, set_case(case_id, state=state.value, decided_at=None))
    with accepted(db):
        db.execute(set_case(case_id, state=state.value, decided_at=utcnow()))


@pytest.mark.parametrize(
    ("column", "bad", "good"),
    [
        ("track", "fast", "preparatory"),
        ("literacy", "fluent", "low"),
    ],
)
def test_unknown_enum_values_are_rejected(db, column, bad, good):
    case_id = raw_case(db, state="screened", track="replacing")
    refused(db, set_case(case_id, **{column: bad}))
    refused(db, insert(Case).values(**_case_row(**{"track": "replacing", column: bad})))
    with accepted(db):
        db.execute(set_case(case_id, **{column: good}))


@pytest.mark.parametrize("bad", ["archived", "SCREENED"])
def test_unknown_states_are_rejected_by_the_column_type_and_the_database(db, bad):
    """``Case.state`` is the workflow's enum: the mapped type refuses an unknown state
    before SQL is sent, and the database's CHECK refuses it from raw SQL too."""
    case_id = raw_case(db, state="screened", track="replacing")
    with pytest.raises(StatementError, match="is not a valid CaseState"), db.begin_nested():
        db.execute(set_case(case_id, state=bad))
    raw_update = text("UPDATE cases SET state = :state WHERE id = :id").bindparams(
        bindparam("id", type_=Uuid())
    )
    refused(db, raw_update.bindparams(state=bad, id=case_id))
    with accepted(db):
        db.execute(raw_update.bindparams(state="invited", id=case_id))
        assert db.scalar(select(Case.state).where(Case.id == case_id)) is CaseState.INVITED


def test_event_row_to_state_must_be_a_known_state(db):
    case_id = raw_case(db)
    row = {
        "case_id": case_id,
        "event": "screen_eligible",
        "actor_role": "planner",
        "reason_kind": "step",
        "reason": seal_value(CaseEventRow.reason, bound_place(case_id, "step"), ""),
    }
    refused(db, insert(CaseEventRow).values(**row, from_state="imported", to_state="elsewhere"))
    with accepted(db):
        db.execute(insert(CaseEventRow).values(**row, from_state="imported", to_state="screened"))


def test_event_row_reason_kind_must_be_a_known_kind(db):
    """Who may read a reason follows from its kind: a row without a known one is refused."""
    case_id = raw_case(db)
    row = {
        "case_id": case_id,
        "event": "screen_eligible",
        "actor_role": "planner",
        "from_state": "imported",
        "to_state": "screened",
        "reason": seal_value(CaseEventRow.reason, bound_place(case_id, "public"), ""),
    }
    # Past the column type (which knows the kinds too), as another client would write it.
    unknown = literal_column("'public'")
    refused(db, insert(CaseEventRow).values(**row, reason_kind=unknown))


def test_v_number_is_unique(db):
    v_number = unique_v_number()
    raw_case(db, v_number=v_number)
    refused(db, insert(Case).values(**_case_row(v_number=v_number)))
    with accepted(db):
        db.execute(insert(Case).values(**_case_row(v_number=unique_v_number())))


# --- bookings --------------------------------------------------------------------------------


def book(session_id: uuid.UUID, case_id: uuid.UUID, seat: int) -> Executable:
    return insert(Booking).values(
        id=uuid.uuid4(), session_id=session_id, case_id=case_id, seat=seat
    )


def test_a_seat_cannot_be_double_booked(db, factory):
    session = factory.session(seats=4)
    first, second = raw_case(db), raw_case(db)
    db.execute(book(session.id, first, seat=1))
    refused(db, book(session.id, second, seat=1))
    with accepted(db):
        db.execute(book(session.id, second, seat=2))


def test_the_same_seat_number_in_another_session_is_another_seat(db, factory):
    morning, afternoon = factory.session(), factory.session()
    first, second = raw_case(db), raw_case(db)
    db.execute(book(morning.id, first, seat=1))
    with accepted(db):
        db.execute(book(afternoon.id, second, seat=1))


def test_a_case_cannot_be_booked_twice(db, factory):
    morning, afternoon = factory.session(), factory.session()
    case_id, other = raw_case(db), raw_case(db)
    db.execute(book(morning.id, case_id, seat=1))
    refused(db, book(morning.id, case_id, seat=2))
    refused(db, book(afternoon.id, case_id, seat=1))
    with accepted(db):
        db.execute(book(afternoon.id, other, seat=1))


def test_a_cancelled_booking_frees_the_seat_and_the_case(db, factory):
    morning, afternoon = factory.session(), factory.session()
    case_id, other = raw_case(db), raw_case(db)
    db.execute(book(morning.id, case_id, seat=1))
    db.execute(update(Booking).where(Booking.case_id == case_id).values(cancelled_at=utcnow()))
    db.execute(book(morning.id, other, seat=1))  # the seat is free again
    db.execute(book(afternoon.id, case_id, seat=3))  # and the case may be planned again
    active = db.scalars(select(Booking.case_id).where(Booking.cancelled_at.is_(None))).all()
    assert sorted(active) == sorted([other, case_id])
    # Un-cancelling the old booking would double book both seat and case.
    refused(db, update(Booking).where(Booking.session_id == morning.id).values(cancelled_at=None))


def test_seat_numbers_start_at_one(db, factory):
    session = factory.session()
    refused(db, book(session.id, raw_case(db), seat=0))


# --- invitations -----------------------------------------------------------------------------


def invitation(case_id: uuid.UUID, lawyer_id: uuid.UUID, **values: Any) -> Executable:
    row_id = uuid.uuid4()
    row = {
        "id": row_id,
        "case_id": case_id,
        "lawyer_id": lawyer_id,
        "reply_due_at": utcnow() + timedelta(days=10),
        # Encrypted columns take sealed values on a Core insert (service/core/crypto.py).
        "note": seal_value(Invitation.note, row_id, ""),
        "language_needs": seal_value(Invitation.language_needs, row_id, ""),
        **values,
    }
    return insert(Invitation).values(**row)


def test_one_open_invitation_per_case(db, factory):
    lawyer = factory.person(Role.LAWYER).user.id
    case_id, other = raw_case(db), raw_case(db)
    db.execute(invitation(case_id, lawyer))
    refused(db, invitation(case_id, lawyer))
    with accepted(db):
        db.execute(invitation(other, lawyer))
    # Once the first is answered, a new invitation may be sent.
    db.execute(
        update(Invitation)
        .where(Invitation.case_id == case_id)
        .values(status="declined", replied_at=utcnow())
    )
    db.execute(invitation(case_id, lawyer))
    refused(db, invitation(case_id, lawyer))


def test_closed_invitation_records_the_reply_time(db, factory):
    lawyer = factory.person(Role.LAWYER).user.id
    case_id = raw_case(db)
    refused(db, invitation(case_id, lawyer, status="consented", replied_at=None))
    refused(db, invitation(case_id, lawyer, status="maybe", replied_at=utcnow()))
    with accepted(db):
        db.execute(invitation(case_id, lawyer, status="consented", replied_at=utcnow()))
