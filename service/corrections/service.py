"""The lawyer's corrections and additions, kept beside the applicant's own answers and
the translation, never over them.

When the translated form reaches the lawyer a corrections file opens. Until the term
ends the lawyer (or a colleague of the firm) adds corrections per answer, additions and
attachments; each change names the file's version it was based on, so two people
editing at once cannot overwrite each other silently. Then the lawyer sends the file,
or declares there is nothing to correct, or the term runs out; the case moves on.
"""

import hashlib
import uuid
from collections.abc import Sequence

import filetype
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service import procedure
from service.cases.access import require_own_client
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.core.formatting import in_english
from service.core.i18n import N_
from service.core.settings import get_settings
from service.core.uploads import clean_filename
from service.corrections.exceptions import (
    AttachmentRefused,
    CorrectionsClosed,
    InvalidCorrection,
    TermExpired,
    TooManyAttachments,
    VersionConflict,
)
from service.corrections.schemas import CorrectionItemIn, CorrectionsIn, Typed, Upload
from service.models.cases import Case
from service.models.corrections import Attachment, Correction, CorrectionItem
from service.questionnaires.service import answer_set_of
from service.translation import service as translation
from service.translation.items import answer_items
from service.workflow import CaseEvent, CaseState, Reason, Track, complete_file_event

# What the lawyer may attach, by the file's own first bytes (never by its name).
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}


@procedure.on_enter(CaseState.WITH_LAWYER)
def _open_file(db: Session, moves: Sequence[procedure.Move]) -> None:
    """The translated form reached the lawyer: their corrections file opens (once)."""
    ids = procedure.case_ids(moves)
    opened = set(db.scalars(select(Correction.case_id).where(Correction.case_id.in_(ids))))
    now = utcnow()
    db.add_all([Correction(case_id=case, opened_at=now) for case in ids if case not in opened])


def corrections_of_id(db: Session, case_id: uuid.UUID) -> Correction | None:
    return db.scalar(select(Correction).where(Correction.case_id == case_id))


def corrections_of(db: Session, case: Case) -> Correction | None:
    return corrections_of_id(db, case.id)


def _open_for(db: Session, case: Case, actor: Actor, event: CaseEvent) -> Correction:
    """The case's open corrections file, if this actor may still change it."""
    require_own_client(case, actor)
    file = corrections_of(db, case)
    if file is None or file.outcome is None:
        procedure.check(db, case, event)  # not with the lawyer: the workflow says what is next
    if file is not None and file.outcome == "term_expired":
        raise TermExpired(_closed_reason(file.outcome))
    if file is not None and file.outcome is not None:
        raise CorrectionsClosed(_closed_reason(file.outcome))
    if file is None or case.state is not CaseState.WITH_LAWYER:
        raise CorrectionsClosed(N_("The translated form is not with the lawyer now."))
    _check_term(case)
    return file


def _closed_reason(outcome: str) -> str:
    return {
        "sent": N_("The corrections and additions have been sent already."),
        "none": N_("You declared there is nothing to correct; the file has moved on."),
        "term_expired": N_("The term for corrections and additions has passed; the file moved on."),
    }.get(outcome, N_("The corrections file is closed."))


def _check_term(case: Case) -> None:
    if case.corrections_due_at is not None and case.corrections_due_at <= utcnow():
        raise TermExpired(N_("The term for corrections and additions has passed."))


