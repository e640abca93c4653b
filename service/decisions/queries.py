"""Reads for decision officers: who may take what, the queue's order, the layers of a
file (answers, translation, corrections) and handling time.

Each layer has ONE query function, so the translation and corrections domains can take
them over without touching the pages."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, selectinload

from service.core.actor import Actor
from service.core.clock import utcnow
from service.corrections import queries as corrections
from service.models.auth import Role, User
from service.models.cases import Case, CaseEventRow, in_state
from service.models.corrections import ItemKind
from service.models.decisions import OfficerProfile, Team, WorkInterval
from service.models.questionnaires import AnswerSet
from service.models.translation import Translation
from service.workflow import CaseEvent, CaseState

# --- officers --------------------------------------------------------------------------


def profile_of(db: Session, user_id: uuid.UUID | None) -> OfficerProfile | None:
    """An officer's skills and team; an officer without one is a generalist."""
    return None if user_id is None else db.get(OfficerProfile, user_id)


@dataclass(frozen=True)
class Skills:
    """What an officer may take (the profile's skills), as a value: the same skills
    give the same statements, so "take next" builds its statement once per set."""

    nationalities: tuple[str, ...]
    languages: tuple[str, ...]
    lgbti_experience: bool
    conversion_experience: bool


# Built once: "take next" reads the skills on every press.
_SKILLS = select(
    OfficerProfile.nationalities,
    OfficerProfile.languages,
    OfficerProfile.lgbti_experience,
    OfficerProfile.conversion_experience,
).where(OfficerProfile.user_id == bindparam("user_id"))


def skills_of(db: Session, user_id: uuid.UUID | None) -> Skills | None:
    """The officer's skills in one plain read (no ORM object); None: a generalist."""
    if user_id is None:
        return None
    row = db.connection().execute(_SKILLS, {"user_id": user_id}).first()
    if row is None:
        return None
    return Skills(
        tuple(sorted(row.nationalities or ())),
        tuple(sorted(row.languages or ())),
        row.lgbti_experience,
        row.conversion_experience,
    )


def team_members(db: Session, team_id: uuid.UUID) -> Sequence[User]:
    return db.scalars(
        select(User)
        .join(OfficerProfile, OfficerProfile.user_id == User.id)
        .where(OfficerProfile.team_id == team_id, User.active)
        .order_by(User.display_name)
    ).all()


def team_of(db: Session, profile: OfficerProfile | None) -> Team | None:
    return None if profile is None or profile.team_id is None else db.get(Team, profile.team_id)


# --- the queue ---------------------------------------------------------------------------


def _json_lists(column: Any, value: str) -> ColumnElement[bool]:
    """A JSON list column holds ``value`` (portable: SQLite and PostgreSQL store the text)."""
    return cast(column, Text).like(f'%"{value}"%')


def takeable(profile: OfficerProfile | Skills | None) -> list[ColumnElement[bool]]:
    """The officer's skills as conditions on a case (no state condition)."""
    if profile is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if profile.nationalities:
        conditions.append(Case.nationality.in_(profile.nationalities))
    if profile.languages:
        conditions.append(or_(*[_json_lists(Case.languages, code) for code in profile.languages]))
    if not profile.lgbti_experience:
        conditions.append(not_(_json_lists(Case.coordinator_motives, "lgbti")))
    if not profile.conversion_experience:
        conditions.append(not_(_json_lists(Case.coordinator_motives, "conversion")))
    return conditions


def takeable_by(holder: Any) -> ColumnElement[bool]:
    """``takeable`` of the officer ``holder`` (a bound id), read by the database itself
    from their profile in the statement that uses it (PostgreSQL's JSON functions), so
    "take next" sends no read of the skills before its pick. The same conditions: a
    generalist (no profile) may take any file; an empty list of nationalities or
    languages means any; the JSON lists are matched as ``_json_lists`` matches them."""
    profile = OfficerProfile
    nationalities = func.json_array_elements_text(profile.nationalities).table_valued("value")
    languages = func.json_array_elements_text(profile.languages).table_valued("value")
    quoted = literal('%"') + languages.c.value + literal('"%')
    fits = and_(
        or_(
            func.json_array_length(profile.nationalities) == 0,
            Case.nationality.in_(select(nationalities.c.value)),
        ),
        or_(
            func.json_array_length(profile.languages) == 0,
            exists()
            .select_from(languages)
            .where(cast(Case.languages, Text).like(quoted))
            .correlate(Case),
        ),
        or_(profile.lgbti_experience, not_(_json_lists(Case.coordinator_motives, "lgbti"))),
        or_(
            profile.conversion_experience,
            not_(_json_lists(Case.coordinator_motives, "conversion")),
        ),
    )
    of_holder = profile.user_id == holder
    return or_(~exists().where(of_holder), exists().where(of_holder, fits))


