"""Spoken answers (low-literacy mode): the kiosk records one per question and sends it
as it is made; both doors (the kiosk page's script, the API) save through
:func:`save_recording`, with the same limits. The refusals' messages are kiosk texts
(``K_``), so the kiosk says them in the applicant's language."""

import hashlib
import uuid
from collections.abc import Sequence
from pathlib import Path

from fastapi import UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core import audio
from service.core.clock import utcnow
from service.core.errors import InvalidInput, NotFound
from service.core.uploads import read_limited
from service.models.cases import Case
from service.models.questionnaires import AnswerSet, VoiceRecording
from service.models.sessions import Booking
from service.questionnaires import prompts, service
from service.questionnaires.forms import FormDefinition, Question
from service.questionnaires.kiosk_texts import K_

# A spoken answer's limit where a form sets none (a form that allows voice sets one).
DEFAULT_MAX_SECONDS = 120
# Opus at the kiosk's 32 kbit/s is 4 kB a second: twice that for the longest answer.
MAX_BYTES = 2 * 1024 * 1024
# The kiosk measures from its start button; the packets may be a little shorter.
TOLERANCE_SECONDS = 1.0


class RecordingRefused(InvalidInput):
    code = "recording_refused"


class RecordingNotFound(NotFound):
    code = "recording_not_found"


def max_seconds(question: Question) -> int:
    """The question's own limit (the form definition's ``max_duration_seconds``), else the
    default."""
    return question.max_duration_seconds or DEFAULT_MAX_SECONDS


def speakable(question: Question) -> bool:
    """Whether a spoken answer is taken: only where the form version's ``answer_modes``
    allow ``voice`` (low-literacy mode offers the record control there, nowhere else)."""
    return question.allows_voice


def voice_question(form: FormDefinition, question_id: str) -> Question:
    """The question a spoken answer is for; refused (422) where its form version allows
    only typed answers, whichever door the recording came through."""
    question = form.question(question_id)
    if question is None:
        raise RecordingNotFound(K_("This question cannot be answered by speaking."))
    if not speakable(question):
        raise RecordingRefused(K_("This question cannot be answered by speaking."))
    return question


def read_recording(file: UploadFile | None) -> bytes:
    """The uploaded recording, refused over the size cap before it is read in full."""
    data = read_limited(file, MAX_BYTES) if file is not None else b""
    if data is None:
        raise RecordingRefused(K_("The recording is too long. Please record a shorter answer."))
    return data


def save_recording(
    db: Session,
    case_id: uuid.UUID,
    question_id: str,
    data: bytes,
    seconds: float,
    sha256: str,
) -> VoiceRecording:
    """Keep the applicant's spoken answer to one question (recording again replaces it).
    The same upload twice (its SHA-256) changes nothing. Refused: over the size cap, not
    what the kiosk hashed, not audio, shorter than the kiosk measured (cut off), or
    longer than the question allows."""
    answer_set = service.kiosk_form(db, case_id).open()
    question = voice_question(service.form_of(answer_set), question_id)
    if len(data) > MAX_BYTES:
        raise RecordingRefused(K_("The recording is too long. Please record a shorter answer."))
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256.lower():
        raise RecordingRefused(K_("The recording did not arrive whole. Please record again."))
    existing = recording_of(db, answer_set.id, question_id)
    if existing is not None and existing.upload_sha256 == digest:
        return existing
    try:
        decoded, ogg = audio.opus_in_ogg(data)
    except audio.InvalidAudio:
        raise RecordingRefused(
            K_("This is not a recording that can be played. Please record again.")
        ) from None
    if decoded.duration + TOLERANCE_SECONDS < seconds:
        raise RecordingRefused(K_("The recording did not arrive whole. Please record again."))
    if decoded.duration > max_seconds(question) + TOLERANCE_SECONDS:
        raise RecordingRefused(K_("The recording is too long. Please record a shorter answer."))
    recording = existing or VoiceRecording(answer_set_id=answer_set.id, question_id=question_id)
    recording.upload_sha256 = digest
    recording.sha256 = hashlib.sha256(ogg).hexdigest()
    recording.duration_ms = max(1, round(decoded.duration * 1000))
    recording.reported_ms = max(0, round(seconds * 1000))
    recording.size = len(ogg)
    recording.content = ogg
    recording.recorded_at = utcnow()
    db.add(recording)
    db.flush()
    return recording


def delete_recording(db: Session, case_id: uuid.UUID, question_id: str) -> None:
    """The applicant takes their spoken answer back (before handing in)."""
    answer_set = service.kiosk_form(db, case_id).open()
    recording = recording_of(db, answer_set.id, question_id)
    if recording is not None:
        db.delete(recording)
        db.flush()


def recording_of(db: Session, answer_set_id: uuid.UUID, question_id: str) -> VoiceRecording | None:
    return db.scalar(
        select(VoiceRecording).where(
            VoiceRecording.answer_set_id == answer_set_id,
            VoiceRecording.question_id == question_id,
        )
    )


def recordings_of(db: Session, answer_set: AnswerSet | None) -> dict[str, VoiceRecording]:
    """The form's spoken answers by question id."""
    if answer_set is None:
        return {}
    found: Sequence[VoiceRecording] = db.scalars(
        select(VoiceRecording).where(VoiceRecording.answer_set_id == answer_set.id)
    ).all()
    return {r.question_id: r for r in found}


def kiosk_recording(db: Session, case_id: uuid.UUID, question_id: str) -> VoiceRecording:
    """The applicant's own recording, to listen back (also after a resume elsewhere)."""
    _case, answer_set = service.case_with_answers(db, case_id)
    recording = recording_of(db, answer_set.id, question_id) if answer_set else None
    if recording is None:
        raise RecordingNotFound(K_("There is no recording for this question."))
    return recording


def case_recording(db: Session, case: Case, question_id: str) -> VoiceRecording:
    """A case's spoken answer (``question`` or ``question.voice``), for staff who may
    read its answers (the doors load the case through the answers' access rules)."""
    answer_set = service.answer_set_of(db, case)
    question = question_id.removesuffix(".voice")
    recording = recording_of(db, answer_set.id, question) if answer_set else None
    if recording is None:
        raise RecordingNotFound("There is no recording for this question.")
    return recording


def low_literacy(db: Session, case_id: uuid.UUID) -> bool:
    """Did the host switch the applicant's seat to low-literacy mode at check-in?"""
    return bool(
        db.scalar(
            select(Booking.low_literacy).where(
                Booking.case_id == case_id, Booking.cancelled_at.is_(None)
            )
        )
    )


def prompt_file(form: FormDefinition, language: str, prompt_id: str) -> Path | None:
    """The prompt of a question, choice or help text in ``language``; None while there is
    none, or while its audio is not the one recorded (pinned, once published)."""
    return prompts.intact_prompt_file(form.id, form.version, language, prompt_id)
