"""Agencies translate the submitted form into Dutch within an agreed term.

A translation comes in through the JSON API, an XLIFF upload or the side-by-side page;
all three end in ``deliver``, which checks it against the answers sent and keeps every
version: a re-upload (while the lawyer has the form) replaces the current text and the
earlier one stays in ``translation_versions``. The same limits hold at every door: each
target at most ``LONG_TEXT_MAX`` characters of valid text, at most ``MAX_VERSIONS``
deliveries per job.
"""

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service import procedure
from service.cases.access import readable_case
from service.core.actions import Refusal, attempt
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.core.formatting import in_english
from service.core.i18n import N_
from service.core.text import LONG_TEXT_MAX, valid_text
from service.models.cases import Case
from service.models.questionnaires import AnswerSet, VoiceRecording
from service.models.terms import TermStep
from service.models.translation import Agency, Translation, TranslationVersion
from service.questionnaires.exceptions import FormNotStarted
from service.questionnaires.service import answer_set_of
from service.terms import service as terms
from service.terms.policy import local_date
from service.translation import xliff
from service.translation.exceptions import (
    AgencyFull,
    AgencyNotFound,
    IncompleteTranslation,
    TooManyVersions,
    TranslationClosed,
    TranslationFileRefused,
    TranslationNotFound,
)
from service.translation.items import (
    VOICE_SUFFIX,
    AnswerItem,
    answer_items,
    question_of,
    recording_path,
)
from service.translation.schemas import SourceAnswer, TranslationSelectionIn
from service.workflow import (
    HOLDING_STATES,
    LEFT_TRACK,
    CaseEvent,
    CaseState,
    Reason,
    after_translation_event,
    track_of,
)

# Beside an answer whose translation was refused (the page's words; the API lists them).
TRANSLATE_THIS = N_("Translate this answer.")
CHECK_TARGET = N_("This translation is too long or holds characters a text may not hold.")
NOT_TO_TRANSLATE = N_("Translate only the answered questions shown here.")
TRANSCRIBE_THIS = N_("Write down what the applicant says in the recording, in their language.")

# The first delivery and corrected re-deliveries while the lawyer has the form: each
# version is kept, and every one of them goes into the dossier's history.
MAX_VERSIONS = 10


# --- the answers' texts changed --------------------------------------------------------
# Whatever is derived from a case's texts (unit 1F's attention points) subscribes here
# once, and every writer of a text (a delivery, first or corrected; a lawyer's correction)
# calls ``texts_changed``: no path that changes the texts can miss the subscribers.
TextsChanged = Callable[[Session, uuid.UUID], None]
_on_texts_changed: list[TextsChanged] = []


def on_texts_changed(handler: TextsChanged) -> TextsChanged:
    """Subscribe ``handler(db, case_id)`` to every change of a case's answer texts."""
    _on_texts_changed.append(handler)
    return handler


def texts_changed(db: Session, case_id: uuid.UUID) -> None:
    """The case's texts changed (in this transaction): tell every subscriber."""
    procedure.subscriptions()  # imports every domain's service, so all have subscribed
    for handler in _on_texts_changed:
        handler(db, case_id)


def agency_named(db: Session, name: str) -> Agency:
    """An active agency by its exact name; a typo is refused, never stored."""
    agency = db.scalar(select(Agency).where(Agency.name == name.strip(), Agency.active.is_(True)))
    if agency is None:
        known = db.scalars(select(Agency.name).where(Agency.active.is_(True)).order_by(Agency.name))
        why = N_("No agency named '%(name)s'. Agencies: %(agencies)s.")
        raise AgencyNotFound(in_english(why, name=name, agencies=", ".join(known) or "none"))
    return agency