def queue_order() -> list[Any]:
    """Six-week deadline first, then the age of the application.

    Re-point to the terms domain's deadline (issue 7) when it lands."""
    return [Case.target_date.asc().nulls_last(), Case.date_of_application, Case.ready_at]


def queue(db: Session, profile: OfficerProfile | None, limit: int) -> Sequence[Case]:
    """Files ready for decision that this officer may take, most urgent first."""
    return db.scalars(
        select(Case)
        .options(selectinload(Case.signals))
        .where(in_state(CaseState.READY_FOR_DECISION), *takeable(profile))
        .order_by(*queue_order())
        .limit(limit)
    ).all()


def queue_for(db: Session, reader: Actor, limit: int) -> Sequence[Case]:
    """The queue as ``reader`` sees it: an officer the files they may take, an admin all."""
    profile = profile_of(db, reader.user_id) if reader.is_(Role.OFFICER) else None
    return queue(db, profile, limit)


def claims_of(db: Session, officer_id: uuid.UUID | None) -> Sequence[Case]:
    return db.scalars(
        select(Case)
        .where(
            Case.claimed_by_id == officer_id,
            Case.state.in_([CaseState.CLAIMED, CaseState.IN_REVIEW]),
        )
        .order_by(*queue_order())
    ).all()


def team_claims(db: Session, team_id: uuid.UUID) -> Sequence[tuple[Case, User]]:
    rows = db.execute(
        select(Case, User)
        .join(User, User.id == Case.claimed_by_id)
        .join(OfficerProfile, OfficerProfile.user_id == User.id)
        .where(OfficerProfile.team_id == team_id, Case.state == CaseState.CLAIMED)
        .order_by(Case.lease_expires_at)
    ).all()
    return [(c, u) for c, u in rows]


# --- the layers of a file ----------------------------------------------------------------


def answers_layer(db: Session, case_id: uuid.UUID) -> AnswerSet | None:
    """The applicant's own answers (the first layer)."""
    return db.scalar(select(AnswerSet).where(AnswerSet.case_id == case_id))


def translation_layer(db: Session, case_id: uuid.UUID) -> Translation | None:
    """The agency's Dutch translation, once delivered (re-point to issue 9's layers)."""
    return db.scalar(
        select(Translation).where(
            Translation.case_id == case_id, Translation.delivered_at.is_not(None)
        )
    )


@dataclass
class LayeredAnswer:
    """One question with every layer, each marked with who wrote it."""

    question_id: str
    label: str
    original: str
    translation: str | None = None
    corrections: list[dict[str, str]] = field(default_factory=list)
    # A spoken answer: the recording (GET /cases/{id}/recordings/{question_id}) and
    # the agency's transcription in the applicant's language.
    spoken: bool = False
    transcription: str | None = None
    # Assisted filling: the role of the helper who typed it; blank: the applicant.
    typed_by: str = ""


@dataclass
class Layers:
    language: str | None
    answered_at: datetime | None
    translated_by: str | None
    translated_at: datetime | None
    corrected_by: str | None
    corrected_at: datetime | None
    items: list[LayeredAnswer]
    # Additions that belong to no single question.
    general_additions: list[dict[str, str]]
    # Assisted filling: the role of the helper who could type for the applicant.
    assisted_by: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "answered_at": self.answered_at,
            "translated_by": self.translated_by,
            "translated_at": self.translated_at,
            "corrected_by": self.corrected_by,
            "corrected_at": self.corrected_at,
            "items": [vars(i) for i in self.items],
            "general_additions": self.general_additions,
            "assisted_by": self.assisted_by,
        }


def _name(db: Session, user_id: uuid.UUID | None) -> str | None:
    user = db.get(User, user_id) if user_id else None
    return user.display_name if user else None


