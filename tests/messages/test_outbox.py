"""The outbox: written with the state change, delivered for real over SMTP, retried with
backoff, marked failed after the last try; every e-mail as the lawyer receives it."""

import contextlib
from datetime import timedelta

import icalendar
import pytest
import time_machine
from sqlalchemy import func, select

import service.messages.tasks
from service.core.clock import utcnow
from service.core.errors import Conflict
from service.core.jobs import huey
from service.core.settings import get_settings
from service.invitations import service as invitations
from service.messages import service as messages
from service.models import Booking, Case, Message, MessageKind, MessageStatus, Role
from service.models.sessions import HearingSession, Location
from service.sessions import service as sessions
from service.workflow import CaseState
from tests.helpers import API, assert_problem, csrf_of, ok, sign_in
from tests.messages.smtp_server import free_port, smtp_server

APPLICANT_NAME = "Amira Testapplicant"


@pytest.fixture
def smtp(monkeypatch):
    """Point the service at a port of its own (nothing listens there until a test starts
    its server) and run the delivery sweep inside the test's transaction."""
    port = free_port()
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", port)
    monkeypatch.setattr(settings, "smtp_timeout_seconds", 5)
    return port


@pytest.fixture
def deliver(db, monkeypatch):
    @contextlib.contextmanager
    def test_unit_of_work(write: bool = True):
        yield db
        db.flush()  # what the real unit of work commits

    monkeypatch.setattr(service.messages.tasks, "unit_of_work", test_unit_of_work)

    def run() -> int:
        """One sweep: how many messages were delivered."""
        ids = messages.deliverable(db)
        return sum(bool(huey.execute(service.messages.tasks.deliver_message.s(i))) for i in ids)

    return run


def outbox(db, case) -> list[Message]:
    return list(
        db.scalars(select(Message).where(Message.case_id == case.id).order_by(Message.created_at))
    )


def test_outbox_row_is_rolled_back_with_a_failed_state_change(client, db, factory, monkeypatch):
    planner = factory.person(Role.PLANNER)
    case = factory.case_in(CaseState.SCREENED)
    db.commit()

    def refuse(**_):
        raise Conflict("the invitation could not be stored")

    # The procedure has moved the case and the subscriber has written the message when the
    # invitation row fails: the whole unit of work, message included, is rolled back.
    monkeypatch.setattr(invitations, "Invitation", refuse)
    failed = client.post(f"{API}/cases/{case.id}/invitation", json={}, headers=planner.headers)
    assert_problem(failed, 409, "conflict")
    db.expire_all()
    assert db.get_one(Case, case.id).state is CaseState.SCREENED
    assert outbox(db, case) == []

    monkeypatch.undo()
    ok(client.post(f"{API}/cases/{case.id}/invitation", json={}, headers=planner.headers), 201)
    assert [m.kind for m in outbox(db, case)] == [MessageKind.INVITATION]


