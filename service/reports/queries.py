"""The reports' reads: plain functions over the recorded milestones, events, terms,
decisions, hand-offs and work intervals. Each takes ``(db, period)`` (or ``(db, now)``)
and returns the rows of ``schemas.py``; the replay and the capacity forecast call them
too (``by_nationality(db, period)``).

Counts only, grouped by nationality or stage: nothing here reads a name, a V-number or a
text, and the retention job keeps every column read here, so anonymised cases still
count (``service/retention``).
"""

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, func, or_, select, true
from sqlalchemy.orm import Session

from service.core.settings import get_settings
from service.models.base import UtcDateTime
from service.models.cases import Case, CaseEventRow
from service.models.decisions import (
    Decision,
    DecisionKind,
    FinalDecision,
    FinalOutcome,
    HearingHandoff,
    WorkInterval,
)
from service.models.invitations import DeclineReason, Invitation, InvitationStatus
from service.models.questionnaires import AnswerSet, VoiceRecording
from service.models.sessions import Booking
from service.models.terms import Term, TermStep
from service.reports.schemas import (
    Comparison,
    Declines,
    Flow,
    HeldStep,
    NationalityRow,
    Overdue,
    Period,
    StepTime,
    TimeReport,
    WhereReport,
)
from service.workflow import TERMINAL_STATES, CaseState

S = CaseState
START = bindparam("start", type_=UtcDateTime())
UNTIL = bindparam("until", type_=UtcDateTime())
TOTAL = "total"
SIX_WEEKS_DAYS = 42
DAY = 86400.0
# Answered invitations: the lawyer consented, declined, or let the term pass.
ANSWERED = (InvitationStatus.CONSENTED, InvitationStatus.DECLINED, InvitationStatus.EXPIRED)
# How invitations ended without consent: the lawyer's reasons first, then the rest.
NOT_RECORDED = "not_recorded"
DECLINE_GROUPS = (
    *(str(r) for r in DeclineReason),
    NOT_RECORDED,
    str(InvitationStatus.EXPIRED),
    str(InvitationStatus.CANCELLED),
    "withdrawn",
)
# The cases that went the regular way (AA-procedure) without a written hearing.
REGULAR_STATES = (S.DECLINED, S.INVITATION_EXPIRED, S.EXCLUDED)


def _in(column: Any, period: Period | None = None) -> ColumnElement[bool]:
    """In the period: its bounds, or (no period) the ``start`` / ``until`` parameters."""
    if period is None:
        return and_(column >= START, column < UNTIL)
    start, until = period.bounds
    return and_(column >= start, column < until)


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- per nationality ---------------------------------------------------------------------


def nationality_case_counts() -> Any:
    return select(
        Case.nationality,
        _count(and_(Case.track.is_not(None), _in(Case.screened_at))),
        _count(_in(Case.invited_at)),
        _count(_in(Case.submitted_at)),
    ).group_by(Case.nationality)


def nationality_replies() -> Any:
    return (
        select(
            Case.nationality,
            _count(Invitation.status.in_(ANSWERED)),
            _count(Invitation.status == InvitationStatus.CONSENTED),
        )
        .join(Case, Case.id == Invitation.case_id)
        .where(_in(Invitation.replied_at))
        .group_by(Case.nationality)
    )


def nationality_decisions() -> Any:
    on_form = Decision.outcome == S.DECIDED_ON_FORM
    return (
        select(
            Case.nationality,
            _count(on_form),
            _count(and_(on_form, Decision.kind == DecisionKind.GRANT)),
            _count(and_(on_form, Decision.kind == DecisionKind.INTENDED_REJECTION)),
        )
        .join(Case, Case.id == Decision.case_id)
        .where(_in(Decision.decided_at))
        .group_by(Case.nationality)
    )


def nationality_hearings() -> Any:
    """Physical hearings ordered by an officer or, for kansarm cases, handed over without
    a decision on the form: every one has a hand-off."""
    return (
        select(
            Case.nationality,
            func.count(),
            _count(HearingHandoff.estimated_days == 1),
            _count(HearingHandoff.estimated_days == 2),
            _count(HearingHandoff.actual_days.is_not(None)),
            _count(HearingHandoff.actual_days == 1),
            _count(HearingHandoff.actual_days >= 2),
        )
        .join(Case, Case.id == HearingHandoff.case_id)
        .where(_in(HearingHandoff.handed_over_at))
        .group_by(Case.nationality)
    )


