"""Screening cases against the active eligibility policy, one at a time or in bulk."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from service import procedure
from service.core.actor import Actor
from service.core.bulk import formatted, insert_rows, new_ids
from service.core.clock import utcnow
from service.core.crypto import seal_many
from service.core.errors import DomainError
from service.core.settings import get_settings
from service.eligibility.exceptions import FormAlreadyTaken
from service.eligibility.policy import (
    CaseProfile,
    Policy,
    RecordedPrompts,
    Verdict,
    load_policy,
    screen,
)
from service.models.cases import Case, Literacy, Signal, SignalKind
from service.models.eligibility import Screening, ScreeningOutcome
from service.models.questionnaires import AnswerSet
from service.questionnaires.forms import load_form
from service.questionnaires.prompts import recorded_languages
from service.workflow import CaseEvent, CaseState, Track

TRACK_FOR = {
    ScreeningOutcome.ELIGIBLE_REPLACING: Track.REPLACING,
    ScreeningOutcome.ELIGIBLE_PREPARATORY: Track.PREPARATORY,
}


def active_policy() -> Policy:
    return load_policy(get_settings().eligibility_policy)


def recorded_prompts(policy: Policy) -> RecordedPrompts:
    """Per form the policy names: the languages whose spoken prompts are all recorded
    (read only where the policy's literacy rule asks for it)."""
    if not policy.literacy.admit_low_by_voice:
        return {}
    found = {}
    for form_key in set(policy.forms.values()):
        form_id, version = form_key.split("@")
        found[form_key] = recorded_languages(load_form(form_id, int(version)))
    return found


def profile(case: Case, signals: Iterable[str]) -> CaseProfile:
    return CaseProfile(
        nationality=case.nationality,
        languages=tuple(case.languages),
        literacy=Literacy(case.literacy),
        signals=frozenset(SignalKind(s) for s in signals),
    )


def _event_for(verdict: Verdict) -> CaseEvent:
    if verdict.outcome is ScreeningOutcome.EXCLUDED:
        return CaseEvent.SCREEN_EXCLUDED
    return CaseEvent.SCREEN_ELIGIBLE


def screen_case(db: Session, case: Case, actor: Actor, policy: Policy | None = None) -> Screening:
    """Screen one case (again), record the verdict and move the case accordingly."""
    policy = policy or active_policy()
    verdict = screen(
        policy, profile(case, (s.kind for s in case.signals)), recorded_prompts(policy)
    )
    track = TRACK_FOR.get(verdict.outcome)
    event = _event_for(verdict)
    # Ask the workflow (with the track this screening sets) before touching the case.
    procedure.check(db, case, event, changes={"track": track})
    if track and db.scalar(select(AnswerSet.id).where(AnswerSet.case_id == case.id)):
        raise FormAlreadyTaken(
            "The applicant already filled in the form; the case continues in the regular "
            "procedure and cannot re-enter the written hearing."
        )
    # One UPDATE of the case, as in bulk screening: no autoflush between track and state.
    with db.no_autoflush:
        if track:
            case.track = track
        case.policy_version = verdict.policy_version
        case.exclusion_reason = None if track else verdict.reason
        procedure.advance(db, case, event, actor, verdict.event_reason)
    screening = Screening(
        case_id=case.id,
        policy_version=verdict.policy_version,
        outcome=verdict.outcome,
        reason=verdict.reason,
        screened_by_id=actor.user_id,
    )
    db.add(screening)
    db.flush()
    return screening


@dataclass(frozen=True)
class SelectionOutcome:
    """What screening did to one case of a selection: its screening, or why none."""

    case_id: uuid.UUID
    v_number: str
    screening: Screening | None
    refusal: str = ""  # the refusal's code when the case could not be screened


def screen_selection(
    db: Session, cases: Sequence[Case], actor: Actor, policy: Policy | None = None
) -> list[SelectionOutcome]:
    """Screen (again) each case of a selection through ``screen_case``, each in its own
    savepoint: a case the policy or the workflow refuses stays as it was and the others
    go on. Every case is screened against the same policy version."""
    policy = policy or active_policy()
    outcomes = []
    for case in cases:
        try:
            with db.begin_nested():
                screening = screen_case(db, case, actor, policy)
        except DomainError as refusal:
            db.refresh(case)
            outcomes.append(SelectionOutcome(case.id, case.v_number, None, refusal.code))
        else:
            outcomes.append(SelectionOutcome(case.id, case.v_number, screening))
    return outcomes


def screen_imported(
    db: Session,
    actor: Actor,
    case_ids: Sequence[uuid.UUID] | None = None,
    policy: Policy | None = None,
) -> dict[str, int]:
    """Screen every case still in 'imported' (or the given ones) in bulk."""
    imported = Case.state == CaseState.IMPORTED
    if case_ids is not None:
        imported = imported & Case.id.in_(case_ids)
    query = select(Case.id, Case.nationality, Case.languages, Case.literacy).where(imported)
    rows = db.execute(query).all()
    signals: dict[uuid.UUID, set[str]] = {}
    waiting = select(Signal.case_id, Signal.kind).join(Case, Case.id == Signal.case_id)
    for case_id, kind in db.execute(waiting.where(imported)):
        signals.setdefault(case_id, set()).add(kind)
    profiles = {
        row.id: CaseProfile(
            row.nationality,
            tuple(row.languages),
            Literacy(row.literacy),
            frozenset(SignalKind(s) for s in signals.get(row.id, ())),
        )
        for row in rows
    }
    return screen_new(db, actor, profiles, policy)


def screen_new(
    db: Session,
    actor: Actor,
    profiles: Mapping[uuid.UUID, CaseProfile],
    policy: Policy | None = None,
) -> dict[str, int]:
    """Screen cases still in 'imported' in bulk, from their profiles (``screen_imported``
    reads them); the count per outcome.

    Same rules as :func:`screen_case` (the policy decides, the procedure engine moves
    the cases), written set-based so the whole backlog screens in seconds.
    """
    plan = plan_screening(actor, profiles, policy)
    procedure.advance_many(db, plan.moves, actor)
    record_screenings(db, plan)
    return plan.counts


@dataclass(frozen=True)
class ScreeningPlan:
    """A bulk screening decided and not yet written: each case's verdict, its move for
    the engine (from 'imported'), the screenings' rows and the count per outcome."""

    verdicts: dict[uuid.UUID, Verdict]
    moves: list[procedure.Planned]
    screenings: Sequence[dict[str, Any]]
    counts: dict[str, int]

    def formatted_for(self, dialect: Dialect) -> "ScreeningPlan":
        """The same plan with its screenings in the driver's form (``bulk.formatted``)."""
        return replace(self, screenings=formatted(dialect, Screening, self.screenings))


def plan_screening(
    actor: Actor, profiles: Mapping[uuid.UUID, CaseProfile], policy: Policy | None = None
) -> ScreeningPlan:
    """The verdicts for cases in 'imported' and what they write (``screen_new``), before
    anything is written: an import decides the screening of its new cases first and
    writes each case once, screened (``procedure.admit_rows``)."""
    policy = policy or active_policy()
    now = utcnow()
    recorded = recorded_prompts(policy)
    verdicts = {case_id: screen(policy, p, recorded) for case_id, p in profiles.items()}
    excluded = [(c, v.reason) for c, v in verdicts.items() if v.outcome not in TRACK_FOR]
    sealed = seal_many(Case.exclusion_reason, excluded)
    reasons = dict(zip((case_id for case_id, _ in excluded), sealed, strict=True))
    planned: list[procedure.Planned] = []
    screenings: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    screening_ids = new_ids(len(verdicts))
    for (case_id, verdict), screening_id in zip(verdicts.items(), screening_ids, strict=True):
        counts[verdict.outcome] = counts.get(verdict.outcome, 0) + 1
        changes = {
            "track": TRACK_FOR.get(verdict.outcome),
            "policy_version": policy.version,
            "exclusion_reason": reasons.get(case_id),
        }
        event, why = _event_for(verdict), verdict.event_reason
        planned.append(procedure.Planned(case_id, CaseState.IMPORTED, event, why, changes))
        screenings.append(
            {
                "id": screening_id,
                "case_id": case_id,
                "policy_version": policy.version,
                "outcome": verdict.outcome,
                "reason": verdict.reason,
                "screened_at": now,
                "screened_by_id": actor.user_id,
            }
        )
    return ScreeningPlan(verdicts, planned, screenings, counts)


def record_screenings(db: Session, plan: ScreeningPlan) -> None:
    """Write the screenings of a plan whose cases the engine has moved."""
    insert_rows(db, Screening, plan.screenings)


def screenings_of(db: Session, case_id: uuid.UUID) -> Sequence[Screening]:
    return db.scalars(
        select(Screening).where(Screening.case_id == case_id).order_by(Screening.screened_at)
    ).all()