def test_real_delivery_headers_parts_and_calendar(db, factory, smtp, deliver):
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(CaseState.SCHEDULED, applicant_name=APPLICANT_NAME)
    written = outbox(db, case)
    assert [m.kind for m in written] == [
        MessageKind.INVITATION,
        MessageKind.CONSENT_RECORDED,
        MessageKind.SESSION_PLANNED,
    ]
    booking = db.scalars(select(Booking).where(Booking.case_id == case.id)).one()
    with smtp_server(smtp) as inbox:
        assert deliver() == 3
        assert deliver() == 0  # delivered once
    assert len(inbox.received) == 3
    for message, email in zip(written, inbox.received, strict=True):
        db.refresh(message)
        assert message.status is MessageStatus.SENT
        assert message.sent_at is not None
        assert email["Message-ID"] == f"<{message.id}@hearing.example>"
        assert email["To"] == lawyer.user.email
        assert inbox.recipients[written.index(message)] == [lawyer.user.email]
        assert email["From"] == get_settings().mail_from
        assert case.v_number in email["Subject"]
        text = email.get_body(preferencelist=("plain",)).get_content()
        html = email.get_body(preferencelist=("html",)).get_content()
        assert case.v_number in text
        assert case.v_number in html
        assert f"{get_settings().portal_url}/lawyer" in text
        assert 'href="http' in html
        # No personal details of the applicant beyond the V-number.
        for part in (text, html, str(email["Subject"])):
            assert APPLICANT_NAME not in part
            assert str(case.date_of_birth) not in part
    invitation_text = inbox.received[0].get_body(preferencelist=("plain",)).get_content()
    assert "Geachte" in invitation_text  # Dutch for professionals
    assert "uiterlijk" in invitation_text  # the reply date

    planned = inbox.received[2]
    [attachment] = list(planned.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    session = db.get_one(HearingSession, booking.session_id)
    location = db.get_one(Location, session.location_id)
    assert str(event["UID"]) == f"written-hearing-{case.id}@hearing.example"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == session.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == session.starts_at.replace(microsecond=0) + timedelta(
        minutes=session.duration_minutes
    )
    assert location.name in str(event["LOCATION"])
    assert APPLICANT_NAME not in attachment.get_content()


def test_a_moved_session_updates_the_same_agenda_entry(db, factory, smtp, deliver):
    case = factory.case_in(CaseState.SCHEDULED)
    planner = factory.person(Role.PLANNER).actor
    booking = db.scalars(select(Booking).where(Booking.case_id == case.id)).one()
    sessions.cancel_booking(db, booking, planner, "moved to a later session")
    later = factory.session(starts_in=timedelta(days=2))
    sessions.book(db, later, case, planner)
    planned = [m for m in outbox(db, case) if m.kind is MessageKind.SESSION_PLANNED]
    assert len(planned) == 2
    first, second = (icalendar.Calendar.from_ical(m.calendar).walk("VEVENT")[0] for m in planned)
    assert first["UID"] == second["UID"]
    assert (int(first["SEQUENCE"]), int(second["SEQUENCE"])) == (0, 1)


def test_a_booking_moved_by_the_planner_updates_the_same_agenda_entry(db, factory):
    case = factory.case_in(CaseState.SCHEDULED)
    planner = factory.person(Role.PLANNER).actor
    booking = db.scalars(select(Booking).where(Booking.case_id == case.id)).one()
    later = factory.session(starts_in=timedelta(days=3))
    sessions.move_booking(db, booking, later, planner, reason="interpreter available later")
    assert case.state is CaseState.SCHEDULED
    planned = [m for m in outbox(db, case) if m.kind is MessageKind.SESSION_PLANNED]
    first, second = (icalendar.Calendar.from_ical(m.calendar).walk("VEVENT")[0] for m in planned)
    assert first["UID"] == second["UID"]
    assert (int(first["SEQUENCE"]), int(second["SEQUENCE"])) == (0, 1)
    assert second.decoded("DTSTART") == later.starts_at.replace(microsecond=0)


def test_failing_server_then_retry_with_backoff_and_success(db, factory, smtp, deliver):
    case = factory.case_in(CaseState.INVITED)
    [message] = outbox(db, case)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        assert deliver() == 0  # nothing listens: connection refused
    db.refresh(message)
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at == start + timedelta(seconds=60)
    with smtp_server(smtp) as inbox:
        with time_machine.travel(start + timedelta(seconds=30), tick=False):
            assert deliver() == 0  # not yet due: the backoff holds
        with time_machine.travel(start + timedelta(seconds=61), tick=False):
            delivered = deliver()
            db.refresh(message)
            assert delivered == 1, message.last_error
    db.refresh(message)
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 2, "")
    assert len(inbox.received) == 1


def test_after_the_last_try_the_message_fails_and_planners_see_it(
    client, db, factory, smtp, deliver, monkeypatch
):
    monkeypatch.setattr(get_settings(), "message_attempts", 3)
    case = factory.case_in(CaseState.INVITED)
    [message] = outbox(db, case)
    start = utcnow()
    waits = []
    for offset in (0, 60, 180):  # waits of 60 s, then 120 s
        with time_machine.travel(start + timedelta(seconds=offset), tick=False):
            assert deliver() == 0
        db.refresh(message)
        waits.append(message.next_attempt_at - start)
    assert message.status is MessageStatus.FAILED
    assert message.attempts == 3
    assert waits[:2] == [timedelta(seconds=60), timedelta(seconds=180)]

    planner = factory.person(Role.PLANNER, "today")
    db.commit()
    failed = ok(client.get(f"{API}/messages/failed", headers=planner.headers))
    assert [m["id"] for m in failed] == [str(message.id)]
    sign_in(client, planner.user.username)
    page = client.get("/planner/messages")
    assert page.status_code == 200
    assert case.v_number in page.text
    retried = client.post(
        f"/planner/messages/{message.id}/retry",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert retried.status_code == 303
    db.refresh(message)
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 0)
    with smtp_server(smtp) as inbox:
        assert deliver() == 1
    assert len(inbox.received) == 1
    again = client.post(f"{API}/messages/{message.id}/retry", headers=planner.headers)
    assert_problem(again, 409, "message_not_failed")


def test_each_party_sees_its_own_messages(client, db, factory):
    lawyer = factory.person(Role.LAWYER)
    other = factory.person(Role.LAWYER, "other")
    case = factory.case_in(CaseState.CONSENTED)
    db.commit()
    mine = ok(client.get(f"{API}/messages", headers=lawyer.headers))
    assert {m["kind"] for m in mine} == {"invitation", "consent_recorded"}
    assert all(case.v_number in m["subject"] for m in mine)
    assert ok(client.get(f"{API}/messages", headers=other.headers)) == []
    sign_in(client, lawyer.user.username)
    page = client.get("/messages")
    assert page.status_code == 200
    assert case.v_number in page.text
    assert client.get("/planner/messages").status_code == 403


def test_applicants_get_no_email(db, factory):
    case = factory.case_in(CaseState.DECIDED_ON_FORM)
    recipients = {m.recipient_id for m in outbox(db, case)}
    assert recipients == {case.lawyer_id}
    kinds = [m.kind for m in outbox(db, case)]
    assert MessageKind.TRANSLATION_READY in kinds
    assert kinds[-1] is MessageKind.OUTCOME
    assert db.scalar(select(func.count()).select_from(Message)) >= len(kinds)