def nationality_outcomes() -> Any:
    """The final outcomes recorded in the period (``decisions.record_final_decision``):
    after a grant on the form, or at the end of the regular procedure that followed."""
    return (
        select(
            Case.nationality,
            *[_count(FinalDecision.outcome == outcome) for outcome in FinalOutcome],
        )
        .join(Case, Case.id == FinalDecision.case_id)
        .where(_in(FinalDecision.decided_at))
        .group_by(Case.nationality)
    )


def nationality_low_literacy() -> Any:
    """Applicants checked in in low-literacy mode in the period (a moved booking is
    checked in once, so each applicant counts once)."""
    return (
        select(Case.nationality, func.count(func.distinct(Booking.case_id)))
        .join(Case, Case.id == Booking.case_id)
        .where(Booking.low_literacy.is_(True), _in(Booking.checked_in_at))
        .group_by(Case.nationality)
    )


def nationality_spoken_answers() -> Any:
    """Spoken answers (one recording per question answered by voice) made in the period."""
    return (
        select(Case.nationality, func.count())
        .select_from(VoiceRecording)
        .join(AnswerSet, AnswerSet.id == VoiceRecording.answer_set_id)
        .join(Case, Case.id == AnswerSet.case_id)
        .where(_in(VoiceRecording.recorded_at))
        .group_by(Case.nationality)
    )


def nationality_assisted() -> Any:
    """Applicants whose answers a host or interpreter could type for them (assisted
    filling, switched on with their consent in the period), apart from low literacy."""
    return (
        select(Case.nationality, func.count(func.distinct(Booking.case_id)))
        .join(Case, Case.id == Booking.case_id)
        .where(Booking.assisted_by.is_not(None), _in(Booking.assist_consent_at))
        .group_by(Case.nationality)
    )


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# The statements of the nationality table, built once: a period only binds its bounds
# (the benchmark runs the same statements as raw SQL). ``OFFSETS``: where each one's
# counts go in a row's figures (``_row``).
NATIONALITY_STATEMENTS = (
    nationality_case_counts(),
    nationality_replies(),
    nationality_decisions(),
    nationality_hearings(),
    nationality_outcomes(),
    nationality_low_literacy(),
    nationality_spoken_answers(),
    nationality_assisted(),
)
OFFSETS = (0, 3, 5, 8, 14, 18, 19, 20)
FIGURES = 21


def bounds(period: Period) -> dict[str, datetime]:
    start, until = period.bounds
    return {"start": start, "until": until}


def nationality_rows(results: Sequence[Iterable[Sequence[Any]]]) -> list[NationalityRow]:
    """The table from the statements' rows (nationality first): the nationalities with
    anything in the period, most selected first, and the total as the last row."""
    figures: dict[str, list[int]] = defaultdict(lambda: [0] * FIGURES)
    for offset, rows in zip(OFFSETS, results, strict=True):
        for nationality, *counts in rows:
            figures[nationality][offset : offset + len(counts)] = [int(c) for c in counts]
    total = [sum(column) for column in zip(*figures.values(), strict=True)] or [0] * FIGURES
    active = [(name, values) for name, values in figures.items() if any(values)]
    ordered = sorted(active, key=lambda item: (-item[1][0], -item[1][2], item[0]))
    return [_row(name, values) for name, values in [*ordered, (TOTAL, total)]]


def _row(nationality: str, f: list[int]) -> NationalityRow:
    selected, invited, held, replied, consented, on_form, on_form_grant, rejection = f[:8]
    grant, unfounded, manifestly_unfounded, inadmissible = f[14:18]
    outcomes = grant + unfounded + manifestly_unfounded + inadmissible
    return NationalityRow(
        nationality=nationality,
        selected=selected,
        invited=invited,
        replied=replied,
        consented=consented,
        consent_rate=_rate(consented, replied),
        held=held,
        decided_on_form=on_form,
        physical_hearing=f[8],
        granted_on_form=on_form_grant,
        intended_rejection=rejection,
        final_outcomes=outcomes,
        grant=grant,
        unfounded=unfounded,
        manifestly_unfounded=manifestly_unfounded,
        inadmissible=inadmissible,
        grant_rate=_rate(grant, outcomes),
        estimated_one_day=f[9],
        estimated_two_days=f[10],
        actual_recorded=f[11],
        actual_one_day=f[12],
        actual_two_days_or_more=f[13],
        low_literacy=f[18],
        spoken_answers=f[19],
        assisted_filling=f[20],
    )


