"""Replay the Taskforce's 2020 pilot through the service: ``hearing simulate taskforce``.

By default the replay calls the same actions the API calls (each domain's
``service.py``, through ``service.dev.driver``), each taken by the role that takes it in
reality (planner, lawyer, host, applicant, translator, officer, senior, coordinator):

- speed: fifteen thousand cases and some thirty thousand actions in about four minutes
  of one core's time (measured 2026-12-06 on SQLite), where the HTTP door adds sign-in,
  a request, a response and a transaction per action;
- determinism: one process, one transaction, one simulated clock
  (``core.clock.simulated``); no scheduler, no second process that could interleave,
  so ``--seed`` gives the same table every time.

With ``--http URL`` or ``--processes N`` (the load test) the same steps go to app
processes through the JSON API instead (``simulate.http``), one request at a time with
the simulated time in a header; the table is the same for the same seed.

Time runs on the simulated clock from March 2020: each step happens at its own moment
(a consent days after the invitation, a session at nine, a translation a week later),
and every simulated morning the periodic sweeps run as the worker would run them
(expired invitations and corrections terms, reminders, overdue flags, forms past their
time, abandoned claims). Background jobs the actions queue (mail, PDFs) stay in the
outbox for a worker's requeue sweep; the replay does not hand them over itself.

What happens to whom is drawn by exact quotas (``figures``), shuffled with the seed:
at scale 1 the table reproduces Tabel 4 exactly.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.cases.importing import import_all
from service.core.actor import Actor
from service.core.clock import SimulatedClock, simulated
from service.core.db import AFTER_COMMIT
from service.core.settings import get_settings
from service.corrections import service as corrections
from service.corrections.schemas import CorrectionItemIn
from service.decisions import service as decisions
from service.dev.demo import (
    AGENCY_A,
    AGENCY_B,
    DemoCast,
    backlog_rows,
    ensure_agencies,
    ensure_staff,
)
from service.invitations import service as invitations
from service.models import Case, Gender, HearingSession, Location, Room
from service.models.corrections import ItemKind
from service.models.decisions import DecisionKind, FinalOutcome
from service.questionnaires import service as questionnaires
from service.questionnaires.forms import FormDefinition
from service.reports.queries import by_nationality
from service.reports.schemas import NationalityRow, Period
from service.sessions import service as sessions
from service.sessions.schemas import InterpreterIn, SessionIn
from service.simulate.figures import (
    ALL_GROUPS,
    BACKLOG_CASES,
    ON_FORM_PERCENT,
    TABEL_4,
    group_of,
    not_granted_split,
    quotas,
)
from service.simulate.http import Doors, HttpDriver
from service.simulate.steps import Steps
from service.simulate.summary import GroupRow
from service.terms import service as terms
from service.terms.policy import add_working_days, is_working_day
from service.translation.exceptions import AgencyFull
from service.workflow import CaseState, Track

S = CaseState
POLICY = "taskforce-2020"  # the Taskforce's own assessment framework
LOCAL = ZoneInfo("Europe/Amsterdam")
IMPORTED_ON = date(2020, 3, 2)
WAVES = 8  # each group is invited in weekly waves from its start date
AGENCY_WEEKLY = 60  # forms a week per agency at scale 1
SWEEP_HOUR = 7


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute), LOCAL).astimezone(UTC)


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


@dataclass(frozen=True)
class Plan:
    """What the quotas decided for one invited case."""

    consents: bool
    replies: bool = True  # False: the invitation runs out (the sweep expires it)
    outcome: FinalOutcome | None = None
    on_form: bool = False  # kansrijk, decided on the form
    responds: str = "none"  # the lawyer: "corrections", "none", or "silent" (term runs out)


@dataclass
class Result:
    table: list[NationalityRow]  # the report over the replay's period, read back
    period: Period  # the replay's days: import to the last step (local dates)
    intended: dict[str, GroupRow]  # what the replay's quotas decided, per group
    imported: int
    actions: int
    seconds: float  # wall time
    cpu_seconds: float  # this process's CPU time (a shared machine's wall time varies)
    sweeps: dict[str, int]
    ended: datetime
    requests: int = 0  # over HTTP: the requests to the app processes

    @property
    def per_second(self) -> float:
        return self.actions / self.seconds if self.seconds else 0.0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class SeatPlanner:
    """The planner's sessions: one a day per room, opened for a language when its
    consented applicants need seats (with an interpreter of the language)."""

    db: Session
    rooms: list[tuple[Location, Room]]
    used: set[tuple[Any, date]] = field(default_factory=set)
    open: dict[str, list[list[Any]]] = field(default_factory=dict)  # [session, free seats]
    made: int = 0

    def seat(self, language: str, earliest: datetime) -> HearingSession:
        for slot in self.open.get(language, []):
            if slot[1] > 0 and slot[0].starts_at >= earliest:
                slot[1] -= 1
                return slot[0]  # type: ignore[no-any-return]
        hearing = self._new_session(language, local_day(earliest))
        self.open.setdefault(language, []).append([hearing, hearing.seats - 1])
        return hearing

    def _new_session(self, language: str, day: date) -> HearingSession:
        while True:
            if is_working_day(day):
                for location, room in self.rooms:
                    if (room.id, day) not in self.used:
                        self.used.add((room.id, day))
                        self.made += 1
                        data = SessionIn(
                            location_id=location.id,
                            room_id=room.id,
                            starts_at=at(day, 9),
                            seats=sessions.seats_in(self.db, room.id),
                            language=language,
                            interpreters=[
                                InterpreterIn(
                                    language=language,
                                    gender=Gender.FEMALE,
                                    name=f"Tolk {language} {day.isoformat()}",
                                )
                            ],
                        )
                        return sessions.create_session(self.db, data)
            day += timedelta(days=1)


@dataclass
class Replay:
    db: Session
    seed: int
    scale: float
    clock: SimulatedClock
    rng: random.Random = field(init=False)
    queue: list[tuple[datetime, int, str, str]] = field(default_factory=list)
    order: itertools.count[int] = field(default_factory=itertools.count)
    plans: dict[str, Plan] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    actions: int = 0
    sweeps: dict[str, int] = field(default_factory=dict)
    next_sweep: datetime = field(init=False)
    doors: Doors | None = None  # over HTTP: the app processes (``simulate.http``)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.next_sweep = at(self.clock.now.date() + timedelta(days=1), SWEEP_HOUR)

    # --- set-up -----------------------------------------------------------------------

    def prepare(self) -> int:
        """Staff, locations, agencies, then the backlog imported and screened."""
        db = self.db
        staff, _ = ensure_staff(db)
        ensure_agencies(db, capacity=max(5, round(AGENCY_WEEKLY * self.scale)))
        self.cast = DemoCast(staff)
        planner = staff["planner.jansen"]
        self.planner = Actor(role=planner.role, user_id=planner.id)
        self.form: FormDefinition = questionnaires.policy_form()
        steps = Steps if self.doors is None else HttpDriver
        self.driver = steps(
            db,
            self.cast,
            self.form,
            seat=self._booked_session,
            agency=self._agency,
            corrections=self._corrections,
            kind=self._kind,
            estimated_days=self._estimate,
        )
        if isinstance(self.driver, HttpDriver):
            self.driver.doors = self.doors
        rooms = db.execute(select(Location, Room).join(Room, Room.location_id == Location.id))
        self.seats = SeatPlanner(db, sorted(rooms.all(), key=lambda lr: (lr[0].name, lr[1].name)))
        for hearing in db.scalars(select(HearingSession)):
            self.seats.used.add((hearing.room_id, local_day(hearing.starts_at)))
        total = round(BACKLOG_CASES * self.scale)
        report = import_all(db, iter(backlog_rows(total, seed=self.seed)), self.planner)
        self.actions += report.rows
        return report.created

    # --- who gets what ----------------------------------------------------------------

    def draw(self) -> None:
        """Choose the invited, the consenting and the outcomes per group by exact quotas."""
        eligible: dict[str, list[Case]] = {g: [] for g in ALL_GROUPS}
        screened = select(Case).where(Case.state == S.SCREENED, Case.lawyer_id.is_not(None))
        for case in self.db.scalars(screened.order_by(Case.v_number)):
            eligible[group_of(case.nationality)].append(case)
        wanted = quotas(self.scale)
        not_granted: list[str] = []
        for group in ALL_GROUPS:
            pool, quota = eligible[group], wanted[group]
            if len(pool) < quota.invited:
                raise ValueError(f"{group}: {len(pool)} eligible, {quota.invited} to invite")
            self.rng.shuffle(pool)
            invited = pool[: quota.invited]
            heard = invited[: quota.consented]
            kansrijk = [c for c in heard if c.track == Track.REPLACING]
            on_form = set(
                c.v_number for c in kansrijk[: round(len(kansrijk) * ON_FORM_PERCENT / 100)]
            )
            granted = {c.v_number for c in self.rng.sample(heard, quota.granted)}
            not_granted += [c.v_number for c in heard if c.v_number not in granted]
            for case in heard:
                self.cases[case.v_number] = case
                self.plans[case.v_number] = Plan(
                    consents=True,
                    outcome=FinalOutcome.GRANT if case.v_number in granted else None,
                    on_form=case.v_number in on_form,
                    responds=self.rng.choices(("corrections", "none", "silent"), (45, 45, 10))[0],
                )
            for case in invited[quota.consented :]:
                self.cases[case.v_number] = case
                self.plans[case.v_number] = Plan(consents=False, replies=self.rng.random() < 0.9)
            self._schedule_invitations(group, invited)
        self.rng.shuffle(not_granted)
        split = not_granted_split(len(not_granted))
        labels = [outcome for outcome, n in split.items() for _ in range(n)]
        for v_number, outcome in zip(not_granted, labels, strict=True):
            plan = self.plans[v_number]
            self.plans[v_number] = Plan(
                consents=True, outcome=outcome, on_form=plan.on_form, responds=plan.responds
            )

    def _schedule_invitations(self, group: str, invited: list[Case]) -> None:
        start = TABEL_4[group].start
        for i, case in enumerate(invited):
            day = start + timedelta(weeks=i % WAVES)
            while not is_working_day(day):
                day += timedelta(days=1)
            self.later(at(day, 10, self.rng.randrange(60)), case, "invite")

    def intended(self) -> dict[str, GroupRow]:
        """What the quotas decided for every invited case, per group (to hold the table
        read back from the database against)."""
        rows = {group: GroupRow(group) for group in ALL_GROUPS}
        for v_number, plan in self.plans.items():
            row = rows[group_of(self.cases[v_number].nationality)]
            row.invited += 1
            if plan.consents:
                row.consented += 1
                row.held += 1
                row.on_form += plan.on_form
                row.physical += not plan.on_form
                assert plan.outcome is not None
                row.outcomes[plan.outcome] += 1
        return rows

    # --- the run ----------------------------------------------------------------------

    def later(self, when: datetime, case: Case, step: str) -> None:
        heapq.heappush(self.queue, (when, next(self.order), case.v_number, step))

    def after_working_days(self, days: int, hour: int) -> datetime:
        day = add_working_days(local_day(self.clock.now), days)
        return at(day, hour, self.rng.randrange(60))

    def run(self) -> None:
        while self.queue:
            when, _, v_number, step = heapq.heappop(self.queue)
            while self.next_sweep <= when:
                self.clock.move_to(self.next_sweep)
                self.sweep()
                self.next_sweep += timedelta(days=1)
            self.clock.move_to(when)
            case = self.cases[v_number]
            getattr(self, f"_{step}")(case)
            self.actions += 1

    def act(self, case: Case, state: CaseState) -> None:
        """One step of the case by the role that takes it (``service.dev.driver``)."""
        self.driver.step(case, state)

    # --- the steps, in the order of the procedure ------------------------------------

    def _invite(self, case: Case) -> None:
        self.act(case, S.INVITED)
        plan = self.plans[case.v_number]
        if plan.replies:
            self.later(self.after_working_days(self.rng.randint(1, 8), 14), case, "reply")

    def _reply(self, case: Case) -> None:
        plan = self.plans[case.v_number]
        self.act(case, S.CONSENTED if plan.consents else S.DECLINED)
        if plan.consents:
            self.later(self.after_working_days(self.rng.randint(1, 3), 11), case, "book")

    def _book(self, case: Case) -> None:
        language = questionnaires.form_language(self.form, case)
        earliest = at(add_working_days(local_day(self.clock.now), 5), 0)
        self.booked = self.seats.seat(language, earliest)
        self.act(case, S.SCHEDULED)
        self.later(self.booked.starts_at - timedelta(minutes=20), case, "check_in")

    def _booked_session(self, case: Case) -> HearingSession:
        return self.booked

    def _check_in(self, case: Case) -> None:
        self.act(case, S.CHECKED_IN)
        self.act(case, S.IN_PROGRESS)  # the applicant starts at the kiosk
        self.actions += 1
        minutes = self.rng.randint(120, 230)
        self.later(self.clock.now + timedelta(minutes=minutes), case, "hand_in")

    def _hand_in(self, case: Case) -> None:
        self.act(case, S.SUBMITTED)  # the answers saved, then handed in
        self.later(self.after_working_days(1, 9), case, "translate")

    def _agency(self, case: Case) -> str:
        return self.agency_name

    def _translate(self, case: Case) -> None:
        agencies = [AGENCY_A, AGENCY_B]
        first = int(case.v_number) % len(agencies)
        for name in agencies[first:] + agencies[:first]:
            self.agency_name = name
            try:
                with self.driver.attempt():
                    self.act(case, S.IN_TRANSLATION)
            except AgencyFull:
                continue
            self.later(self.after_working_days(self.rng.randint(3, 8), 15), case, "deliver")
            return
        self.later(self.after_working_days(1, 9), case, "translate")  # both full this week

    def _deliver(self, case: Case) -> None:
        self.act(case, S.WITH_LAWYER)  # delivered; the translated form goes to the lawyer
        if self.plans[case.v_number].responds != "silent":
            self.later(self.after_working_days(self.rng.randint(2, 9), 16), case, "respond")

    def _corrections(self, case: Case) -> list[CorrectionItemIn] | None:
        if self.plans[case.v_number].responds == "none":
            return None
        return [
            CorrectionItemIn(
                kind=ItemKind.TRANSLATION, answer_key=self.form.questions[0].id, text="Spelling."
            ),
            CorrectionItemIn(kind=ItemKind.ADDITION, text="A statement of the client's sister."),
        ]

    def _respond(self, case: Case) -> None:
        self.act(case, S.READY_FOR_DECISION)
        self.routed(case)

    def routed(self, case: Case) -> None:
        """The complete file went to an officer (kansrijk) or to the nader gehoor (kansarm)."""
        if case.state is S.READY_FOR_DECISION:
            self.later(self.after_working_days(self.rng.randint(2, 12), 10), case, "decide")
        else:
            self.later(self.after_working_days(self.rng.randint(10, 40), 9), case, "hearing")

    def _kind(self, case: Case) -> DecisionKind:
        if self.plans[case.v_number].outcome is FinalOutcome.GRANT:
            return DecisionKind.GRANT
        return DecisionKind.INTENDED_REJECTION  # voornemen: the regular route follows

    def _estimate(self, case: Case) -> int:
        return self.rng.choice((1, 1, 2))

    def _decide(self, case: Case) -> None:
        self.act(case, S.CLAIMED)
        plan = self.plans[case.v_number]
        self.act(case, S.DECIDED_ON_FORM if plan.on_form else S.PHYSICAL_HEARING_REQUIRED)
        if not plan.on_form:
            self.later(self.after_working_days(self.rng.randint(10, 40), 9), case, "hearing")
        elif plan.outcome is FinalOutcome.GRANT:
            self._final(case)
        else:
            self.later(self.after_working_days(self.rng.randint(15, 40), 10), case, "final")

    def _hearing(self, case: Case) -> None:
        """The nader gehoor took place: one day or two (the field nobody kept in 2020)."""
        handoff = decisions.handoff_of(self.db, case.id)
        estimate = handoff.estimated_days or self.rng.choice((1, 2))
        days = estimate if self.rng.random() < 0.7 else 3 - estimate
        self.driver.record_actual_days(case, days)
        self.later(self.after_working_days(self.rng.randint(5, 20), 10), case, "final")

    def _final(self, case: Case) -> None:
        outcome = self.plans[case.v_number].outcome
        assert outcome is not None
        self.driver.record_final_decision(case, outcome)

    # --- the worker's periodic sweeps, once a simulated morning ----------------------

    def sweep(self) -> None:
        db = self.db
        jobs: tuple[tuple[str, Callable[[Session], Any], Callable[[Session, Any], bool]], ...] = (
            ("invitations expired", invitations.overdue_invitations, invitations.expire),
            ("reminders", terms.reminders_due, terms.remind),
            ("terms flagged overdue", terms.passed_unflagged, terms.flag_overdue),
            (
                "forms handed in at time-out",
                questionnaires.overdue_forms,
                questionnaires.auto_submit,
            ),
            ("claims expired", decisions.expired_claims, decisions.expire_claim),
        )
        for name, due, job in jobs:
            for item in due(db):
                if job(db, item):
                    self.sweeps[name] = self.sweeps.get(name, 0) + 1
                    self.actions += 1
        for case_id in corrections.overdue_terms(db):
            if corrections.expire_term(db, case_id):
                self.sweeps["corrections terms ended"] = (
                    self.sweeps.get("corrections terms ended", 0) + 1
                )
                self.actions += 1
                self.routed(db.get_one(Case, case_id))


def replay(db: Session, seed: int = 1, scale: float = 1.0, urls: Sequence[str] = ()) -> Result:
    """Replay the pilot in ``db`` (the caller commits). Refused on a database that holds
    cases already, or with another eligibility policy than the Taskforce's.

    With ``urls`` the steps go to those app processes over HTTP, round-robin
    (``simulate.http``); they must run on ``db``'s database with the simulated clock on,
    and the replay commits as it goes (each request must see what came before)."""
    settings = get_settings()
    if settings.env == "production":
        raise RuntimeError("the replay makes demo staff with well-known passwords")
    if settings.eligibility_policy != POLICY:
        raise RuntimeError(f"the replay screens by the Taskforce's policy: set {POLICY}")
    if db.scalar(select(func.count()).select_from(Case)):
        raise RuntimeError("the replay needs a database without cases")
    doors = Doors(db, list(urls)) if urls else None
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        with simulated(SimulatedClock(at(IMPORTED_ON, 8))) as clock:
            run = Replay(db, seed, scale, clock, doors=doors)
            imported = run.prepare()
            run.draw()
            run.run()
            db.flush()
            ended = clock.now
    finally:
        if doors is not None:
            doors.close()
    # The jobs the actions queued (mail, PDFs) stay in the outbox: not handed to the queue
    # at commit, they wait for a worker's requeue sweep (``core.jobs.requeue_jobs``).
    db.info.pop(AFTER_COMMIT, None)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # What the replay prints is the report itself, over the replay's days.
    period = Period(start=IMPORTED_ON, end=local_day(ended))
    table = by_nationality(db, period)
    sweeps = dict(sorted(run.sweeps.items()))
    requests = doors.requests if doors else 0
    intended = run.intended()
    return Result(
        table, period, intended, imported, run.actions, seconds, cpu, sweeps, ended, requests
    )