def create_agency(db: Session, name: str, capacity_per_week: int = 20) -> Agency:
    agency = Agency(name=name.strip(), capacity_per_week=capacity_per_week)
    db.add(agency)
    db.flush()
    return agency


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the ISO week ``moment`` falls in."""
    monday = moment - timedelta(days=moment.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def taken_this_week(db: Session, agency: Agency, now: datetime) -> int:
    """Jobs the agency was given this week (called-off jobs free their place)."""
    return (
        db.scalar(
            select(func.count(Translation.id)).where(
                Translation.agency_id == agency.id,
                Translation.requested_at >= week_start(now),
                Translation.cancelled_at.is_(None),
            )
        )
        or 0
    )


def _check_capacity(db: Session, agency: Agency, now: datetime) -> None:
    taken = taken_this_week(db, agency, now)
    if taken >= agency.capacity_per_week:
        why = N_(
            "%(agency)s has taken %(taken)s of its %(capacity)s forms this week; "
            "choose another agency."
        )
        raise AgencyFull(
            in_english(why, agency=agency.name, taken=taken, capacity=agency.capacity_per_week)
        )


def request(
    db: Session, case: Case, actor: Actor, agency_name: str, due_days: int | None = None
) -> Translation:
    agency = agency_named(db, agency_name)
    answer_set = answer_set_of(db, case)
    if answer_set is None:
        raise FormNotStarted("The case has no submitted form to translate.")
    now = utcnow()
    _check_capacity(db, agency, now)
    term = terms.start(db, case, TermStep.TRANSLATION, due_days)
    procedure.advance(
        db,
        case,
        CaseEvent.SEND_TO_TRANSLATION,
        actor,
        Reason.step(
            N_("sent to %(agency)s, due %(due)s"), agency=agency.name, due=local_date(term.due_at)
        ),
    )
    translation = Translation(
        case_id=case.id,
        agency_id=agency.id,
        source_language=answer_set.language,
        requested_at=now,
        due_at=term.due_at,
    )
    db.add(translation)
    db.flush()
    return translation


def send_selection(
    db: Session, actor: Actor, selection: TranslationSelectionIn
) -> list[tuple[Case, Translation | Refusal]]:
    """Send each selected case's form to the agency (``request``, the API's own), each
    in its own savepoint: one case refused leaves the others sent. Per case the job, or
    why not."""
    ids = select(Case.id).where(Case.id.in_(selection.case_id)).order_by(Case.v_number)
    sent: list[tuple[Case, Translation | Refusal]] = []
    for case_id in db.scalars(ids):
        case = readable_case(db, case_id, actor)
        send = partial(request, db, case, actor, selection.agency, selection.due_days)
        sent.append((case, attempt(db, send)))
    return sent


def reassign(db: Session, job: Translation, agency_name: str) -> Agency:
    """Give an open job to another agency (a late or mistaken assignment); the term runs on."""
    if job.delivered_at is not None:
        raise TranslationClosed("This translation has been delivered already.")
    if job.cancelled_at is not None:
        raise TranslationClosed("This translation was called off: the case left the track.")
    agency = agency_named(db, agency_name)
    if agency.id == job.agency_id:
        raise TranslationClosed(
            in_english(N_("The job is with %(agency)s already."), agency=agency.name)
        )
    _check_capacity(db, agency, utcnow())
    job.agency_id = agency.id
    db.flush()
    return agency


def source_items(db: Session, job: Translation) -> list[AnswerItem]:
    """What the agency must translate: each answer with its question, nothing else."""
    answer_set = db.scalar(select(AnswerSet).where(AnswerSet.case_id == job.case_id))
    return [] if answer_set is None else answer_items(answer_set)


def source_answers(db: Session, job: Translation) -> list[SourceAnswer]:
    return [
        SourceAnswer(
            question_id=item.key,
            question=item.question,
            question_nl=item.question_nl,
            answer=item.value,
            text=item.text,
            note=item.note,
            recording=item.key if item.spoken else None,
        )
        for item in source_items(db, job)
    ]


def xliff_of(db: Session, job: Translation) -> bytes:
    return xliff.make(job.id, job.source_language, source_items(db, job))


def job_recording(db: Session, job: Translation, key: str) -> VoiceRecording:
    """A spoken answer of the job's form (``<question>.voice``), to play or package."""
    answer_set = db.scalar(select(AnswerSet).where(AnswerSet.case_id == job.case_id))
    found = None
    if answer_set is not None and key.endswith(VOICE_SUFFIX):
        found = db.scalar(
            select(VoiceRecording).where(
                VoiceRecording.answer_set_id == answer_set.id,
                VoiceRecording.question_id == question_of(key),
            )
        )
    if found is None:
        raise TranslationNotFound(N_("This answer has no recording."))
    return found


def package_of(db: Session, job: Translation) -> bytes:
    """The agency's package: the XLIFF file, every spoken answer's recording (Ogg Opus)
    and a manifest with each file's SHA-256, so the agency can check what it got."""
    items = source_items(db, job)
    document = xliff.make(job.id, job.source_language, items)
    name = f"{xliff.file_name(job.id)}.xlf"
    files = [{"path": name, "sha256": hashlib.sha256(document).hexdigest(), "size": len(document)}]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as package:
        package.writestr(name, document)
        for item in items:
            if not item.spoken:
                continue
            recording = job_recording(db, job, item.key)
            package.writestr(recording_path(item.key), recording.content)
            files.append(
                {
                    "path": recording_path(item.key),
                    "unit": item.key,
                    "sha256": recording.sha256,
                    "size": recording.size,
                    "duration_ms": recording.duration_ms,
                    "media_type": "audio/ogg; codecs=opus",
                }
            )
        manifest = {
            "job": str(job.id),
            "source_language": job.source_language,
            "target_language": "nl",
            "files": files,
            "return": "per spoken unit: the Dutch translation as the target and the "
            "transcription in the source language as <note from='transcription'>",
        }
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return buffer.getvalue()


