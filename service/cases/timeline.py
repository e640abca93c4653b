"""A case's timeline as the lawyer and the dossier show it: every step so far, and
every date ahead with whose move it is (the unclear terms lawyers complained of)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import queries
from service.cases.schemas import EventOut
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.i18n import N_
from service.models.cases import Case
from service.models.sessions import Booking, HearingSession, Location
from service.models.translation import Translation
from service.workflow import OPEN_STATES, STATE_LABELS, CaseState

# Whose move a date is.
LAWYER = N_("the lawyer")
APPLICANT = N_("the applicant")
AGENCY = N_("the translation agency")
IND = N_("the IND")


@dataclass(frozen=True)
class Step:
    """A step taken: the state the case entered, when, and why."""

    label: str  # a msgid (STATE_LABELS)
    at: datetime
    reason: str


@dataclass(frozen=True)
class Term:
    """A date ahead (or one that has passed), whose move it is and what happened."""

    label: str  # a msgid
    at: datetime | date
    whose: str  # a msgid
    place: str = ""
    passed: bool = False
    outcome: str = ""  # a msgid: what came of it, once it has passed


@dataclass(frozen=True)
class Timeline:
    steps: list[Step]
    terms: list[Term]
    # The corrections term ended without a reply: when the case moved on.
    moved_on_at: datetime | None


def timeline(db: Session, case: Case, actor: Actor) -> Timeline:
    events = [EventOut.present(row, actor) for row in queries.timeline(db, case.id, actor.role)]
    steps = [Step(STATE_LABELS[CaseState(e.to_state)], e.at, e.reason) for e in events]
    moved_on = next((e.at for e in events if e.event == "expire_corrections_term"), None)
    return Timeline(steps, terms(db, case, moved_on), moved_on)


def terms(db: Session, case: Case, moved_on_at: datetime | None = None) -> list[Term]:
    now = utcnow()
    found: list[Term] = []
    if case.reply_due_at is not None:
        answered = case.state is not CaseState.INVITED
        found.append(
            Term(
                N_("Reply to the invitation"),
                case.reply_due_at,
                LAWYER,
                passed=answered or case.reply_due_at <= now,
                outcome=N_("answered") if case.consented_at else "",
            )
        )
    session = _session(db, case)
    if session is not None:
        hearing, location = session
        place = f"{location.name}, {location.address}".strip(", ")
        found.append(
            Term(
                N_("Group session: the applicant fills in the form"),
                hearing.starts_at,
                APPLICANT,
                place=place,
                passed=hearing.starts_at <= now,
            )
        )
    job = db.scalar(select(Translation).where(Translation.case_id == case.id))
    if job is not None and job.cancelled_at is None:
        found.append(
            Term(
                N_("Translation expected"),
                job.due_at,
                AGENCY,
                passed=job.delivered_at is not None,
                outcome=N_("delivered") if job.delivered_at else "",
            )
        )
    if case.corrections_due_at is not None:
        found.append(
            Term(
                N_("Corrections and additions due"),
                case.corrections_due_at,
                LAWYER,
                passed=case.state is not CaseState.WITH_LAWYER,
                outcome=_corrections_outcome(case, moved_on_at),
            )
        )
    if case.target_date is not None:
        found.append(
            Term(
                N_("Six-week target for the decision"),
                case.target_date,
                IND,
                passed=case.state not in OPEN_STATES,
            )
        )
    return found


def _corrections_outcome(case: Case, moved_on_at: datetime | None) -> str:
    if moved_on_at is not None:
        return N_("the term ended without a reply; the file moved on to the decision")
    if case.state in (CaseState.WITH_LAWYER, CaseState.TRANSLATED):
        return ""
    return N_("answered")


def _session(db: Session, case: Case) -> tuple[HearingSession, Location] | None:
    row = db.execute(
        select(HearingSession, Location)
        .join(Booking, Booking.session_id == HearingSession.id)
        .join(Location, Location.id == HearingSession.location_id)
        .where(Booking.case_id == case.id, Booking.cancelled_at.is_(None))
        .order_by(Booking.booked_at.desc())
    ).first()
    return None if row is None else (row[0], row[1])
