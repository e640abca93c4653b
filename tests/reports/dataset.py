"""A small built dataset: cases walked by the real actions into various states, with
known moments, so every figure of the reports is known."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.clock import utcnow
from service.decisions import service as decisions
from service.models import Role
from service.models.cases import Case
from service.models.decisions import Decision
from service.reports.schemas import Period
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
    one day, took two), one declined; Iran (kansarm): one to the physical hearing; Turkey:
    one consented, waiting for a seat. The Syrian grants have 30 and 90 minutes of
    officer time."""
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


def period_query(period: Period) -> str:
    return f"from={period.start.isoformat()}&to={period.end.isoformat()}"


def day(value: date) -> str:
    return value.isoformat()