RATES = ("consent_rate", "grant_rate")
COUNTS = tuple(f for f in NationalityRow.model_fields if f not in ("nationality", *RATES))


def combined(nationality: str, rows: Sequence[NationalityRow]) -> NationalityRow:
    """Several nationalities' rows as one (a group, e.g. the evaluation's "other"): the
    counts added, the rates computed again from them."""
    sums = {name: sum(getattr(row, name) for row in rows) for name in COUNTS}
    return NationalityRow(
        nationality=nationality,
        consent_rate=_rate(sums["consented"], sums["replied"]),
        grant_rate=_rate(sums["grant"], sums["final_outcomes"]),
        **sums,
    )


def by_nationality(db: Session, period: Period) -> list[NationalityRow]:
    """The evaluation's table per nationality for the period, the total last."""
    # Core statements on the unit of work's connection: counts, no entities to load.
    connection, given = db.connection(), bounds(period)
    return nationality_rows([connection.execute(q, given).all() for q in NATIONALITY_STATEMENTS])


# --- time ---------------------------------------------------------------------------------

# Calendar steps between the milestones the engine stamps with each event (the whole
# procedure: from the invitation to the decision, the six-week target).
STEPS: tuple[tuple[str, Any, Any], ...] = (
    ("reply", Case.invited_at, Case.consented_at),
    ("planning", Case.consented_at, Case.scheduled_at),
    ("session", Case.scheduled_at, Case.submitted_at),
    ("translation", Case.submitted_at, Case.translated_at),
    ("corrections", Case.translated_at, Case.ready_at),
    ("decision", Case.ready_at, Case.decided_at),
    ("whole", Case.invited_at, Case.decided_at),
)
# The whole procedure's distribution, in weeks.
BINS = (7, 14, 21, 28, 35, 42, 56, 70, 84)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def span_days(db: Session, begin: Any, end: Any) -> Any:
    """Days from ``begin`` to ``end`` computed by the database (no timestamps fetched)."""
    if db.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(begin)
    return func.extract("epoch", end - begin) / DAY


def step_days(db: Session, period: Period, begin: Any, end: Any, *extra: Any) -> list[float]:
    """Days from ``begin`` to ``end`` of the cases whose ``end`` fell in the period."""
    return _spans(db, period, {"days": (begin, end, and_(true(), *extra))})["days"]


def _spans(
    db: Session, period: Period, wanted: dict[str, tuple[Any, Any, ColumnElement[bool]]]
) -> dict[str, list[float]]:
    """Several ``step_days`` in one pass over the cases: per name, the days from ``begin``
    to ``end`` of the cases (matching the condition) whose ``end`` fell in the period."""
    columns = [
        case((and_(begin.is_not(None), _in(end, period), condition), span_days(db, begin, end)))
        for begin, end, condition in wanted.values()
    ]
    ends = {str(end): end for _begin, end, _condition in wanted.values()}
    anywhere = or_(*[_in(end, period) for end in ends.values()])
    found: dict[str, list[float]] = {name: [] for name in wanted}
    names = list(wanted)
    for row in db.execute(select(*columns).where(anywhere)):
        for name, days in zip(names, row, strict=True):
            if days is not None and days >= 0:
                found[name].append(float(days))
    return found


def step_time(step: str, days: list[float], six_weeks: bool = False) -> StepTime:
    within = sum(1 for d in days if d <= SIX_WEEKS_DAYS)
    return StepTime(
        step=step,
        cases=len(days),
        median_days=_rounded(statistics.median(days) if days else None),
        p90_days=_rounded(percentile(days, 0.9)),
        within_six_weeks=_rate(within, len(days)) if six_weeks else None,
    )


def distribution(days: list[float]) -> list[tuple[str, int]]:
    """Cases per band of days: "0-7", ..., "> 84"."""
    counts = [0] * (len(BINS) + 1)
    for value in days:
        counts[next((i for i, edge in enumerate(BINS) if value <= edge), len(BINS))] += 1
    labels = [f"{low}-{high}" for low, high in zip((0, *BINS), BINS, strict=False)]
    return list(zip([*labels, f"> {BINS[-1]}"], counts, strict=True))


