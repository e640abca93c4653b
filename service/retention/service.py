"""Retention: a closed case is anonymised once its retention period has passed.

Everything that tells who the applicant is or what they told goes (name, date of birth,
V-number, notes, signal details, answers, translation, corrections, advice, decision and
event reasons); what the reports count and measure stays (states, track, nationality,
policy version, milestones and the event log's times), so the figures per nationality
and the throughput and handling times are the same after anonymisation as before.
"""

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service import procedure
from service.core.clock import utcnow
from service.core.settings import get_settings
from service.models import (
    AnswerSet,
    Case,
    Consultation,
    Correction,
    Decision,
    IdempotentAnswer,
    Signal,
    Translation,
)
from service.workflow import TERMINAL_STATES


def forget_idempotent_answers(db: Session) -> int:
    """Stored answers to keyed POSTs older than the retry window: they may hold personal
    data (a created case's name) and are no longer needed."""
    cutoff = utcnow() - timedelta(hours=get_settings().idempotency_hours)
    result = db.execute(delete(IdempotentAnswer).where(IdempotentAnswer.created_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]


def due_cases(db: Session, limit: int = 1000) -> Sequence[uuid.UUID]:
    """Closed cases untouched for the retention period and not yet anonymised."""
    cutoff = utcnow() - timedelta(days=get_settings().retention_days)
    return db.scalars(
        select(Case.id)
        .where(
            Case.state.in_(TERMINAL_STATES),
            Case.anonymised_at.is_(None),
            Case.updated_at <= cutoff,
        )
        .order_by(Case.updated_at)
        .limit(limit)
    ).all()


def anonymise(db: Session, case_id: uuid.UUID) -> bool:
    """Anonymise one closed case; False if it is gone, open, or done already."""
    case = db.get(Case, case_id, with_for_update=True)
    if case is None or case.anonymised_at is not None or case.state not in TERMINAL_STATES:
        return False
    case.applicant_name = ""
    case.date_of_birth = None
    case.vulnerability_notes = ""
    case.exclusion_reason = None
    # Unique and 11 characters like a V-number, but no one's: "X" and the case id.
    case.v_number = "X" + case.id.hex[:10]
    for signal in db.scalars(select(Signal).where(Signal.case_id == case.id)):
        signal.source, signal.reason = "", ""
    for answer_set in db.scalars(select(AnswerSet).where(AnswerSet.case_id == case.id)):
        answer_set.answers = {}
    for translation in db.scalars(select(Translation).where(Translation.case_id == case.id)):
        translation.answers_nl = None
    for correction in db.scalars(select(Correction).where(Correction.case_id == case.id)):
        correction.items = []
    for consultation in db.scalars(select(Consultation).where(Consultation.case_id == case.id)):
        consultation.advice = ""
    for decision in db.scalars(select(Decision).where(Decision.case_id == case.id)):
        decision.reason = ""
    procedure.forget_reasons(db, case.id)
    case.anonymised_at = utcnow()
    db.flush()
    return True
