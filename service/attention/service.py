"""Attention points: unit 1F's versioned indicator lists, matching a case's answers
against the lists in force, and a person's handling of each hit.

A point is never an exclusion. A person either raises a signal from it (which pulls the
case out through the engine, as every NV/1F signal does: ``cases.service.add_signal``)
or dismisses it with a reason; both are events on the case, which only staff read
(``service/fields.py``). The answers are matched whenever their texts change: each
delivery of the translation, first or corrected, and each correction of the lawyer (the
subscriber to ``translation.texts_changed`` below).
"""

import hashlib
import threading
import uuid
from collections.abc import Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import procedure
from service.attention.exceptions import (
    DuplicateList,
    EmptyDraft,
    IndicatorNotFound,
    ListNotFound,
    PointHandled,
    PointNotFound,
    VersionPublished,
)
from service.attention.matching import Entry, Matcher, Period
from service.attention.schemas import DismissIn, IndicatorIn, ListIn, PointSignalIn, PublishIn
from service.auth.digest import digest
from service.cases import service as cases
from service.cases.schemas import SignalIn
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.i18n import N_
from service.core.settings import get_settings
from service.corrections.queries import layers
from service.models.attention import (
    DISMISSED_EVENT,
    SIGNALLED_EVENT,
    AnswerText,
    AttentionPoint,
    Indicator,
    IndicatorKind,
    IndicatorList,
    IndicatorListVersion,
    PointStatus,
)
from service.models.cases import Case
from service.translation import service as translation
from service.workflow import Reason

# The source a signal raised from a point names (signals are staff-only).
POINT_SOURCE = "attention point (unit 1F indicator list)"

# --- the lists -------------------------------------------------------------------------


def lists(db: Session) -> Sequence[IndicatorList]:
    return db.scalars(select(IndicatorList).order_by(IndicatorList.name)).all()


def list_by_id(db: Session, list_id: uuid.UUID) -> IndicatorList:
    found = db.get(IndicatorList, list_id)
    if found is None:
        raise ListNotFound(N_("There is no such indicator list."))
    return found


def indicator_by_id(db: Session, indicator_id: uuid.UUID) -> Indicator:
    found = db.get(Indicator, indicator_id)
    if found is None:
        raise IndicatorNotFound(N_("There is no such indicator."))
    return found


def versions_of(
    db: Session, indicator_list: IndicatorList, limit: int | None = None, offset: int = 0
) -> Sequence[IndicatorListVersion]:
    return db.scalars(
        select(IndicatorListVersion)
        .where(IndicatorListVersion.list_id == indicator_list.id)
        .order_by(IndicatorListVersion.number.desc())
        .limit(limit)
        .offset(offset)
    ).all()


def draft_of(db: Session, indicator_list: IndicatorList) -> IndicatorListVersion | None:
    return db.scalar(
        select(IndicatorListVersion).where(
            IndicatorListVersion.list_id == indicator_list.id,
            IndicatorListVersion.published_at.is_(None),
        )
    )


def published_of(db: Session, indicator_list: IndicatorList) -> IndicatorListVersion | None:
    """The list's version in force: its latest published one."""
    return db.scalar(
        select(IndicatorListVersion)
        .where(
            IndicatorListVersion.list_id == indicator_list.id,
            IndicatorListVersion.published_at.is_not(None),
        )
        .order_by(IndicatorListVersion.number.desc())
        .limit(1)
    )


def indicators_of(db: Session, version: IndicatorListVersion) -> Sequence[Indicator]:
    return db.scalars(
        select(Indicator)
        .where(Indicator.version_id == version.id)
        .order_by(Indicator.kind, Indicator.text)
    ).all()


def create_list(db: Session, actor: Actor, body: ListIn) -> IndicatorList:
    """A new list, with an empty draft (version 1) to fill."""
    if db.scalar(select(IndicatorList.id).where(IndicatorList.name == body.name)):
        raise DuplicateList(N_("A list with this name exists already."), field="name")
    created = IndicatorList(name=body.name, keeper=body.keeper, created_by_id=actor.user_id)
    db.add(created)
    db.flush()
    db.add(IndicatorListVersion(list_id=created.id, number=1, created_by_id=actor.user_id))
    db.flush()
    return created