def layers_of(db: Session, case_id: uuid.UUID, reader_language: str = "nl") -> Layers:
    """Every layer of the file, from the corrections domain's one view of them."""
    answered = answers_layer(db, case_id)
    translated = translation_layer(db, case_id)
    file = corrections.layers(db, db.get_one(Case, case_id))
    items = [
        LayeredAnswer(
            a.key,
            a.question_nl if reader_language == "nl" else a.question,
            a.answer,
            a.translation,
            [_entry(remark) for remark in a.corrections],
            a.spoken,
            a.transcription,
            a.typed_by,
        )
        for a in file.answers
    ]
    remarks = [*(r for a in file.answers for r in a.corrections), *file.additions]
    latest = max(remarks, key=lambda r: r.at) if remarks else None
    return Layers(
        language=answered.language if answered else None,
        answered_at=answered.submitted_at if answered else None,
        translated_by=_name(db, translated.translator_id) if translated else None,
        translated_at=translated.delivered_at if translated else None,
        corrected_by=latest.author if latest else None,
        corrected_at=latest.at if latest else None,
        items=items,
        general_additions=[_entry(remark) for remark in file.additions],
        assisted_by=file.assisted_by,
    )


def _entry(remark: corrections.Remark) -> dict[str, str]:
    kind = "addition" if remark.kind == ItemKind.ADDITION else "correction"
    return {"kind": kind, "about": str(remark.kind), "text": remark.text, "author": remark.author}


# --- handling time -----------------------------------------------------------------------


@dataclass(frozen=True)
class HandlingTime:
    active_minutes: float
    calendar_minutes: float | None
    intervals: int


def handling_time(db: Session, case: Case, officer_id: uuid.UUID | None = None) -> HandlingTime:
    """Active minutes (every officer, or one) beside the calendar time since the file was
    ready (the applicant's wait for the decision)."""
    query = select(WorkInterval).where(WorkInterval.case_id == case.id)
    if officer_id is not None:
        query = query.where(WorkInterval.officer_id == officer_id)
    intervals = db.scalars(query).all()
    active = sum((i.last_seen_at - i.started_at).total_seconds() for i in intervals) / 60
    calendar = None
    if case.ready_at is not None:
        calendar = ((case.decided_at or utcnow()) - case.ready_at).total_seconds() / 60
    return HandlingTime(
        round(active, 2), None if calendar is None else round(calendar, 2), len(intervals)
    )


def count_ready(db: Session) -> int:
    return int(
        db.scalar(
            select(func.count()).select_from(Case).where(in_state(CaseState.READY_FOR_DECISION))
        )
        or 0
    )


# --- the planner's watch on decisions ------------------------------------------------------

HELD = (CaseState.CLAIMED, CaseState.IN_REVIEW)


@dataclass(frozen=True)
class TeamQueue:
    team: Team
    members: int
    ready: int  # ready files a member of the team may take


def ready_per_team(db: Session) -> list[TeamQueue]:
    """Per team, how many ready files its members may take (their skills decide)."""
    result = []
    for team in db.scalars(select(Team).order_by(Team.name)):
        profiles = db.scalars(
            select(OfficerProfile)
            .join(User, User.id == OfficerProfile.user_id)
            .where(OfficerProfile.team_id == team.id, User.active)
        ).all()
        ready = 0
        if profiles:
            anyone = or_(*[and_(true(), *takeable(p)) for p in profiles])
            ready = int(
                db.scalar(
                    select(func.count())
                    .select_from(Case)
                    .where(in_state(CaseState.READY_FOR_DECISION), anyone)
                )
                or 0
            )
        result.append(TeamQueue(team, len(profiles), ready))
    return result


def held_decisions(
    db: Session, limit: int = 500
) -> Sequence[tuple[Case, User, Team | None, datetime | None]]:
    """Files an officer holds (claimed or in review): who, in which team, since when."""
    since = (
        select(func.max(CaseEventRow.at))
        .where(
            CaseEventRow.case_id == Case.id,
            CaseEventRow.event.in_([CaseEvent.CLAIM.value, CaseEvent.REASSIGN.value]),
        )
        .correlate(Case)
        .scalar_subquery()
    )
    rows = db.execute(
        select(Case, User, Team, since)
        .join(User, User.id == Case.claimed_by_id)
        .outerjoin(OfficerProfile, OfficerProfile.user_id == User.id)
        .outerjoin(Team, Team.id == OfficerProfile.team_id)
        .where(Case.state.in_(HELD))
        .order_by(Team.name, User.display_name, *queue_order())
        .limit(limit)
    ).all()
    return [(c, u, t, s) for c, u, t, s in rows]


def overdue_decisions(db: Session, today: date, limit: int = 500) -> Sequence[Case]:
    """Files waiting for or under decision past their six-week target date."""
    return db.scalars(
        select(Case)
        .where(
            Case.state.in_([CaseState.READY_FOR_DECISION, *HELD]),
            Case.target_date < today,
        )
        .order_by(*queue_order())
        .limit(limit)
    ).all()