def _bump(db: Session, file: Correction, expected: int | None) -> None:
    """Move the file to its next version, if it is still at ``expected`` (one atomic
    UPDATE, so of two editors at once exactly one wins). ``None``: internal callers."""
    current = file.version if expected is None else expected
    result = db.execute(
        update(Correction)
        .where(Correction.id == file.id, Correction.version == current)
        .values(version=current + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.refresh(file)
        why = N_(
            "Someone else changed these corrections since you loaded them (you had version "
            "%(had)s, it is now %(now)s). Reload, check their changes, and try again."
        )
        raise VersionConflict(in_english(why, had=current, now=file.version))
    db.refresh(file)


def _add_items(
    db: Session, case: Case, actor: Actor, typed: CorrectionsIn, expected_version: int | None
) -> None:
    """Add corrections and additions, attributed and timestamped; nothing is replaced."""
    file = _open_for(db, case, actor, CaseEvent.RECEIVE_CORRECTIONS)
    _check_answer_keys(db, case, typed.items)
    _bump(db, file, expected_version)
    now = utcnow()
    start = len(items_of(db, file))
    db.add_all(
        CorrectionItem(
            correction_id=file.id,
            position=start + index,
            kind=item.kind,
            answer_key=item.answer_key,
            text=item.text,
            author_id=actor.user_id,
            created_at=now,
        )
        for index, item in enumerate(typed.items)
    )
    db.flush()
    translation.texts_changed(db, case.id)  # the lawyer's words are matched too


def _check_answer_keys(db: Session, case: Case, items: list[CorrectionItemIn]) -> None:
    answer_set = answer_set_of(db, case)
    known = {item.key for item in answer_items(answer_set)} if answer_set else set()
    unknown = sorted({i.answer_key for i in items if i.answer_key and i.answer_key not in known})
    if unknown:
        why = N_("Not answers of this form: %(questions)s.")
        raise InvalidCorrection(in_english(why, questions=", ".join(unknown)))


def sniff(data: bytes) -> str:
    """The media type by the file's magic bytes; refuse anything but PDF, JPEG, PNG."""
    kind = filetype.guess(data)
    media_type = kind.mime if kind else None
    if media_type not in ALLOWED_TYPES:
        if kind is None:
            raise AttachmentRefused(
                N_(
                    "Attach a PDF, JPEG or PNG file; this one is not a recognised file type "
                    "(judged by its content)."
                )
            )
        why = N_(
            "Attach a PDF, JPEG or PNG file; this one is a %(kind)s file (judged by its content)."
        )
        raise AttachmentRefused(in_english(why, kind=kind.extension.upper()))
    return str(media_type)


def _add_attachment(
    db: Session, case: Case, actor: Actor, upload: Upload, expected_version: int | None
) -> None:
    filename, data = upload
    limit = get_settings().attachment_max_bytes
    if len(data) > limit:
        why = N_("An attachment may be at most %(megabytes)s MB.")
        raise AttachmentRefused(in_english(why, megabytes=limit // 2**20))
    if not data:
        raise AttachmentRefused("The file is empty.")
    media_type = sniff(data)
    file = _open_for(db, case, actor, CaseEvent.RECEIVE_CORRECTIONS)
    _check_room(db, file, len(data))
    _bump(db, file, expected_version)
    attachment = Attachment(
        correction_id=file.id,
        filename=clean_filename(filename),
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        author_id=actor.user_id,
        created_at=utcnow(),
    )
    db.add(attachment)
    db.flush()


def _check_room(db: Session, file: Correction, size: int) -> None:
    """At most ``attachments_per_case`` files and ``attachments_max_total_bytes`` in all."""
    settings = get_settings()
    count, total = db.execute(
        select(func.count(Attachment.id), func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.correction_id == file.id
        )
    ).one()
    if count >= settings.attachments_per_case:
        why = N_(
            "This case holds %(count)s attachments, the most it may hold; "
            "combine documents into one PDF, or send the corrections as they are."
        )
        raise TooManyAttachments(in_english(why, count=count))
    limit = settings.attachments_max_total_bytes
    if total + size > limit:
        why = N_(
            "The attachments of a case may be at most %(megabytes)s MB together; "
            "%(attached)s MB are attached and this file is %(size)s MB."
        )
        raise TooManyAttachments(
            in_english(
                why,
                megabytes=limit // 2**20,
                attached=f"{total / 2**20:.1f}",
                size=f"{size / 2**20:.1f}",
            )
        )


# --- the lawyer's actions: each one function, called by the API and by the page alike ---


def save(db: Session, actor: Actor, case: Case, typed: Typed) -> Correction:
    """Save what the lawyer typed and chose: the items, then the attachment (each moves
    the file to its next version). Refused when there is nothing to save."""
    if typed.nothing():
        raise InvalidCorrection(N_("Type a correction or an addition first."))
    version = typed.version
    if typed.corrections is not None:
        _add_items(db, case, actor, typed.corrections, version)
        version = None  # the items moved the file on; the attachment follows them
    if typed.upload is not None:
        _add_attachment(db, case, actor, typed.upload, version)
    return _file(db, case)


def attach(db: Session, actor: Actor, case: Case, typed: Typed) -> Correction:
    """Attach a file (and save what was typed beside it)."""
    if typed.upload is None:
        raise AttachmentRefused(N_("Choose a file to attach."))
    return save(db, actor, case, typed)


def submit(db: Session, actor: Actor, case: Case, typed: Typed) -> Correction:
    """Send the file to the IND with what is typed and chosen now (if anything): what the
    lawyer typed is never left behind when they press send. The case goes to decision."""
    version = typed.version
    if not typed.nothing():
        save(db, actor, case, typed)
        version = None
    file = _open_for(db, case, actor, CaseEvent.RECEIVE_CORRECTIONS)
    count = len(items_of(db, file)) + len(attachments_of(db, file))
    if not count:
        raise InvalidCorrection(
            N_(
                "There is nothing to send yet: add corrections or additions, or declare "
                "that there is nothing to correct."
            )
        )
    _bump(db, file, version)
    procedure.advance(
        db,
        case,
        CaseEvent.RECEIVE_CORRECTIONS,
        actor,
        Reason.step(N_("%(count)s correction(s)/addition(s) from the lawyer"), count=count),
    )
    _close(file, "sent", actor)
    _route(db, case)
    return file


def none_to_add(db: Session, actor: Actor, case: Case, typed: Typed) -> Correction:
    """The lawyer has nothing to correct: the file goes to decision at once. Refused
    while anything is typed or chosen (declaring "nothing" would drop it) or saved."""
    if not typed.nothing():
        raise InvalidCorrection(
            N_("You typed corrections or chose a file: send them, or clear the fields first.")
        )
    file = _open_for(db, case, actor, CaseEvent.NO_CORRECTIONS)
    if items_of(db, file) or attachments_of(db, file):
        raise CorrectionsClosed(
            N_("This file already holds corrections or additions; send them instead.")
        )
    _bump(db, file, typed.version)
    procedure.advance(
        db, case, CaseEvent.NO_CORRECTIONS, actor, Reason.step(N_("the lawyer has no corrections"))
    )
    _close(file, "none", actor)
    _route(db, case)
    return file


def _file(db: Session, case: Case) -> Correction:
    return db.scalars(select(Correction).where(Correction.case_id == case.id)).one()


def _close(file: Correction, outcome: str, actor: Actor | None) -> None:
    file.outcome = outcome
    file.closed_at = utcnow()
    file.closed_by_id = actor.user_id if actor else None


def _route(db: Session, case: Case) -> None:
    event = complete_file_event(Track(case.track) if case.track else None)
    reason = {
        CaseEvent.ROUTE_TO_DECISION: N_("complete file routed to decision"),
        CaseEvent.HAND_OVER_TO_HEARING: N_(
            "kansarm: the written answers prepare the physical hearing"
        ),
    }[event]
    procedure.advance(db, case, event, SYSTEM, Reason.step(reason))


def overdue_terms(db: Session) -> Sequence[uuid.UUID]:
    """Cases with the lawyer whose corrections term has passed (the sweep fans out)."""
    return db.scalars(
        select(Case.id).where(
            Case.state == CaseState.WITH_LAWYER, Case.corrections_due_at <= utcnow()
        )
    ).all()


def expire_term(db: Session, case_id: uuid.UUID) -> bool:
    """Close a passed corrections term and route the file. Idempotent. What the lawyer
    added before the term ended stays in the file and goes with it."""
    case = db.get_one(Case, case_id)
    if case.state is not CaseState.WITH_LAWYER:
        return False
    if case.corrections_due_at is None or case.corrections_due_at > utcnow():
        return False
    procedure.advance(
        db,
        case,
        CaseEvent.EXPIRE_CORRECTIONS_TERM,
        SYSTEM,
        Reason.step(N_("no reply within the term")),
    )
    file = corrections_of(db, case)
    if file is not None and file.outcome is None:
        _close(file, "term_expired", None)
    _route(db, case)
    return True


def items_of(db: Session, file: Correction) -> Sequence[CorrectionItem]:
    return db.scalars(
        select(CorrectionItem)
        .where(CorrectionItem.correction_id == file.id)
        .order_by(CorrectionItem.position)
    ).all()


def attachments_of(db: Session, file: Correction) -> Sequence[Attachment]:
    return db.scalars(
        select(Attachment)
        .where(Attachment.correction_id == file.id)
        .order_by(Attachment.created_at, Attachment.id)
    ).all()