def handling_hours(db: Session, period: Period) -> tuple[list[float], list[float]]:
    """Active officer hours per case decided in the period (its workbench intervals): of
    every such case, and of those decided on the form."""
    hours = func.sum(span_days(db, WorkInterval.started_at, WorkInterval.last_seen_at)) * 24
    on_form = func.max(case((Case.state == S.DECIDED_ON_FORM, 1), else_=0))
    query = (
        select(hours, on_form)
        .select_from(WorkInterval)
        .join(Case, Case.id == WorkInterval.case_id)
        .where(_in(Case.decided_at, period))
        .group_by(WorkInterval.case_id)
    )
    every, written = [], []
    for value, decided_on_form in db.execute(query):
        if value is not None:
            every.append(float(value))
            if decided_on_form:
                written.append(float(value))
    return every, written


# The figures of the time report, each the days of ``_spans`` (the steps by their names).
_WHOLE = (Case.invited_at, Case.decided_at)
TIME_SPANS: dict[str, tuple[Any, Any, ColumnElement[bool]]] = {
    **{name: (begin, end, true()) for name, begin, end in STEPS},
    "written": (*_WHOLE, Case.state == S.DECIDED_ON_FORM),
    "regular": (*_WHOLE, Case.state.in_(REGULAR_STATES)),
}


def time_report(db: Session, period: Period) -> TimeReport:
    """Every step's days in one pass over the cases, the handling hours in another."""
    days = _spans(db, period, TIME_SPANS)
    steps = [step_time(name, days[name], six_weeks=name == "whole") for name, _b, _e in STEPS]
    hours, written_hours = handling_hours(db, period)
    return TimeReport(
        steps=steps,
        handling_cases=len(hours),
        handling_median_hours=_rounded(statistics.median(hours) if hours else None, 2),
        handling_p90_hours=_rounded(percentile(hours, 0.9), 2),
        handling_mean_hours=_rounded(statistics.fmean(hours) if hours else None, 2),
        comparison=comparison(days["written"], written_hours, days["regular"]),
        distribution=distribution(days["whole"]),
    )


def comparison(
    written_days: list[float], written_hours: list[float], regular: list[float]
) -> Comparison:
    """The written track's cases decided on the form against the regular procedure: the
    recorded times of cases that went the regular way (``regular``, their days) where
    there are any, otherwise the configured baseline (settings ``report_regular_*``)."""
    settings = get_settings()
    recorded = bool(regular)
    regular_days = statistics.median(regular) if recorded else settings.report_regular_days
    regular_hours = settings.report_regular_handling_hours
    days = statistics.median(written_days) if written_days else None
    hours = statistics.median(written_hours) if written_hours else None
    saved_hours = None if hours is None else regular_hours - hours
    return Comparison(
        regular_source="recorded" if recorded else "configured baseline",
        regular_cases=len(regular),
        regular_throughput_days=round(regular_days, 1),
        regular_handling_hours=round(regular_hours, 2),
        written_throughput_days=_rounded(days),
        written_handling_hours=_rounded(hours, 2),
        decided_on_form=len(written_days),
        throughput_days_saved_per_case=None if days is None else round(regular_days - days, 1),
        handling_hours_saved_per_case=_rounded(saved_hours, 2),
        handling_hours_saved_total=(
            None if saved_hours is None else round(saved_hours * len(written_days), 1)
        ),
    )


# --- where the time goes --------------------------------------------------------------------

# Whose move a running term waits for.
PARTY = {
    TermStep.INVITATION_REPLY: "lawyers",
    TermStep.CORRECTIONS: "lawyers",
    TermStep.TRANSLATION: "agencies",
    TermStep.DECISION: "decision teams",
    TermStep.TARGET: "whole procedure",
}


