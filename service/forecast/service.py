"""The capacity forecast: the one function both doors call."""

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.clock import utcnow
from service.forecast import queries, schemas
from service.forecast.queries import Default, Measured
from service.forecast.schemas import ForecastIn, ForecastOut, InputOut, ResourceOut, StepOut
from service.forecast.simulation import (
    DAYS_PER_WEEK,
    Outcome,
    Resource,
    Scenario,
    Step,
    simulate,
)
from service.terms.policy import local_date


def _input(name: str, given: float | None, default: Default) -> InputOut:
    value = default.value if given is None else given
    return InputOut(
        name=name,
        value=value,
        default=default.value,
        changed=given is not None and given != default.value,
        source=schemas.source_in_english(default.source, default.values),
    )


def _inputs(given: ForecastIn, measured: Measured) -> list[InputOut]:
    """Every input with its value, in the order the page shows them."""
    found = [
        _input("consent", given.consent_percent, measured.consent_percent),
        _input("kansrijk", given.kansrijk_percent, measured.kansrijk_percent),
        _input("reply_days", given.reply_days, measured.reply_days),
        _input("translation_days", given.translation_days, measured.translation_days),
        _input("corrections_days", given.corrections_days, measured.corrections_days),
    ]
    for location in measured.locations:
        found.append(
            _input(f"sessions-{location.key}", given.sessions.get(location.key), location.per_week)
        )
        assert location.seats is not None
        found.append(_input(f"seats-{location.key}", given.seats.get(location.key), location.seats))
    for agency in measured.agencies:
        found.append(
            _input(f"agency-{agency.key}", given.agencies.get(agency.key), agency.per_week)
        )
    for team in measured.teams:
        found.append(_input(f"team-{team.key}", given.teams.get(team.key), team.per_week))
    return found


def _scenario(given: ForecastIn, measured: Measured, inputs: list[InputOut]) -> Scenario:
    value = {i.name: i.value for i in inputs}
    resources = [
        Resource(
            f"location:{loc.key}",
            Step.SESSION,
            loc.name,
            value[f"sessions-{loc.key}"] * value[f"seats-{loc.key}"],
        )
        for loc in measured.locations
    ]
    resources += [
        Resource(f"agency:{a.key}", Step.TRANSLATION, a.name, value[f"agency-{a.key}"])
        for a in measured.agencies
    ]
    resources += [
        Resource(f"team:{t.key}", Step.DECISION, t.name, value[f"team-{t.key}"])
        for t in measured.teams
    ]
    return Scenario(
        stock=measured.stock,
        consent_rate=value["consent"] / 100,
        replacing_share=value["kansrijk"] / 100,
        reply_days=int(value["reply_days"]),
        translation_days=int(value["translation_days"]),
        corrections_days=int(value["corrections_days"]),
        resources=resources,
        seed=given.seed,
    )


def _result(
    given: ForecastIn, measured: Measured, inputs: list[InputOut], outcome: Outcome
) -> ForecastOut:
    today = local_date(measured.now)
    weeks = outcome.weeks
    return ForecastOut(
        today=today,
        finished=outcome.finished,
        finished_on=(
            today + timedelta(days=outcome.finished_day)
            if outcome.finished_day is not None
            else None
        ),
        weeks_to_finish=(
            -(-outcome.finished_day // DAYS_PER_WEEK) if outcome.finished_day is not None else None
        ),
        bottleneck=outcome.bottleneck,
        stock=measured.stock,
        declined=outcome.declined,
        decided=outcome.decided,
        handed_over=outcome.handed_over,
        inputs=inputs,
        resources=[
            ResourceOut(
                key=u.resource.key,
                step=u.resource.step,
                name=u.resource.name,
                per_week=round(u.resource.per_week, 2),
                used=u.used,
                offered=round(u.offered, 2),
                utilisation=round(u.utilisation, 4),
            )
            for u in outcome.usage
        ],
        steps=[
            StepOut(
                step=step,
                utilisation=(
                    None
                    if outcome.step_utilisation.get(step, 0) == float("inf")
                    else round(outcome.step_utilisation.get(step, 0.0), 4)
                ),
                peak=max(w.stock[step] for w in weeks),
                mean=round(sum(w.stock[step] for w in weeks) / len(weeks), 1),
            )
            for step in Step
        ],
        weekly=[
            schemas.WeekOut(
                week=w.index,
                starts_on=today + timedelta(weeks=w.index),
                stock=dict(w.stock),
            )
            for w in weeks
        ],
        query=given.query(),
    )


def forecast(
    db: Session, actor: Actor, values: Mapping[str, str], now: datetime | None = None
) -> ForecastOut:
    """When the stock is done and what holds it up, from the measured defaults with the
    inputs the caller changed (query parameters; unknown ones are ignored)."""
    del actor  # every reader of the forecast sees the same figures
    given = schemas.parse(values)
    measured = queries.measured(db, now or utcnow())
    schemas.refuse_unknown(
        given,
        {
            "sessions": {loc.key for loc in measured.locations},
            "seats": {loc.key for loc in measured.locations},
            "agencies": {a.key for a in measured.agencies},
            "teams": {t.key for t in measured.teams},
        },
    )
    inputs = _inputs(given, measured)
    outcome = simulate(_scenario(given, measured, inputs))
    return _result(given, measured, inputs, outcome)
