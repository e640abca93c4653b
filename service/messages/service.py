"""Messages: an outbox row is written in the same transaction as the state change that
causes it (procedure subscribers), so a rolled-back change sends nothing and a committed
one is never lost. The worker's sweep delivers queued rows over SMTP every minute
(``tasks.py``), retrying with exponential backoff; the Message-ID is stable, so a
receiver can drop a repeat.

Only lawyers get e-mail (applicants never do): the V-number identifies the case, every
other detail is behind sign-in on the portal the link leads to.
"""

import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from service import procedure
from service.core.clock import utcnow
from service.core.formatting import local_date, local_moment
from service.core.i18n import DEFAULT_LANGUAGE, N_, gettext_for
from service.core.settings import get_settings
from service.messages.calendar import hearing_uid, session_invitation
from service.messages.compose import compose
from service.messages.exceptions import MessageNotFailed, NoAddress
from service.models.auth import User
from service.models.cases import Case
from service.models.messages import Message, MessageKind, MessageStatus
from service.models.sessions import Booking, HearingSession, Location
from service.models.terms import Term, TermStep
from service.workflow import DECIDED_STATES, CaseState

NO_ADDRESS = N_("The recipient has no e-mail address; add one to the account, then try again.")


def mail_domain() -> str:
    return parseaddr(get_settings().mail_from)[1].rpartition("@")[2] or "localhost"


# --- writing the outbox -----------------------------------------------------------------


def write(
    db: Session,
    kind: MessageKind,
    case: Case,
    context: Mapping[str, object] | None = None,
    calendar: str | None = None,
) -> Message | None:
    """Write one message to the case's lawyer in the caller's transaction."""
    if case.lawyer_id is None:
        return None  # nobody to write to: the invitation always goes via a lawyer
    message = _message(kind, case, db.get_one(User, case.lawyer_id), context, calendar)
    db.add(message)
    db.flush()
    return message


def _message(
    kind: MessageKind,
    case: Case,
    lawyer: User,
    context: Mapping[str, object] | None = None,
    calendar: str | None = None,
) -> Message:
    language = DEFAULT_LANGUAGE
    portal = get_settings().portal_url.rstrip("/")
    values = {
        "v_number": case.v_number,
        "recipient": lawyer.display_name,
        "portal_link": f"{portal}/lawyer",
        "messages_link": f"{portal}/messages",
        **(context or {}),
    }
    composed = compose(kind, language, values)
    now = utcnow()
    message = Message(
        id=uuid.uuid4(),
        kind=kind,
        case_id=case.id,
        recipient_id=lawyer.id,
        to_address=lawyer.email or "",
        language=language,
        subject=composed.subject,
        body_text=composed.text,
        body_html=composed.html,
        calendar=calendar,
        status=MessageStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
    )
    if not lawyer.email:
        message.status, message.failed_at, message.last_error = (
            MessageStatus.FAILED,
            now,
            NO_ADDRESS,
        )
    return message


def _addressed(db: Session, moves: Sequence[procedure.Move]) -> list[tuple[Case, User]]:
    """The moved cases that have a lawyer to write to, each with that lawyer."""
    found = db.execute(
        select(Case, User)
        .join(User, User.id == Case.lawyer_id)
        .where(Case.id.in_(procedure.case_ids(moves)))
    )
    return [(case, lawyer) for case, lawyer in found]


def _post(db: Session, messages: list[Message]) -> None:
    db.add_all(messages)
    db.flush()  # one multi-row INSERT


def _due_on(moment: object, language: str = DEFAULT_LANGUAGE) -> str:
    return local_date(moment, language) if moment else ""  # type: ignore[arg-type]


@procedure.on_enter(CaseState.INVITED)
def _invitation(db: Session, moves: Sequence[procedure.Move]) -> None:
    """Invite the lawyer: a message with the reply's due date."""
    _post(
        db,
        [
            _message(MessageKind.INVITATION, case, lawyer, {"due_on": _due_on(case.reply_due_at)})
            for case, lawyer in _addressed(db, moves)
        ],
    )


@procedure.on_enter(CaseState.CONSENTED, after={CaseState.INVITED})
def _consent_recorded(db: Session, moves: Sequence[procedure.Move]) -> None:
    """Confirm to the lawyer that their consent is recorded (not when a seat is given up:
    only the lawyer's own consent is news)."""
    _post(
        db,
        [
            _message(MessageKind.CONSENT_RECORDED, case, lawyer)
            for case, lawyer in _addressed(db, moves)
        ],
    )


@procedure.on_enter(CaseState.SCHEDULED)
def _session_planned(db: Session, moves: Sequence[procedure.Move]) -> None:
    """Tell the lawyer when and where the session is, with a calendar entry."""
    ids = procedure.case_ids(moves)
    booked = {
        case_id: (session, location)
        for case_id, session, location in db.execute(
            select(Booking.case_id, HearingSession, Location)
            .join(HearingSession, HearingSession.id == Booking.session_id)
            .join(Location, Location.id == HearingSession.location_id)
            .where(Booking.case_id.in_(ids), Booking.cancelled_at.is_(None))
        ).all()
    }
    # Each earlier planning of a case's hearing was one version of the same entry.
    earlier = dict(
        db.execute(
            select(Message.case_id, func.count())
            .where(Message.case_id.in_(ids), Message.kind == MessageKind.SESSION_PLANNED)
            .group_by(Message.case_id)
        ).all()
    )
    _post(
        db,
        [
            _planned_message(case, lawyer, *booked[case.id], earlier.get(case.id, 0))
            for case, lawyer in _addressed(db, moves)
            if case.id in booked
        ],
    )