def file_problems(job: Translation, items: list[AnswerItem], read: xliff.ReadFile) -> list[str]:
    """Everything wrong with an uploaded file, compared with what was sent."""
    problems: list[str] = []
    expected = xliff.file_name(job.id)
    if read.files != [expected]:
        problems.append(
            f"the file is for {', '.join(read.files) or 'no job'}, not for this job ({expected})"
        )
    sent = {item.key: item for item in items}
    seen: set[str] = set()
    for unit in read.units:
        item = sent.get(unit.key)
        if item is None:
            problems.append(f"unit '{unit.key}': not a unit of this job")
            continue
        if unit.key in seen:
            problems.append(f"unit '{unit.key}': appears more than once")
        seen.add(unit.key)
        if unit.source != item.text:
            problems.append(f"unit '{unit.key}': the source text differs from what was sent")
        if not unit.target.strip():
            problems.append(f"unit '{unit.key}': not translated")
    problems += [f"unit '{key}': missing from the file" for key in sent if key not in seen]
    problems += target_problems({unit.key: unit.target for unit in read.units})
    return problems


def target_problems(answers_nl: dict[str, str]) -> list[str]:
    """Targets longer than any answer may be, or not valid text (every door checks)."""
    problems = []
    for key, text in answers_nl.items():
        if len(text) > LONG_TEXT_MAX:
            problems.append(
                f"unit '{key}': the translation is {len(text)} characters long, "
                f"at most {LONG_TEXT_MAX} are allowed"
            )
        try:
            valid_text(text)
        except ValueError as exc:
            problems.append(f"unit '{key}': the translation {exc}")
    return problems


def _check_versions(db: Session, job: Translation) -> int:
    """The number the next version gets; refused once ``MAX_VERSIONS`` are delivered."""
    delivered = (
        db.scalar(
            select(func.count(TranslationVersion.id)).where(
                TranslationVersion.translation_id == job.id
            )
        )
        or 0
    )
    if delivered >= MAX_VERSIONS:
        why = N_(
            "This translation has been delivered %(delivered)s times, the most it may be; "
            "the lawyer works from the last one delivered."
        )
        raise TooManyVersions(in_english(why, delivered=delivered))
    return delivered + 1


def upload_xliff(db: Session, job: Translation, actor: Actor, data: bytes | None) -> Case:
    """Check an uploaded XLIFF file in full, then deliver it; nothing is stored if any
    check fails (the whole upload is one transaction)."""
    if data is None:
        raise TranslationFileRefused(N_("Choose the translated XLIFF file to upload."))
    _require_deliverable(db, job)
    _check_versions(db, job)
    try:
        read = xliff.read(data)
    except xliff.UnreadableFile as exc:
        raise TranslationFileRefused("The file was refused.", problems=[str(exc)]) from exc
    problems = file_problems(job, source_items(db, job), read)
    if problems:
        why = N_(
            "The file was refused: %(count)s problem(s). Download the job again, "
            "translate every unit and upload it unchanged otherwise."
        )
        raise TranslationFileRefused(in_english(why, count=len(problems)), problems=problems)
    answers_nl = {unit.key: unit.target for unit in read.units}
    transcriptions = {unit.key: unit.transcription for unit in read.units if unit.transcription}
    digest = hashlib.sha256(data).hexdigest()
    return deliver(
        db,
        job,
        actor,
        answers_nl,
        transcriptions=transcriptions,
        channel="xliff",
        file_sha256=digest,
    )


def _require_deliverable(db: Session, job: Translation) -> Case:
    """Open, or delivered with the form still at the lawyer (a corrected re-upload)."""
    if job.cancelled_at is not None:
        raise TranslationClosed("This translation was called off: the case left the track.")
    case = db.get_one(Case, job.case_id)
    if job.delivered_at is not None and case.state is not CaseState.WITH_LAWYER:
        raise TranslationClosed(
            "The lawyer has already replied to this translation; it can no longer be replaced."
        )
    return case


