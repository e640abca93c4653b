"""A small built dataset: cases walked by the real actions into various states, with
known moments, so every figure of the reports is known."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.decisions import service as decisions
from service.decisions.schemas import FinalDecisionIn
from service.models import HearingSession, Role
from service.models.cases import Case
from service.models.decisions import Decision, FinalOutcome
from service.models.questionnaires import VoiceRecording
from service.questionnaires import service as questionnaires
from service.reports.schemas import Period
from service.sessions import service as sessions
from service.sessions.schemas import Identity
from service.terms.policy import local_date
from service.workflow import CaseState
from tests.factories import Factory

S = CaseState


@dataclass
class Dataset:
    cases: dict[str, Case]
    period: Period
    start: datetime


def build(db: Session, factory: Factory) -> Dataset:
    """Syria: two granted on the form (20 and 50 days), one physical hearing (estimated
    one day, took two; unfounded in the end), one declined; Iran (kansarm): one to the
    physical hearing (inadmissible in the end); Turkey: one consented, waiting for a
    seat; Yemen: one checked in in low-literacy mode, answering two questions by
    speaking. The Syrian grants have 30 and 90 minutes of officer time."""
    start = utcnow() - timedelta(days=60)
    cases = {
        "sy_form_fast": factory.case_in(S.CLAIMED, nationality="SY"),
        "sy_form_slow": factory.case_in(S.CLAIMED, nationality="SY"),
        "sy_hearing": factory.case_in(S.PHYSICAL_HEARING_REQUIRED, nationality="SY"),
        "sy_declined": factory.case_in(S.DECLINED, nationality="SY"),
        "ir_hearing": factory.case_in(
            S.PHYSICAL_HEARING_REQUIRED, nationality="IR", languages=["fa"]
        ),
        "tr_consented": factory.case_in(S.CONSENTED, nationality="TR", languages=["tr"]),
        "ye_spoken": factory.case_in(S.SCHEDULED, nationality="YE", languages=["ar"]),
    }
    officer = factory.person(Role.OFFICER).actor
    for name, minutes in (("sy_form_fast", 30), ("sy_form_slow", 90)):
        case = cases[name]
        t0 = utcnow() - timedelta(hours=5)
        # One stretch of ``minutes`` in heartbeats, then an idle gap, then 0 minutes more.
        for at in range(0, minutes + 1, 3):
            decisions.note_activity(db, case, officer, at=t0 + timedelta(minutes=at))
        decisions.note_activity(
            db, case, officer, event="close", at=t0 + timedelta(minutes=minutes)
        )
        factory.driver().drive(case, S.DECIDED_ON_FORM)
    decisions.record_actual_days(db, cases["sy_hearing"].id, 2)
    finals = (
        ("sy_form_fast", FinalOutcome.GRANT),
        ("sy_form_slow", FinalOutcome.GRANT),
        ("sy_hearing", FinalOutcome.UNFOUNDED),
        ("ir_hearing", FinalOutcome.INADMISSIBLE),
    )
    for name, outcome in finals:
        decisions.record_final_decision(db, cases[name], officer, FinalDecisionIn(outcome=outcome))
    spoken(db, factory, cases["ye_spoken"])
    # Known moments: invited at the start, decided 20 / 50 days later.
    for name, days in (("sy_form_fast", 20), ("sy_form_slow", 50)):
        case = cases[name]
        case.invited_at = start
        case.decided_at = start + timedelta(days=days)
        decision = db.scalars(select(Decision).where(Decision.case_id == case.id)).one()
        decision.decided_at = case.decided_at
    db.flush()
    today = local_date(utcnow())
    return Dataset(cases, Period(start=today - timedelta(days=90), end=today), start)


def spoken(db: Session, factory: Factory, case: Case) -> None:
    """The host checks the applicant in in low-literacy mode (the real action); two spoken
    answers are stored as the upload would store them (the audio itself is tested in
    tests/questionnaires/test_voice_answers.py)."""
    booking = factory.booking(case)
    hearing = db.get_one(HearingSession, booking.session_id)
    host = factory.driver().cast.host(hearing.location_id)
    sessions.check_in(db, booking, host, Identity.on_file(case), True, low_literacy=True)
    factory.driver().drive(case, S.IN_PROGRESS)
    answer_set = questionnaires.answer_set_of(db, case)
    assert answer_set is not None
    for question in ("reasons_account", "travel_route"):
        db.add(
            VoiceRecording(
                answer_set_id=answer_set.id,
                question_id=question,
                upload_sha256="0" * 64,
                sha256="1" * 64,
                duration_ms=4000,
                reported_ms=4000,
                size=5,
                content=b"OggS\x00",
            )
        )
    db.flush()


def period_query(period: Period) -> str:
    return f"from={period.start.isoformat()}&to={period.end.isoformat()}"


def day(value: date) -> str:
    return value.isoformat()