def start_draft(db: Session, actor: Actor, indicator_list: IndicatorList) -> IndicatorListVersion:
    """The list's draft: the open one, or a new version holding a copy of the published
    one's indicators (each keeps who added it, when and why)."""
    draft = draft_of(db, indicator_list)
    if draft is not None:
        return draft
    current = published_of(db, indicator_list)
    number = (current.number if current else 0) + 1
    draft = IndicatorListVersion(
        list_id=indicator_list.id, number=number, created_by_id=actor.user_id
    )
    db.add(draft)
    db.flush()
    for row in indicators_of(db, current) if current else ():
        db.add(
            Indicator(
                version_id=draft.id,
                kind=row.kind,
                language=row.language,
                text=row.text,
                text_nl=row.text_nl,
                variants=list(row.variants),
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                reason=row.reason,
                added_by_id=row.added_by_id,
                added_at=row.added_at,
            )
        )
    db.flush()
    return draft


def add_indicator(
    db: Session, actor: Actor, indicator_list: IndicatorList, body: IndicatorIn
) -> Indicator:
    """Add an indicator to the list's draft (started when there is none)."""
    draft = start_draft(db, actor, indicator_list)
    row = Indicator(
        version_id=draft.id,
        kind=body.kind.value,
        language=body.language,
        text=body.text,
        text_nl=body.text_nl,
        variants=[v.strip() for v in body.variants if v.strip()],
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        reason=body.reason,
        added_by_id=actor.user_id,
    )
    db.add(row)
    db.flush()
    return row


def _require_draft(db: Session, version_id: uuid.UUID) -> IndicatorListVersion:
    version = db.get_one(IndicatorListVersion, version_id)
    if version.published:
        raise VersionPublished(
            N_("This version is published and never changes: change the list's draft.")
        )
    return version


def remove_indicator(db: Session, actor: Actor, indicator: Indicator) -> None:
    """Take an indicator out of a draft (a published version keeps it for ever)."""
    _require_draft(db, indicator.version_id)
    db.delete(indicator)
    db.flush()


def publish(
    db: Session, actor: Actor, indicator_list: IndicatorList, body: PublishIn
) -> IndicatorListVersion:
    """Publish the draft: from now on the answers are matched against it, and it never
    changes again."""
    draft = draft_of(db, indicator_list)
    if draft is None:
        raise EmptyDraft(N_("There is no draft to publish."))
    if not indicators_of(db, draft):
        raise EmptyDraft(N_("Add an indicator before publishing."))
    assert actor.user_id is not None
    draft.published_at = utcnow()
    draft.published_by_id = actor.user_id
    draft.note = body.note
    db.flush()
    return draft


# --- matching --------------------------------------------------------------------------


def versions_in_force(db: Session) -> list[IndicatorListVersion]:
    """The latest published version of every list."""
    latest = (
        select(IndicatorListVersion.list_id, func.max(IndicatorListVersion.number).label("n"))
        .where(IndicatorListVersion.published_at.is_not(None))
        .group_by(IndicatorListVersion.list_id)
        .subquery()
    )
    return list(
        db.scalars(
            select(IndicatorListVersion)
            .join(
                latest,
                (latest.c.list_id == IndicatorListVersion.list_id)
                & (latest.c.n == IndicatorListVersion.number),
            )
            .order_by(IndicatorListVersion.id)
        )
    )


def matcher_of(rows: Sequence[Indicator]) -> Matcher:
    """The automaton of a set of indicators: each text, its Dutch and its variants."""
    patterns: list[tuple[str, Entry]] = []
    periods: list[Period] = []
    for row in rows:
        entry = Entry(row.id, row.version_id, row.kind)
        if row.kind == IndicatorKind.PERIOD:
            # A period is matched by the dates written in the answers, not by its name.
            if row.valid_from and row.valid_to:
                periods.append(Period(row.valid_from, row.valid_to, entry))
            continue
        patterns.extend((text, entry) for text in (row.text, row.text_nl, *row.variants) if text)
    return Matcher(patterns, periods)


# A published version never changes, so its automaton is built once per process.
_matchers: dict[tuple[uuid.UUID, ...], Matcher] = {}
_building = threading.Lock()


def matcher_in_force(db: Session) -> Matcher | None:
    versions = tuple(v.id for v in versions_in_force(db))
    if not versions:
        return None
    with _building:
        found = _matchers.get(versions)
        if found is None:
            rows = db.scalars(select(Indicator).where(Indicator.version_id.in_(versions))).all()
            found = _matchers[versions] = matcher_of(rows)
            for stale in [k for k in _matchers if k != versions]:
                del _matchers[stale]
        return found


def texts_of(db: Session, case: Case) -> Iterator[tuple[str, AnswerText, str]]:
    """Every text of the file to match: each answer in the applicant's script (a spoken
    one as transcribed), its Dutch translation, and the lawyer's corrections and additions."""
    file = layers(db, case)
    for answer in file.answers:
        yield answer.key, AnswerText.ORIGINAL, answer.answer
        if answer.transcription:  # a spoken answer, written down in the applicant's script
            yield answer.key, AnswerText.ORIGINAL, answer.transcription
        if answer.translation:
            yield answer.key, AnswerText.TRANSLATION, answer.translation
        for remark in answer.corrections:
            yield answer.key, AnswerText.CORRECTION, remark.text
    for remark in file.additions:
        yield "", AnswerText.CORRECTION, remark.text


