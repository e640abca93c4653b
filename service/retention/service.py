"""Retention: a closed case is anonymised once its retention period has passed.

Everything that tells who the applicant is or what they told goes (name, date of birth,
V-number, notes, signal details, answers, translation and its versions, corrections and
attachments, questions and advice, decision and review texts, the hand-off's motivation,
the lawyer's notes, rendered dossiers, and event reasons); what the reports count and
measure stays (states, track, nationality, policy version, milestones and the event log's
times), so the figures per nationality and the throughput and handling times are the same
after anonymisation as before.
"""

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service import procedure
from service.cases.names import forget_name
from service.core.clock import utcnow
from service.core.settings import get_settings
from service.models import (
    AnswerSet,
    Attachment,
    Case,
    Consultation,
    Correction,
    CorrectionItem,
    Decision,
    DecisionReview,
    Dossier,
    HearingHandoff,
    IdempotentAnswer,
    Invitation,
    RegistrationFile,
    Signal,
    Translation,
    TranslationVersion,
    VoiceRecording,
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
    forget_name(db, case.id)
    case.date_of_birth = None
    case.vulnerability_notes = ""
    case.exclusion_reason = None
    # Unique and 11 characters like a V-number, but no one's: "X" and the case id.
    case.v_number = "X" + case.id.hex[:10]
    for signal in db.scalars(select(Signal).where(Signal.case_id == case.id)):
        signal.source, signal.reason = "", ""
    for answer_set in db.scalars(select(AnswerSet).where(AnswerSet.case_id == case.id)):
        answer_set.answers = {}
        # A spoken answer is the applicant's voice: nothing of it stays.
        db.execute(delete(VoiceRecording).where(VoiceRecording.answer_set_id == answer_set.id))
    for translation in db.scalars(select(Translation).where(Translation.case_id == case.id)):
        translation.answers_nl = None
        translation.transcriptions = None
    registrations = select(RegistrationFile).where(RegistrationFile.case_id == case.id)
    for registration in db.scalars(registrations):
        registration.answers, registration.answers_nl = {}, {}
    _forget_documents(db, case.id)
    for consultation in db.scalars(select(Consultation).where(Consultation.case_id == case.id)):
        consultation.question = ""
        if consultation.advice is not None:  # an answered request stays answered
            consultation.advice = ""
    for decision in db.scalars(select(Decision).where(Decision.case_id == case.id)):
        decision.reason, decision.third_party_weighing = "", ""
    for review in db.scalars(select(DecisionReview).where(DecisionReview.case_id == case.id)):
        review.proposal, review.remarks = {}, ""
    for handoff in db.scalars(select(HearingHandoff).where(HearingHandoff.case_id == case.id)):
        handoff.motivation = ""
    for invitation in db.scalars(select(Invitation).where(Invitation.case_id == case.id)):
        invitation.note, invitation.language_needs = "", ""
    procedure.forget_reasons(db, case.id)
    case.anonymised_at = utcnow()
    db.flush()
    return True


def _forget_documents(db: Session, case_id: uuid.UUID) -> None:
    """The translation's versions, the lawyer's corrections and attachments, and the
    rendered dossiers (each holds the account)."""
    versions = select(TranslationVersion).join(
        Translation, Translation.id == TranslationVersion.translation_id
    )
    for version in db.scalars(versions.where(Translation.case_id == case_id)):
        version.answers_nl = {}
        version.transcriptions = None
    files = select(Correction.id).where(Correction.case_id == case_id).scalar_subquery()
    for item in db.scalars(select(CorrectionItem).where(CorrectionItem.correction_id.in_(files))):
        item.text = ""
    for attachment in db.scalars(select(Attachment).where(Attachment.correction_id.in_(files))):
        attachment.filename, attachment.content = "", b""
    db.execute(delete(Dossier).where(Dossier.case_id == case_id))
