"""What the service measured over the last weeks: the forecast's defaults, each with
where it came from (a sentence with its values, shown on the page and in the API)."""

import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.core.i18n import N_
from service.forecast.simulation import Step
from service.models.auth import Role, User
from service.models.cases import Case
from service.models.decisions import Decision, OfficerProfile, Team
from service.models.invitations import Invitation, InvitationStatus
from service.models.sessions import HearingSession, Location
from service.models.terms import TermStep
from service.models.translation import Agency, Translation
from service.terms.service import current_policy
from service.workflow import CaseState

# "The last weeks": what happened in this many weeks before today.
WEEKS_MEASURED = 8
# Sessions are planned ahead: those of the last weeks and the weeks already planned.
WEEKS_PLANNED_AHEAD = 4
# Where nothing was measured, the Taskforce's lawyer consent (DOMAIN.md, Tabel 4) ...
TASKFORCE_CONSENT_PERCENT = 42.0
# ... and a nominal pace for an officer (no decisions recorded yet).
ASSUMED_DECISIONS_PER_OFFICER = 5
DEFAULT_SEATS_PER_SESSION = 20
# Calendar days per working day (a term of 10 working days is two weeks).
CALENDAR_PER_WORKING_DAY = 7 / 5
NO_TEAM = "none"
NO_TEAM_NAME = N_("Officers without a team")

# The states of the stock still in the written procedure, by the forecast's step.
STEP_OF_STATE: dict[CaseState, Step] = {
    CaseState.SCREENED: Step.INVITATION,
    CaseState.INVITED: Step.INVITATION,
    CaseState.CONSENTED: Step.SESSION,
    CaseState.SCHEDULED: Step.SESSION,
    CaseState.CHECKED_IN: Step.SESSION,
    CaseState.IN_PROGRESS: Step.SESSION,
    CaseState.SUBMITTED: Step.TRANSLATION,
    CaseState.IN_TRANSLATION: Step.TRANSLATION,
    CaseState.TRANSLATED: Step.CORRECTIONS,
    CaseState.WITH_LAWYER: Step.CORRECTIONS,
    CaseState.CORRECTIONS_RECEIVED: Step.CORRECTIONS,
    CaseState.NO_CORRECTIONS: Step.CORRECTIONS,
    CaseState.CORRECTIONS_TERM_EXPIRED: Step.CORRECTIONS,
    CaseState.READY_FOR_DECISION: Step.DECISION,
    CaseState.CLAIMED: Step.DECISION,
    CaseState.IN_REVIEW: Step.DECISION,
}


@dataclass(frozen=True)
class Default:
    """A measured (or assumed) value and where it came from: a msgid and its values."""

    value: float
    source: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Capacity:
    """A resource's default: a location, an agency or a team."""

    key: str  # the location's, agency's or team's id ("none": officers without a team)
    name: str
    per_week: Default
    seats: Default | None = None  # a location's seats per session


@dataclass(frozen=True)
class Measured:
    since: datetime
    now: datetime
    stock: dict[Step, int]
    consent_percent: Default
    kansrijk_percent: Default
    reply_days: Default
    translation_days: Default
    corrections_days: Default
    locations: list[Capacity]
    agencies: list[Capacity]
    teams: list[Capacity]


def _days(spans: Iterable[tuple[datetime | None, datetime | None]]) -> list[float]:
    return [
        (end - start).total_seconds() / 86400
        for start, end in spans
        if start and end and end >= start
    ]


def _lead_time(spans: list[float], term: TermStep, source: str) -> Default:
    """The median of what was measured (``source`` says what), else the agreed term in
    calendar days."""
    if spans:
        return Default(
            round(statistics.median(spans)),
            source,
            {"count": len(spans), "weeks": WEEKS_MEASURED},
        )
    working = current_policy().working_days[term]
    return Default(
        round(working * CALENDAR_PER_WORKING_DAY),
        N_("Nothing measured yet: the agreed term of %(days)s working days."),
        {"days": working},
    )


def stock(db: Session) -> tuple[dict[Step, int], int]:
    """Cases still in the written procedure per step, and how many of them are kansrijk."""
    rows = db.execute(
        select(Case.state, Case.track, func.count())
        .where(Case.state.in_(list(STEP_OF_STATE)))
        .group_by(Case.state, Case.track)
    ).all()
    found = dict.fromkeys(Step, 0)
    replacing = 0
    for state, track, count in rows:
        found[STEP_OF_STATE[CaseState(state)]] += count
        replacing += count if track == "replacing" else 0
    return found, replacing


def _consent(db: Session, since: datetime) -> Default:
    rows = db.execute(
        select(Invitation.status, func.count())
        .where(
            Invitation.replied_at >= since,
            Invitation.status.in_(
                [InvitationStatus.CONSENTED, InvitationStatus.DECLINED, InvitationStatus.EXPIRED]
            ),
        )
        .group_by(Invitation.status)
    ).all()
    counts = {str(status): count for status, count in rows}
    answered = sum(counts.values())
    if not answered:
        return Default(
            TASKFORCE_CONSENT_PERCENT,
            N_("No replies in the last %(weeks)s weeks: the Taskforce's consent rate of 2020."),
            {"weeks": WEEKS_MEASURED},
        )
    consented = counts.get(InvitationStatus.CONSENTED, 0)
    return Default(
        round(100 * consented / answered, 1),
        N_("%(consented)s of %(answered)s invitations closed in the last %(weeks)s weeks."),
        {"consented": consented, "answered": answered, "weeks": WEEKS_MEASURED},
    )