def fingerprint(key: str, kind: str, term: str, start: int, end: int, text: str) -> str:
    """The same hit in the same text: the same point, whichever list version finds it."""
    text_digest = hashlib.sha256(text.encode()).hexdigest()
    return digest(f"{key}\x1f{kind}\x1f{term}\x1f{start}\x1f{end}\x1f{text_digest}")


def match_case(db: Session, case_id: uuid.UUID) -> list[AttentionPoint]:
    """Match the case's texts against the lists in force; a new point for each hit not
    found before (a dismissed point stays dismissed). Returns the new points."""
    matcher = matcher_in_force(db)
    if matcher is None:
        return []
    case = db.get_one(Case, case_id)
    known = set(
        db.scalars(select(AttentionPoint.fingerprint).where(AttentionPoint.case_id == case_id))
    )
    found: list[AttentionPoint] = []
    for key, kind, text in texts_of(db, case):
        for hit in matcher.find(text):
            mark = fingerprint(key, kind, hit.term, hit.start, hit.end, text)
            if mark in known:
                continue
            known.add(mark)
            found.append(
                AttentionPoint(
                    case_id=case_id,
                    answer_key=key,
                    text_kind=kind.value,
                    span_start=hit.start,
                    span_end=hit.end,
                    excerpt=text[hit.start : hit.end],
                    indicator_id=hit.entry.indicator_id,
                    version_id=hit.entry.version_id,
                    fingerprint=mark,
                    status=PointStatus.OPEN,
                )
            )
    db.add_all(found)
    db.flush()
    return found


@translation.on_texts_changed
def _match_answers(db: Session, case_id: uuid.UUID) -> None:
    """Match the case's texts (each delivery of the translation, first or corrected, and
    each correction of the lawyer) against unit 1F's indicator lists in force: each new
    hit an open attention point, never an exclusion."""
    match_case(db, case_id)


def v_number_of(db: Session, point: AttentionPoint) -> str:
    return db.get_one(Case, point.case_id).v_number


def list_of_version(db: Session, version_id: uuid.UUID) -> uuid.UUID:
    return db.get_one(IndicatorListVersion, version_id).list_id


def review_by_unit_1f() -> bool:
    """Whether unit 1F gets every open point as a review task (a setting)."""
    return get_settings().attention_review_by_unit_1f


# --- handling a point ------------------------------------------------------------------


def point_by_id(db: Session, point_id: uuid.UUID) -> AttentionPoint:
    found = db.get(AttentionPoint, point_id)
    if found is None:
        raise PointNotFound(N_("There is no such attention point."))
    return found


def _require_open(point: AttentionPoint) -> None:
    if point.status != PointStatus.OPEN:
        raise PointHandled(N_("This attention point has been handled already."))


def _handled(point: AttentionPoint, actor: Actor, status: PointStatus, reason: str) -> None:
    point.status = status.value
    point.reason = reason
    point.handled_at = utcnow()
    point.handled_by_id = actor.user_id
    point.handled_role = actor.role


def dismiss(db: Session, actor: Actor, point: AttentionPoint, body: DismissIn) -> AttentionPoint:
    """Not a signal: the point is closed with the reason why, as an event on the case."""
    _require_open(point)
    _handled(point, actor, PointStatus.DISMISSED, body.reason)
    db.flush()
    case = db.get_one(Case, point.case_id)
    why = Reason.internal(N_("attention point dismissed: %(reason)s"), reason=body.reason)
    procedure.record(db, case, DISMISSED_EVENT, actor, why)
    return point


def raise_signal(
    db: Session, actor: Actor, point: AttentionPoint, body: PointSignalIn
) -> AttentionPoint:
    """A person finds an NV/1F signal in the point: the case leaves the written track
    through the engine, exactly as any other signal (``cases.service.add_signal``)."""
    _require_open(point)
    case = db.get_one(Case, point.case_id)
    why = Reason.internal(
        N_("signal raised from an attention point: %(reason)s"), reason=body.reason
    )
    procedure.record(db, case, SIGNALLED_EVENT, actor, why)
    signal = cases.add_signal(
        db, case, SignalIn(kind=body.kind, source=POINT_SOURCE, reason=body.reason), actor
    )
    _handled(point, actor, PointStatus.SIGNALLED, body.reason)
    point.signal_id = signal.id
    db.flush()
    return point
