"""Build, render and hand out a case's dossier.

``content`` gathers everything the PDF shows as plain, already formatted values; its
SHA-256 (with the template's) is the cache key; ``rendering.render_pdf`` makes the PDF
in a recycled child process. A request never renders: it looks for a
finished PDF with the current hash and otherwise queues the background job (``tasks``)
and answers "being prepared". Every download is recorded in the audit trail (``downloads``).
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.timeline import timeline
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.core.formatting import country_in, language_in, local_date, local_moment
from service.core.i18n import direction, gettext_for
from service.corrections.queries import layers
from service.dossier.access import LAWYER_COPY, STAFF_COPY
from service.dossier.rendering import LANGUAGE, TEMPLATES, render_pdf
from service.models.audit import AuditEntry
from service.models.cases import Case, Signal
from service.models.dossier import Dossier
from service.models.questionnaires import AnswerSet
from service.models.sessions import Helper
from service.models.translation import Translation, TranslationVersion
from service.questionnaires.forms import forms_dir
from service.questionnaires.voice import recording_of
from service.registration import service as registration
from service.sessions.service import HELPER_NAMES
from service.translation.items import question_of
from service.workflow import STATE_LABELS


@lru_cache
def template_hash() -> str:
    """A change of the template or its stylesheet makes every cached PDF stale."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.glob("dossier.*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def form_hash(answer_set: AnswerSet) -> str:
    """SHA-256 of the form definition the applicant answered."""
    path = Path(forms_dir()) / answer_set.form_id / f"v{answer_set.form_version}.yaml"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def _moment(value: Any) -> str:
    return local_moment(value, LANGUAGE) if value is not None else ""


def content(db: Session, case: Case, copy: str) -> dict[str, Any]:
    """Everything the dossier shows, formatted; the lawyer's copy without staff parts."""
    gettext = gettext_for(LANGUAGE)
    answer_set = db.scalar(select(AnswerSet).where(AnswerSet.case_id == case.id))
    viewer = SYSTEM if copy == STAFF_COPY else Actor(role="lawyer", user_id=case.lawyer_id)
    line = timeline(db, case, viewer)
    found = layers(db, case)
    document: dict[str, Any] = {
        "copy": copy,
        "case": {
            "v_number": case.v_number,
            "name": case.applicant_name,
            "nationality": country_in(case.nationality, LANGUAGE),
            "stage": gettext(STATE_LABELS[case.state]),
        },
        "form": {
            "id": answer_set.form_id if answer_set else "",
            "version": answer_set.form_version if answer_set else "",
            "sha256": form_hash(answer_set) if answer_set else "",
            "language": found.language,
            "dir": direction(found.language) if found.language else "ltr",
            "assisted": _assisted_note(found.assisted_by, gettext),
        },
        "steps": [{"label": gettext(s.label), "at": _moment(s.at)} for s in line.steps],
        "terms": [
            {
                "label": gettext(t.label),
                "at": _moment(t.at) if hasattr(t.at, "hour") else local_date(t.at, LANGUAGE),
                "whose": gettext(t.whose),
                "place": t.place,
                "outcome": gettext(t.outcome) if t.outcome else "",
            }
            for t in line.terms
        ],
        "answers": [
            {
                "key": a.key,
                "question": a.question,
                "question_nl": a.question_nl,
                "answer": a.answer,
                "translation": a.translation or "",
                "corrections": [_remark(r, gettext, spoken=a.spoken) for r in a.corrections],
                "spoken": a.spoken,
                "transcription": a.transcription or "",
                "recording": _recording_note(db, answer_set, a, gettext) if a.spoken else "",
                "typed_by": _typed_by_note(a.typed_by, gettext),
            }
            for a in found.answers
        ],
        "additions": [_remark(r, gettext) for r in found.additions],
        "attachments": [
            {"filename": a.filename, "media_type": a.media_type, "size": a.size, "sha256": a.sha256}
            for a in found.attachments
        ],
    }
    document["registration"] = _registration(db, case)
    if copy == STAFF_COPY:
        document["staff"] = _staff_only(db, case)
    return document


def _assisted_note(role: str | None, gettext: Any) -> str:
    """That the form was filled in with a helper who could type for the applicant."""
    if not role:
        return ""
    why = gettext(
        "Filled in with assistance: with the applicant's consent, %(helper)s could type "
        "the answers for them at the kiosk."
    )
    return str(why % {"helper": gettext(HELPER_NAMES[Helper(role)])})


def _typed_by_note(role: str, gettext: Any) -> str:
    if not role:
        return ""
    return str(
        gettext("Typed by %(helper)s on the applicant's behalf")
        % {"helper": gettext(HELPER_NAMES[Helper(role)])}
    )


def _recording_note(db: Session, answer_set: Any, answer: Any, gettext: Any) -> str:
    """What the paper says of a spoken answer: that it was spoken, how long, its hash."""
    recording = recording_of(db, answer_set.id, question_of(answer.key)) if answer_set else None
    if recording is None:
        return str(gettext("Spoken answer"))
    seconds = recording.duration_ms // 1000
    return str(
        gettext("Spoken answer, recording of %(length)s, SHA-256 %(sha256)s")
        % {
            "length": f"{seconds // 60}:{seconds % 60:02d}",
            "sha256": recording.sha256,
        }
    )