def _locations(db: Session, now: datetime) -> list[Capacity]:
    since = now - timedelta(weeks=WEEKS_MEASURED)
    until = now + timedelta(weeks=WEEKS_PLANNED_AHEAD)
    weeks = WEEKS_MEASURED + WEEKS_PLANNED_AHEAD
    sessions = {
        location_id: (count, seats)
        for location_id, count, seats in db.execute(
            select(HearingSession.location_id, func.count(), func.avg(HearingSession.seats))
            .where(
                HearingSession.cancelled_at.is_(None),
                HearingSession.starts_at >= since,
                HearingSession.starts_at < until,
            )
            .group_by(HearingSession.location_id)
        ).all()
    }
    found = []
    for location in db.scalars(select(Location).order_by(Location.name)):
        count, seats = sessions.get(location.id, (0, None))
        if count:
            per_week = Default(
                round(count / weeks, 2),
                N_(
                    "%(count)s sessions in the last %(weeks)s weeks and the %(ahead)s "
                    "planned ahead."
                ),
                {"count": count, "weeks": WEEKS_MEASURED, "ahead": WEEKS_PLANNED_AHEAD},
            )
            size = Default(
                round(float(seats)),
                N_("The mean size of those sessions."),
            )
        else:
            per_week = Default(
                0,
                N_("No sessions in the last %(weeks)s weeks or the %(ahead)s planned ahead."),
                {"weeks": WEEKS_MEASURED, "ahead": WEEKS_PLANNED_AHEAD},
            )
            size = Default(DEFAULT_SEATS_PER_SESSION, N_("No sessions to measure: an assumption."))
        found.append(Capacity(str(location.id), location.name, per_week, size))
    return found


def _agencies(db: Session) -> list[Capacity]:
    return [
        Capacity(
            str(agency.id),
            agency.name,
            Default(
                agency.capacity_per_week,
                N_("The weekly capacity agreed with the agency (administration)."),
            ),
        )
        for agency in db.scalars(
            select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
        )
    ]


def _teams(db: Session, since: datetime) -> list[Capacity]:
    decided = dict(
        db.execute(
            select(OfficerProfile.team_id, func.count())
            .select_from(Decision)
            .join(OfficerProfile, OfficerProfile.user_id == Decision.officer_id, isouter=True)
            .where(Decision.decided_at >= since)
            .group_by(OfficerProfile.team_id)
        ).all()
    )
    # An officer without a profile is a generalist without a team.
    officers = dict(
        db.execute(
            select(OfficerProfile.team_id, func.count())
            .select_from(User)
            .join(OfficerProfile, OfficerProfile.user_id == User.id, isouter=True)
            .where(User.role == Role.OFFICER, User.active.is_(True))
            .group_by(OfficerProfile.team_id)
        ).all()
    )
    teams: list[tuple[uuid.UUID | None, str]] = [
        (team.id, team.name) for team in db.scalars(select(Team).order_by(Team.name))
    ]
    if decided.get(None) or officers.get(None):
        teams.append((None, NO_TEAM_NAME))
    found = []
    for team_id, name in teams:
        count = decided.get(team_id, 0)
        if count:
            per_week = Default(
                round(count / WEEKS_MEASURED, 2),
                N_("%(count)s decisions in the last %(weeks)s weeks."),
                {"count": count, "weeks": WEEKS_MEASURED},
            )
        else:
            people = officers.get(team_id, 0)
            per_week = Default(
                people * ASSUMED_DECISIONS_PER_OFFICER,
                N_(
                    "No decisions in the last %(weeks)s weeks: an assumed %(pace)s a week for "
                    "each of the %(officers)s officers."
                ),
                {
                    "weeks": WEEKS_MEASURED,
                    "pace": ASSUMED_DECISIONS_PER_OFFICER,
                    "officers": people,
                },
            )
        found.append(Capacity(str(team_id) if team_id else NO_TEAM, name, per_week))
    return found


def measured(db: Session, now: datetime) -> Measured:
    """Everything the forecast starts from, read in a few grouped queries."""
    since = now - timedelta(weeks=WEEKS_MEASURED)
    found, replacing = stock(db)
    total = sum(found.values())
    kansrijk = (
        Default(
            round(100 * replacing / total, 1),
            N_("%(replacing)s of the %(total)s cases in the stock are kansrijk."),
            {"replacing": replacing, "total": total},
        )
        if total
        else Default(100, N_("No stock to measure: an assumption."))
    )
    replies = db.execute(
        select(Invitation.sent_at, Invitation.replied_at).where(
            Invitation.replied_at >= since,
            Invitation.status.in_([InvitationStatus.CONSENTED, InvitationStatus.DECLINED]),
        )
    ).all()
    translations = db.execute(
        select(Translation.requested_at, Translation.delivered_at).where(
            Translation.delivered_at >= since
        )
    ).all()
    corrections = db.execute(
        select(Case.translated_at, Case.ready_at).where(Case.ready_at >= since)
    ).all()
    return Measured(
        since=since,
        now=now,
        stock=found,
        consent_percent=_consent(db, since),
        kansrijk_percent=kansrijk,
        reply_days=_lead_time(
            _days(replies),
            TermStep.INVITATION_REPLY,
            N_("The median of %(count)s lawyers' replies in the last %(weeks)s weeks."),
        ),
        translation_days=_lead_time(
            _days(translations),
            TermStep.TRANSLATION,
            N_("The median of %(count)s translations delivered in the last %(weeks)s weeks."),
        ),
        corrections_days=_lead_time(
            _days(corrections),
            TermStep.CORRECTIONS,
            N_("The median of %(count)s lawyers' corrections in the last %(weeks)s weeks."),
        ),
        locations=_locations(db, now),
        agencies=_agencies(db),
        teams=_teams(db, since),
    )
