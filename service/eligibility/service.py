"""Screening cases against the active eligibility policy, one at a time or in bulk."""

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from service.cases.service import advance, facts_for
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.settings import get_settings
from service.eligibility.exceptions import FormAlreadyTaken
from service.eligibility.policy import CaseProfile, Policy, Verdict, load_policy, screen
from service.models.cases import Case, CaseEventRow, Literacy, Signal, SignalKind
from service.models.eligibility import Screening, ScreeningOutcome
from service.models.questionnaires import AnswerSet
from service.workflow import CaseEvent, CaseFacts, CaseState, Track, transition

TRACK_FOR = {
    ScreeningOutcome.ELIGIBLE_REPLACING: Track.REPLACING,
    ScreeningOutcome.ELIGIBLE_PREPARATORY: Track.PREPARATORY,
}


def active_policy() -> Policy:
    return load_policy(get_settings().eligibility_policy)


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
    verdict = screen(policy, profile(case, (s.kind for s in case.signals)))
    track = TRACK_FOR.get(verdict.outcome)
    event = _event_for(verdict)
    # Ask the workflow (with the track this screening sets) before touching the case.
    transition(CaseState(case.state), event, facts_for(db, case, track=track))
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
        advance(db, case, event, actor, verdict.reason)
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


def screen_imported(
    db: Session,
    actor: Actor,
    case_ids: Sequence[uuid.UUID] | None = None,
    policy: Policy | None = None,
) -> dict[str, int]:
    """Screen every case still in 'imported' (or the given ones) with bulk writes.

    Same rules as :func:`screen_case` (the policy and the workflow decide), written
    with executemany so the whole backlog screens in seconds.
    """
    policy = policy or active_policy()
    imported = Case.state == CaseState.IMPORTED
    query = select(Case.id, Case.nationality, Case.languages, Case.literacy).where(imported)
    rows = db.execute(query).all()
    if case_ids is not None:
        wanted = set(case_ids)
        rows = [r for r in rows if r.id in wanted]
    signals: dict[uuid.UUID, set[str]] = {}
    waiting = select(Signal.case_id, Signal.kind).join(Case, Case.id == Signal.case_id)
    for case_id, kind in db.execute(waiting.where(imported)):
        signals.setdefault(case_id, set()).add(kind)

    now = utcnow()
    case_updates: list[dict[str, Any]] = []
    screenings: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for row in rows:
        case_signals = signals.get(row.id, set())
        verdict = screen(
            policy,
            CaseProfile(
                row.nationality,
                tuple(row.languages),
                Literacy(row.literacy),
                frozenset(SignalKind(s) for s in case_signals),
            ),
        )
        track = TRACK_FOR.get(verdict.outcome)
        facts = CaseFacts(track=track, has_active_signal=bool(case_signals))
        target = transition(CaseState.IMPORTED, _event_for(verdict), facts)
        counts[verdict.outcome] = counts.get(verdict.outcome, 0) + 1
        case_updates.append(
            {
                "b_id": row.id,
                "state": target,
                "track": track,
                "policy_version": policy.version,
                "exclusion_reason": None if track else verdict.reason,
                # The milestone of entering 'screened' (cases.service.MILESTONES), as one by one.
                "screened_at": now if target is CaseState.SCREENED else None,
            }
        )
        screenings.append(
            {
                "id": uuid.uuid4(),
                "case_id": row.id,
                "policy_version": policy.version,
                "outcome": verdict.outcome,
                "reason": verdict.reason,
                "screened_at": now,
                "screened_by_id": actor.user_id,
            }
        )
        events.append(
            {
                "case_id": row.id,
                "event": _event_for(verdict).value,
                "from_state": CaseState.IMPORTED.value,
                "to_state": target.value,
                "actor_id": actor.user_id,
                "actor_role": actor.role,
                "at": now,
                "reason": verdict.reason,
            }
        )
    if case_updates:
        table = Case.__table__
        assert isinstance(table, Table)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                state=bindparam("state"),
                track=bindparam("track"),
                policy_version=bindparam("policy_version"),
                exclusion_reason=bindparam("exclusion_reason"),
                screened_at=bindparam("screened_at"),
                version=table.c.version + 1,
            )
        )
        db.connection().execute(stmt, case_updates)
        db.execute(insert(Screening), screenings)
        db.execute(insert(CaseEventRow), events)
    db.expire_all()
    return counts


def screenings_of(db: Session, case_id: uuid.UUID) -> Sequence[Screening]:
    return db.scalars(
        select(Screening).where(Screening.case_id == case_id).order_by(Screening.screened_at)
    ).all()
