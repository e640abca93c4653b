"""The event log for process mining: every recorded step of every case, without personal
data. A case is named by a stable pseudonym (a keyed hash of its id: the same case has
the same name in every export, and nobody without the key can tell which case it is);
the events carry what happened, when, and which role did it — never a name, a V-number,
a user id or a reason text."""

import hashlib
import hmac
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.core.clock import as_utc
from service.core.settings import get_settings
from service.models.cases import Case, CaseEventRow
from service.models.decisions import FinalDecision, HearingHandoff

LIFECYCLE = "complete"  # every recorded step is a completed one
# Steps recorded outside the case's state changes.
HEARING_HELD = "physical_hearing_held"
FINAL_DECISION = "final_decision"


def pseudonym(case_id: uuid.UUID) -> str:
    """A stable pseudonymous case id: HMAC-SHA256 of the id under a key derived from
    the installation's secret key for this purpose only."""
    key = hmac.new(get_settings().secret_key.encode(), b"event-log", hashlib.sha256).digest()
    return hmac.new(key, case_id.bytes, hashlib.sha256).hexdigest()[:20]


@dataclass(frozen=True)
class LogEvent:
    activity: str
    at: datetime
    resource: str  # the role that took the step
    state: str  # the case's state after it


@dataclass(frozen=True)
class LogCase:
    case_id: str  # the pseudonym
    nationality: str
    track: str
    outcome: str  # the final outcome, or the state the case is in
    events: list[LogEvent]


def event_log(db: Session, batch: int = 2000) -> Iterator[LogCase]:
    """Every case with its events in the order they happened, a batch of cases at a time
    (ordered by pseudonym, so two exports of the same data are the same file)."""
    cases = db.execute(
        select(Case.id, Case.nationality, Case.track, Case.state).order_by(Case.id)
    ).all()
    named = sorted(cases, key=lambda c: pseudonym(c.id))
    for start in range(0, len(named), batch):
        chunk = named[start : start + batch]
        ids = [c.id for c in chunk]
        events = _events(db, ids)
        outcomes = select(FinalDecision.case_id, FinalDecision.outcome).where(
            FinalDecision.case_id.in_(ids)
        )
        finals = {case_id: outcome for case_id, outcome in db.execute(outcomes)}
        for case in chunk:
            yield LogCase(
                case_id=pseudonym(case.id),
                nationality=case.nationality,
                track=case.track or "",
                outcome=finals.get(case.id) or str(case.state),
                events=[e for _, e in sorted(events.get(case.id, []), key=_order)],
            )


Keyed = tuple[tuple[datetime, int], LogEvent]


def _order(keyed: Keyed) -> tuple[datetime, int]:
    return keyed[0]


def _events(db: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Keyed]]:
    """(order key, event) per case: the state changes, the nader gehoor held, the final
    decision. The key keeps events of one instant in the order they were written."""
    found: dict[uuid.UUID, list[Keyed]] = {}

    def add(case_id: uuid.UUID, at: datetime, seq: int, event: LogEvent) -> None:
        found.setdefault(case_id, []).append(((at, seq), event))

    rows = select(
        CaseEventRow.case_id,
        CaseEventRow.id,
        CaseEventRow.event,
        CaseEventRow.at,
        CaseEventRow.actor_role,
        CaseEventRow.to_state,
    ).where(CaseEventRow.case_id.in_(ids))
    for case_id, seq, name, at, role, state in db.execute(rows):
        at = as_utc(at)
        add(case_id, at, seq, LogEvent(name, at, role, state))
    held = select(HearingHandoff.case_id, HearingHandoff.actual_recorded_at).where(
        HearingHandoff.case_id.in_(ids), HearingHandoff.actual_recorded_at.is_not(None)
    )
    last = 2**62  # after every state change of the same instant
    for case_id, recorded in db.execute(held):
        assert recorded is not None
        at = as_utc(recorded)
        add(case_id, at, last, LogEvent(HEARING_HELD, at, "officer", "physical_hearing_required"))
    finals = select(FinalDecision.case_id, FinalDecision.decided_at, FinalDecision.outcome).where(
        FinalDecision.case_id.in_(ids)
    )
    for case_id, at, outcome in db.execute(finals):
        at = as_utc(at)
        add(case_id, at, last + 1, LogEvent(FINAL_DECISION, at, "officer", outcome))
    return found
