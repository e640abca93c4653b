"""The capacity forecast as a discrete-event simulation (SimPy), without I/O.

The stock moves through the procedure's steps in cohorts: the lawyers' replies (a delay,
then a share consents), a seat in a group session (seats per week per location), the
translation (forms per week per agency, then the agency's lead time), the lawyer's
corrections (a delay) and, for kansrijk files, the decision (decisions per week per
team). Each resource releases its weekly capacity once a week (a fraction carries over
to the next week), and takes what waits at its step. The clock counts days from today.

Deterministic: the only chance (who consents, which files are kansrijk) draws from a
``random.Random(seed)``, and SimPy runs events of the same moment in the order they
were scheduled.
"""

import math
import random
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import simpy

DAYS_PER_WEEK = 7
# Ten years: a scenario that never finishes (no seats at all) stops here.
MAX_WEEKS = 520


class Step(StrEnum):
    """Where a case of the stock is, in the procedure's order."""

    INVITATION = "invitation"  # to be invited, or waiting for the lawyer's reply
    SESSION = "session"  # consented, waiting for a seat in a group session
    TRANSLATION = "translation"  # form handed in, waiting for or at an agency
    CORRECTIONS = "corrections"  # translated, with the lawyer for corrections
    DECISION = "decision"  # complete kansrijk file, waiting for a decision officer


# The steps whose pace is a capacity per week (the others are lead times).
CAPACITY_STEPS = (Step.SESSION, Step.TRANSLATION, Step.DECISION)


@dataclass(frozen=True)
class Resource:
    """A location's seats, an agency's forms or a team's decisions, per week."""

    key: str
    step: Step
    name: str
    per_week: float


@dataclass(frozen=True)
class Scenario:
    stock: Mapping[Step, int]
    consent_rate: float  # share of invited cases whose lawyer consents, 0..1
    replacing_share: float  # share of files that are kansrijk (decided by an officer), 0..1
    reply_days: int
    translation_days: int
    corrections_days: int
    resources: Sequence[Resource]
    seed: int = 1


@dataclass(frozen=True)
class Usage:
    resource: Resource
    used: int  # cases taken on until the stock was done
    offered: float  # capacity offered in those weeks

    @property
    def utilisation(self) -> float:
        return self.used / self.offered if self.offered else 0.0


@dataclass(frozen=True)
class Week:
    """The stock per step at the end of a week (week 0: today)."""

    index: int
    stock: Mapping[Step, int]

    @property
    def total(self) -> int:
        return sum(self.stock.values())


@dataclass(frozen=True)
class Outcome:
    finished_day: int | None  # days from today until the last case left; None: not in MAX_WEEKS
    bottleneck: Step | None
    usage: list[Usage]
    weeks: list[Week]
    step_utilisation: dict[Step, float]
    declined: int
    decided: int
    handed_over: int  # kansarm files: to the physical hearing without an officer's decision

    @property
    def finished(self) -> bool:
        return self.finished_day is not None


@dataclass
class _Run:
    """The simulation's state while it runs."""

    scenario: Scenario
    env: simpy.Environment
    rng: random.Random
    waiting: dict[Step, int] = field(default_factory=dict)  # at a capacity step's queue
    busy: dict[Step, int] = field(default_factory=dict)  # in a lead time of a step
    used: dict[str, int] = field(default_factory=dict)
    left: int = 0
    declined: int = 0
    decided: int = 0
    handed_over: int = 0
    last_day: float = 0.0

    def draw(self, count: int, share: float) -> int:
        """How many of ``count`` cases fall in ``share`` (one draw each, seeded)."""
        if share >= 1:
            return count
        if share <= 0:
            return 0
        return sum(1 for _ in range(count) if self.rng.random() < share)

    def leave(self, count: int) -> None:
        self.left += count
        self.last_day = self.env.now

    def arrive(self, step: Step, count: int) -> None:
        """``count`` cases reach ``step`` now."""
        if count <= 0:
            return
        if step is Step.INVITATION:
            self._after_delay(step, count, self.scenario.reply_days, self._replied)
        elif step is Step.CORRECTIONS:
            self._after_delay(step, count, self.scenario.corrections_days, self._corrected)
        else:
            self.waiting[step] += count

    def _after_delay(self, step: Step, count: int, days: int, then: Callable[[int], None]) -> None:
        """``then(count)`` once ``days`` have passed; at once (not next event) for none, so
        a step without a lead time passes its cases on the same day."""
        if days <= 0:
            then(count)
            return

        def wait() -> Generator[Any, Any, None]:
            self.busy[step] += count
            yield self.env.timeout(days)
            self.busy[step] -= count
            then(count)

        self.env.process(wait())

    def _replied(self, count: int) -> None:
        consented = self.draw(count, self.scenario.consent_rate)
        self.declined += count - consented
        self.leave(count - consented)
        self.arrive(Step.SESSION, consented)

    def _corrected(self, count: int) -> None:
        replacing = self.draw(count, self.scenario.replacing_share)
        self.handed_over += count - replacing
        self.leave(count - replacing)
        self.arrive(Step.DECISION, replacing)

    def serve(self, resource: Resource) -> Generator[Any, Any, None]:
        """Once a week the resource takes what waits at its step, up to its capacity."""
        carry = 0.0
        while True:
            carry += resource.per_week
            slots = math.floor(carry + 1e-9)
            carry -= slots
            taken = min(slots, self.waiting[resource.step])
            if taken:
                self.waiting[resource.step] -= taken
                self.used[resource.key] += taken
                self._after(resource.step, taken)
            yield self.env.timeout(DAYS_PER_WEEK)

    def _after(self, step: Step, count: int) -> None:
        if step is Step.SESSION:  # the form is handed in at the session itself
            self.arrive(Step.TRANSLATION, count)
        elif step is Step.TRANSLATION:
            self._after_delay(
                step,
                count,
                self.scenario.translation_days,
                lambda done: self.arrive(Step.CORRECTIONS, done),
            )
        else:
            self.decided += count
            self.leave(count)

    def at_step(self) -> dict[Step, int]:
        return {step: self.waiting[step] + self.busy[step] for step in Step}