def held_steps(db: Session, now: datetime) -> list[HeldStep]:
    """Open cases per stage with how long they have been in it (since the event that
    brought them there), the stage holding them longest first."""
    # The latest event of each open case, found through the (case, at) index, and the
    # days since counted by the database: no timestamp fetched and parsed per case.
    entered = (
        select(func.max(CaseEventRow.at))
        .where(CaseEventRow.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    since = span_days(db, entered, bindparam("now", now, type_=UtcDateTime()))
    rows = db.execute(select(Case.state, since).where(Case.state.not_in(TERMINAL_STATES))).all()
    waits: dict[str, list[float]] = defaultdict(list)
    for state, days in rows:
        if days is not None:  # a case without events (none yet) has no stage time
            waits[str(state)].append(float(days))
    held = [
        HeldStep(
            state=state,
            cases=len(days),
            median_days=_rounded(statistics.median(days)),
            longest_days=_rounded(max(days)),
        )
        for state, days in waits.items()
    ]
    return sorted(held, key=lambda h: (-(h.median_days or 0), h.state))


def overdue(db: Session, now: datetime) -> list[Overdue]:
    rows = db.execute(
        select(Term.step, func.count())
        .where(Term.closed_at.is_(None), Term.due_at < now)
        .group_by(Term.step)
    ).all()
    counts = {TermStep(step): int(n) for step, n in rows}
    return [Overdue(party=PARTY[step], step=step, terms=counts.get(step, 0)) for step in PARTY]


def declines(db: Session, period: Period) -> list[Declines]:
    """Invitations not consented to: declines by the lawyer's reason (``not_recorded`` for
    those from before a reason was asked), then those that expired or were called off, and
    cases withdrawn in the period. The lawyer's note is free text and stays on the case."""
    rows = db.execute(
        select(Invitation.status, Invitation.decline_reason, func.count())
        .where(
            _in(Invitation.replied_at, period),
            Invitation.status != InvitationStatus.CONSENTED,
        )
        .group_by(Invitation.status, Invitation.decline_reason)
    ).all()
    counts: Counter[str] = Counter()
    for status, reason, n in rows:
        counts[(reason or NOT_RECORDED) if status == InvitationStatus.DECLINED else status] += n
    counts["withdrawn"] = (
        db.scalar(
            select(func.count())
            .select_from(CaseEventRow)
            .where(CaseEventRow.to_state == S.WITHDRAWN, _in(CaseEventRow.at, period))
        )
        or 0
    )
    return [Declines(reason=r, invitations=int(counts[r])) for r in DECLINE_GROUPS]


def where_report(db: Session, period: Period, now: datetime) -> WhereReport:
    return WhereReport(
        held=held_steps(db, now), overdue=overdue(db, now), declines=declines(db, period)
    )


# --- pictures' figures ---------------------------------------------------------------------

FUNNEL = (
    ("selected", and_(Case.track.is_not(None), Case.screened_at.is_not(None)), Case.screened_at),
    ("invited", Case.invited_at.is_not(None), Case.invited_at),
    ("consented", Case.consented_at.is_not(None), Case.consented_at),
    ("held", Case.submitted_at.is_not(None), Case.submitted_at),
    ("translated", Case.translated_at.is_not(None), Case.translated_at),
    ("ready", Case.ready_at.is_not(None), Case.ready_at),
    ("decided", Case.decided_at.is_not(None), Case.decided_at),
)


def funnel(db: Session, period: Period) -> list[tuple[str, int]]:
    """Of the cases selected in the period, how many reached each later milestone."""
    selected = _in(Case.screened_at, period)
    row = db.execute(select(*[_count(and_(selected, reached)) for _, reached, _ in FUNNEL])).one()
    return [(name, int(value)) for (name, _, _), value in zip(FUNNEL, row, strict=True)]


def weekly_flow(db: Session, period: Period) -> list[Flow]:
    """Per ISO week of the period: cases invited (inflow) and decided (outflow)."""
    weeks: dict[str, list[int]] = {}
    day = period.start
    while day <= period.end:
        year, week, _ = day.isocalendar()
        weeks.setdefault(f"{year}-W{week:02d}", [0, 0])
        day += timedelta(days=1)
    for index, column in enumerate((Case.invited_at, Case.decided_at)):
        # Per day (UTC) in the database; a case near midnight may fall in the next week.
        day_of = func.date(column)
        per_day = select(day_of, func.count()).where(_in(column, period)).group_by(day_of)
        for when, count in db.execute(per_day):
            moment = when if isinstance(when, date) else date.fromisoformat(str(when))
            year, week, _ = moment.isocalendar()
            weeks.setdefault(f"{year}-W{week:02d}", [0, 0])[index] += int(count)
    return [Flow(week=w, inflow=i, outflow=o) for w, (i, o) in weeks.items()]


def stock(db: Session) -> list[tuple[str, int]]:
    """Open cases per stage now, in the procedure's order."""
    counts = dict(
        db.execute(
            select(Case.state, func.count())
            .where(Case.state.not_in(TERMINAL_STATES))
            .group_by(Case.state)
        ).all()
    )
    return [(str(s), int(counts[s])) for s in CaseState if s in counts]