def deliver(
    db: Session,
    translation: Translation,
    actor: Actor,
    answers_nl: dict[str, str],
    *,
    transcriptions: dict[str, str] | None = None,
    channel: str = "api",
    file_sha256: str | None = None,
) -> Case:
    """Store the Dutch text as a new version; the first delivery sends the form to the
    lawyer, a later one replaces the text the lawyer reads (the earlier one is kept).
    A spoken answer needs its transcription (in the applicant's language) too."""
    case = _require_deliverable(db, translation)
    number = _check_versions(db, translation)
    items = source_items(db, translation)
    sent = [item.key for item in items]
    _check_complete(sent, answers_nl)
    transcriptions = _check_transcriptions(items, transcriptions or {})
    too_long = target_problems(answers_nl) + target_problems(transcriptions)
    if too_long:
        texts = answers_nl | transcriptions
        fields = {key: CHECK_TARGET for key in texts if target_problems({key: texts[key]})}
        raise IncompleteTranslation(" ".join(too_long), fields, problems=too_long)
    db.add(
        TranslationVersion(
            translation_id=translation.id,
            number=number,
            answers_nl=answers_nl,
            transcriptions=transcriptions or None,
            channel=channel,
            file_sha256=file_sha256,
            delivered_by_id=actor.user_id,
        )
    )
    translation.answers_nl = answers_nl
    translation.transcriptions = transcriptions or None
    translation.translator_id = actor.user_id
    if translation.delivered_at is not None:
        # A corrected re-delivery: the lawyer reads the new text, matched again.
        db.flush()
        texts_changed(db, case.id)
        return case
    agency = db.get_one(Agency, translation.agency_id)
    procedure.advance(
        db,
        case,
        CaseEvent.DELIVER_TRANSLATION,
        actor,
        Reason.step(N_("translated by %(agency)s"), agency=agency.name),
    )
    translation.delivered_at = utcnow()
    texts_changed(db, case.id)
    if after_translation_event(track_of(case.track)) is CaseEvent.PREPARE_REGISTRATION_FILE:
        # A registration interview: no lawyer's corrections, the file goes to the
        # registration officer (service/registration takes the answers over).
        procedure.advance(
            db,
            case,
            CaseEvent.PREPARE_REGISTRATION_FILE,
            SYSTEM,
            Reason.step(N_("registration interview prepared for the registration officer")),
        )
        return case
    term = terms.start(db, case, TermStep.CORRECTIONS)
    procedure.advance(
        db,
        case,
        CaseEvent.SEND_TO_LAWYER,
        SYSTEM,
        Reason.step(
            N_("translated form sent to the lawyer; corrections by %(due)s"),
            due=local_date(term.due_at),
        ),
    )
    return case


def _check_transcriptions(items: list[AnswerItem], given: dict[str, str]) -> dict[str, str]:
    """Every spoken answer transcribed, and nothing else: the transcriptions to keep."""
    spoken = [item.key for item in items if item.spoken]
    missing = [key for key in spoken if not str(given.get(key, "")).strip()]
    extra = sorted(set(given) - set(spoken))
    if missing or extra:
        sentences = [N_("Transcribe exactly the spoken answers.")]
        if missing:
            sentences.append(in_english(N_("Missing: %(keys)s."), keys=", ".join(missing)))
        if extra:
            why = N_("Not spoken, so not to transcribe: %(keys)s.")
            sentences.append(in_english(why, keys=", ".join(extra)))
        fields = {f"tr-{key}": TRANSCRIBE_THIS for key in missing} or {"": NOT_TO_TRANSLATE}
        raise IncompleteTranslation(" ".join(sentences), fields)
    return {key: given[key] for key in spoken}


def _check_complete(sent: list[str], answers_nl: dict[str, str]) -> None:
    missing = [key for key in sent if key not in answers_nl]
    blank = [key for key in sent if key in answers_nl and not str(answers_nl[key]).strip()]
    extra = sorted(set(answers_nl) - set(sent))
    if missing or blank or extra:
        sentences = [N_("Translate exactly the answered questions.")]
        if missing:
            sentences.append(in_english(N_("Missing: %(keys)s."), keys=", ".join(missing)))
        if blank:
            sentences.append(in_english(N_("Empty: %(keys)s."), keys=", ".join(blank)))
        if extra:
            why = N_("Not answered, so not to translate: %(keys)s.")
            sentences.append(in_english(why, keys=", ".join(extra)))
        raise IncompleteTranslation(
            " ".join(sentences),
            {key: TRANSLATE_THIS for key in missing + blank} or {"": NOT_TO_TRANSLATE},
        )


@procedure.on_enter(*LEFT_TRACK, after=HOLDING_STATES)
def _call_off_translation(db: Session, moves: Sequence[procedure.Move]) -> None:
    """A case that leaves the written track is not translated further."""
    db.execute(
        update(Translation)
        .where(
            Translation.case_id.in_(procedure.case_ids(moves)),
            Translation.delivered_at.is_(None),
            Translation.cancelled_at.is_(None),
        )
        .values(cancelled_at=utcnow())
    )


def translation_of(db: Session, case: Case) -> Translation | None:
    return db.scalar(select(Translation).where(Translation.case_id == case.id))


def agencies(db: Session) -> Sequence[Agency]:
    return db.scalars(select(Agency).order_by(Agency.name)).all()