def _registration(db: Session, case: Case) -> dict[str, Any] | None:
    """The written registration interview's answers, when the case took one: they travel
    with the case into the hearing (service/registration)."""
    found = registration.file_of(db, case.id)
    if found is None:
        return None
    return {
        "form": f"{found.form_id}@{found.form_version}",
        "language": found.language,
        "language_name": language_in(found.language, LANGUAGE),
        "dir": direction(found.language),
        "submitted_at": _moment(found.submitted_at) if found.submitted_at else "",
        "answers": [
            {"question_nl": a.question_nl, "answer": a.answer, "answer_nl": a.answer_nl}
            for a in registration.answers_of(found)
        ],
    }


def _remark(remark: Any, gettext: Any, *, spoken: bool = False) -> dict[str, str]:
    kinds = {
        "translation": gettext("Correction of the translation"),
        "content": (
            gettext("Correction of the transcription")
            if spoken
            else gettext("Correction of the content")
        ),
        "addition": gettext("Addition"),
    }
    return {
        "kind": kinds.get(remark.kind, remark.kind),
        "text": remark.text,
        "author": remark.author,
        "at": _moment(remark.at),
    }


def _staff_only(db: Session, case: Case) -> dict[str, Any]:
    """What only IND staff read: NV/1F signals and the translation's version history."""
    signals = db.scalars(select(Signal).where(Signal.case_id == case.id)).all()
    versions = db.scalars(
        select(TranslationVersion)
        .join(Translation, Translation.id == TranslationVersion.translation_id)
        .where(Translation.case_id == case.id)
        .order_by(TranslationVersion.number)
    ).all()
    return {
        "signals": [
            {"kind": s.kind.upper(), "source": s.source, "at": _moment(s.noted_at)} for s in signals
        ],
        "versions": [
            {"number": v.number, "channel": v.channel, "at": _moment(v.delivered_at)}
            for v in versions
        ],
    }


def content_hash(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((template_hash() + canonical).encode()).hexdigest()


@dataclass(frozen=True)
class Status:
    content_hash: str
    dossier: Dossier | None  # the finished PDF for this hash, if there is one

    @property
    def ready(self) -> bool:
        return self.dossier is not None


def status(db: Session, case: Case, copy: str) -> Status:
    digest = content_hash(content(db, case, copy))
    found = db.scalar(
        select(Dossier).where(
            Dossier.case_id == case.id,
            Dossier.copy == copy,
            Dossier.content_hash == digest,
            Dossier.pdf.is_not(None),
        )
    )
    return Status(digest, found)


@dataclass(frozen=True)
class Due:
    """A dossier's content that has no PDF yet, and its cache key."""

    document: dict[str, Any]
    content_hash: str


def due(db: Session, case_id: uuid.UUID, copy: str) -> Due | None:
    """The content to render, unless a PDF of it is stored already (or no such case)."""
    case = db.get(Case, case_id)
    if case is None or copy not in (STAFF_COPY, LAWYER_COPY):
        return None
    document = content(db, case, copy)
    digest = content_hash(document)
    existing = _stored(db, case_id, copy, digest)
    if existing is not None and existing.pdf is not None:
        return None
    return Due(document, digest)


def store(db: Session, case_id: uuid.UUID, copy: str, digest: str, pdf: bytes) -> bool:
    """Keep the PDF of the content with that hash; a PDF stored meanwhile (another worker)
    stays. Returns whether this one was stored."""
    existing = _stored(db, case_id, copy, digest)
    if existing is not None and existing.pdf is not None:
        return False
    if existing is None:
        existing = Dossier(case_id=case_id, copy=copy, content_hash=digest)
        db.add(existing)
    existing.pdf = pdf
    existing.rendered_at = utcnow()
    db.flush()
    return True


def render(db: Session, case_id: uuid.UUID, copy: str) -> bool:
    """``due``, the PDF and ``store`` in one session. Idempotent: the same content is
    never rendered twice. Returns whether it rendered. (The background job runs the
    three steps with no transaction open while the PDF renders: ``tasks``.)"""
    found = due(db, case_id, copy)
    if found is None:
        return False
    return store(db, case_id, copy, found.content_hash, render_pdf(found.document))


def _stored(db: Session, case_id: uuid.UUID, copy: str, digest: str) -> Dossier | None:
    return db.scalar(
        select(Dossier).where(
            Dossier.case_id == case_id, Dossier.copy == copy, Dossier.content_hash == digest
        )
    )


# The audit trail's action for a download (the routes declare ``audited(DOWNLOAD)``).
DOWNLOAD = "dossier.download"


def downloads(db: Session, case: Case) -> list[AuditEntry]:
    """The case's dossier downloads that delivered the PDF, from the audit trail."""
    return list(
        db.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.case_id == case.id,
                AuditEntry.action == DOWNLOAD,
                AuditEntry.outcome == "ok",
            )
            .order_by(AuditEntry.seq)
        )
    )