def _planned_message(
    case: Case, lawyer: User, session: HearingSession, location: Location, earlier: int
) -> Message:
    language = DEFAULT_LANGUAGE
    gettext = gettext_for(language)
    place = ", ".join(part for part in (location.name, location.address) if part)
    calendar = session_invitation(
        uid=hearing_uid(case.id, mail_domain()),
        sequence=earlier,
        summary=gettext("Written hearing, case %(v_number)s") % {"v_number": case.v_number},
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        location=place,
        description=gettext("Details on the portal, behind sign-in."),
        organizer=parseaddr(get_settings().mail_from)[1],
        stamp=utcnow(),
    )
    context = {"starts": local_moment(session.starts_at, language), "place": place}
    return _message(MessageKind.SESSION_PLANNED, case, lawyer, context, calendar)


@procedure.on_enter(CaseState.WITH_LAWYER)
def _translation_ready(db: Session, moves: Sequence[procedure.Move]) -> None:
    """Tell the lawyer the translated form is ready for corrections, and until when."""
    _post(
        db,
        [
            _message(
                MessageKind.TRANSLATION_READY,
                case,
                lawyer,
                {"due_on": _due_on(case.corrections_due_at)},
            )
            for case, lawyer in _addressed(db, moves)
        ],
    )


@procedure.on_enter(*DECIDED_STATES)
def _outcome(db: Session, moves: Sequence[procedure.Move]) -> None:
    """Tell the lawyer the outcome: decided on the form, or a physical hearing."""
    on_form = moves[0].target is CaseState.DECIDED_ON_FORM
    _post(
        db,
        [
            _message(MessageKind.OUTCOME, case, lawyer, {"decided_on_form": on_form})
            for case, lawyer in _addressed(db, moves)
        ],
    )


# Reminders the sweep sends before a term ends, by the term's step.
REMINDERS = {
    TermStep.INVITATION_REPLY: MessageKind.REPLY_REMINDER,
    TermStep.CORRECTIONS: MessageKind.CORRECTIONS_ENDING,
}


def remind(db: Session, term: Term) -> Message | None:
    """The reminder of a running term, written with the term's ``reminded_at``."""
    kind = REMINDERS.get(term.step)
    if kind is None:
        return None
    case = db.get_one(Case, term.case_id)
    return write(db, kind, case, {"due_on": _due_on(term.due_at, DEFAULT_LANGUAGE)})


# --- delivery ---------------------------------------------------------------------------


def deliverable(db: Session) -> Sequence[uuid.UUID]:
    """Queued messages whose next attempt is due and that no worker holds."""
    now = utcnow()
    return db.scalars(
        select(Message.id)
        .where(
            Message.status == MessageStatus.QUEUED,
            Message.next_attempt_at <= now,
            or_(Message.claimed_until.is_(None), Message.claimed_until <= now),
        )
        .order_by(Message.next_attempt_at)
    ).all()


def claim(db: Session, message_id: uuid.UUID) -> EmailMessage | None:
    """Hold a due message for this worker and return it as e-mail, or None when it is
    not due, sent, failed or held by another worker (then there is nothing to do)."""
    now = utcnow()
    held = db.execute(
        update(Message)
        .where(
            Message.id == message_id,
            Message.status == MessageStatus.QUEUED,
            Message.next_attempt_at <= now,
            or_(Message.claimed_until.is_(None), Message.claimed_until <= now),
        )
        .values(claimed_until=now + timedelta(seconds=get_settings().message_claim_seconds))
        .execution_options(synchronize_session=False)
    )
    if held.rowcount != 1:  # type: ignore[attr-defined]
        return None
    message = db.get_one(Message, message_id)
    db.refresh(message)  # the hold was written past the session's copy
    return as_email(message)


def as_email(message: Message) -> EmailMessage:
    """The same e-mail on every attempt: the Message-ID comes from the row's id."""
    email = EmailMessage()
    email["Message-ID"] = f"<{message.id}@{mail_domain()}>"
    email["Date"] = format_datetime(message.created_at)
    email["From"] = get_settings().mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Content-Language"] = message.language
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    if message.calendar:
        email.add_attachment(
            message.calendar.encode(),
            maintype="text",
            subtype="calendar",
            filename="schriftelijk-horen.ics",
        )
    return email


def mark_sent(db: Session, message_id: uuid.UUID) -> None:
    message = db.get_one(Message, message_id)
    message.status = MessageStatus.SENT
    message.sent_at = utcnow()
    message.attempts += 1
    message.claimed_until = None
    message.last_error = ""


def mark_attempt_failed(db: Session, message_id: uuid.UUID, error: str) -> None:
    """Try again later, each wait twice the last; after the last try, mark it failed."""
    settings = get_settings()
    message = db.get_one(Message, message_id)
    now = utcnow()
    message.attempts += 1
    message.claimed_until = None
    message.last_error = error[:2000]
    if message.attempts >= settings.message_attempts:
        message.status = MessageStatus.FAILED
        message.failed_at = now
    else:
        wait = settings.message_retry_seconds * 2 ** (message.attempts - 1)
        message.next_attempt_at = now + timedelta(seconds=wait)


def try_again(db: Session, message: Message) -> Message:
    """A planner sends a failed message again (after fixing the address, say)."""
    if message.status is not MessageStatus.FAILED:
        raise MessageNotFailed(
            N_("Only a message that was not delivered is sent again; this one is waiting or sent.")
        )
    recipient = db.get_one(User, message.recipient_id)
    message.to_address = recipient.email or ""
    if not message.to_address:
        raise NoAddress(NO_ADDRESS)
    message.status = MessageStatus.QUEUED
    message.failed_at = None
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.flush()
    return message