def simulate(scenario: Scenario, max_weeks: int = MAX_WEEKS) -> Outcome:
    """Run the scenario until the whole stock has left the procedure (or ``max_weeks``)."""
    env = simpy.Environment()
    run = _Run(scenario, env, random.Random(scenario.seed))  # noqa: S311 - a model, no secret
    run.waiting = dict.fromkeys(Step, 0)
    run.busy = dict.fromkeys(Step, 0)
    run.used = {r.key: 0 for r in scenario.resources}
    total = sum(scenario.stock.values())
    for step in Step:
        run.arrive(step, scenario.stock.get(step, 0))
    # Resources in the procedure's order: a form handed in at a session on the day an
    # agency takes its week's work is taken the same day.
    order = {step: n for n, step in enumerate(Step)}
    for resource in sorted(scenario.resources, key=lambda r: order[r.step]):
        if resource.per_week > 0:
            env.process(run.serve(resource))

    weeks: list[Week] = []

    def monitor() -> Generator[Any, Any, None]:
        while True:
            weeks.append(Week(len(weeks), run.at_step()))
            if run.left >= total:
                return
            yield env.timeout(DAYS_PER_WEEK)

    watching = env.process(monitor())
    env.run(until=simpy.AnyOf(env, [watching, env.timeout(max_weeks * DAYS_PER_WEEK + 1)]))
    finished = run.left >= total
    finished_day = math.ceil(run.last_day) if finished else None
    horizon_weeks = finished_day // DAYS_PER_WEEK + 1 if finished_day is not None else max_weeks + 1
    usage = [Usage(r, run.used[r.key], r.per_week * horizon_weeks) for r in scenario.resources]
    per_step = _step_utilisation(usage, run.at_step() if not finished else {})
    return Outcome(
        finished_day=finished_day,
        bottleneck=_bottleneck(per_step, weeks, total),
        usage=usage,
        weeks=weeks,
        step_utilisation=per_step,
        declined=run.declined,
        decided=run.decided,
        handed_over=run.handed_over,
    )


def _step_utilisation(usage: list[Usage], stuck: Mapping[Step, int]) -> dict[Step, float]:
    """Used over offered per capacity step; a step with cases left and no capacity at all
    counts as infinitely busy."""
    found: dict[Step, float] = {}
    for step in CAPACITY_STEPS:
        used = sum(u.used for u in usage if u.resource.step is step)
        offered = sum(u.offered for u in usage if u.resource.step is step)
        if offered:
            found[step] = used / offered
        elif stuck.get(step):
            found[step] = math.inf
        else:
            found[step] = 0.0
    return found


def _bottleneck(per_step: Mapping[Step, float], weeks: Sequence[Week], total: int) -> Step | None:
    """The capacity step used most fully; on a tie the one where most cases waited."""
    if total == 0 or not any(per_step.values()):
        return None
    waited = {step: sum(w.stock[step] for w in weeks) for step in CAPACITY_STEPS}
    return max(CAPACITY_STEPS, key=lambda step: (round(per_step[step], 6), waited[step]))
