"""Routing to decision officers: claiming (with a lease), reassigning, the outcome, four
eyes, the hand-off to the physical hearing, signals raised at the workbench and the
officer's handling time. Every state change goes through ``service.procedure``."""

import functools
import hashlib
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.orm import Session

from service import procedure
from service.cases import service as cases
from service.cases.schemas import SignalIn
from service.core.actor import SYSTEM, Actor
from service.core.clock import utcnow
from service.core.i18n import N_
from service.core.settings import get_settings
from service.decisions import queries
from service.decisions.exceptions import (
    FinalDecisionRecorded,
    GrantOnTheForm,
    NoHandoff,
    NoOpenReview,
    NotAnOfficer,
    NotASenior,
    NotATeamLead,
    NotDecidedYet,
    NotInYourTeam,
    NotYourClaim,
    OfficerLacksSkills,
    OutsideYourSkills,
    OwnDecision,
    RemarksRequired,
)
from service.decisions.schemas import (
    DecisionIn,
    FinalDecisionIn,
    OfficerProfileIn,
    Outcome,
    ReassignIn,
    SignalRaiseIn,
)
from service.models.auth import Role, User
from service.models.cases import Case, CaseEventRow
from service.models.decisions import (
    Decision,
    DecisionKind,
    DecisionReview,
    FinalDecision,
    FinalOutcome,
    HearingHandoff,
    HearingReason,
    OfficerProfile,
    ReviewGround,
    ReviewVerdict,
    SignalReferral,
    Team,
    WorkInterval,
)
from service.workflow import (
    DECIDED_STATES,
    HOLDING_STATES,
    LEFT_TRACK,
    CaseEvent,
    CaseState,
    Reason,
)

WORKBENCH_SOURCE = "the form's answers (decision officer's workbench)"


# --- claims ------------------------------------------------------------------------------
# A claim is who holds the file (``claimed_by_id``) and until when (``lease_expires_at``).
# Written one way: ``_holding`` gives the columns, ``_hold`` writes them for files already
# moved (claim, reassign, send back, a renewed lease, a claim that ends), and "take next"
# hands the same columns to the engine's statement that picks and moves the file.


def _holding(holder: uuid.UUID | None) -> dict[str, Any]:
    """The claim's columns: the holder and the end of their lease (nobody: no lease)."""
    lease = utcnow() + timedelta(minutes=get_settings().claim_lease_minutes)
    return {"claimed_by_id": holder, "lease_expires_at": lease if holder else None}


def _hold(db: Session, case_ids: Collection[uuid.UUID], holder: uuid.UUID | None) -> None:
    # The values are literals so that a case loaded in the session shows them at once.
    db.execute(update(Case).where(Case.id.in_(case_ids)).values(**_holding(holder)))


def _fits_skills(db: Session, case: Case, skills: OfficerProfile | queries.Skills | None) -> bool:
    found = db.scalar(select(Case.id).where(Case.id == case.id, *queries.takeable(skills)))
    return found is not None


def claim(db: Session, case: Case, officer: Actor) -> None:
    """Claim one particular file from the queue."""
    if not _fits_skills(db, case, queries.skills_of(db, officer.user_id)):
        raise OutsideYourSkills(
            "This file asks for skills (nationality, language or motive) you do not have."
        )
    procedure.advance(db, case, CaseEvent.CLAIM, officer, Reason.step(N_("claimed for decision")))
    _hold(db, [case.id], officer.user_id)


@dataclass(frozen=True)
class Claimed:
    """The file "take next" handed to the officer."""

    id: uuid.UUID
    v_number: str
    state: CaseState
    claimed_by_id: uuid.UUID | None
    lease_expires_at: datetime


def _first_of(*takeable: ColumnElement[bool]) -> procedure.FirstInLine:
    """The statement of "take next": the first file of the queue it may take, moved."""
    queue = select(Case.id).where(*takeable).order_by(*queries.queue_order())
    return procedure.first_in_line(
        CaseState.READY_FOR_DECISION,
        CaseEvent.CLAIM,
        queue,
        changed=tuple(_holding(None)),
        returning=(Case.v_number,),
    )


@functools.lru_cache(maxsize=256)
def _next_for(skills: queries.Skills | None) -> procedure.FirstInLine:
    """The statement "take next" runs for officers with these skills, built once."""
    return _first_of(*queries.takeable(skills))


@functools.cache
def _next_for_holder() -> procedure.FirstInLine:
    """The statement "take next" runs on PostgreSQL, for every officer, built once: the
    skills of the file's new holder (``claimed_by_id``) are read in it."""
    return _first_of(queries.takeable_by(bindparam("claimed_by_id")))


def claim_next(db: Session, officer: Actor) -> Claimed | None:
    """Take the most urgent file this officer may take, or None when there is none.

    The busiest write of the queue: ONE statement picks the file and moves it
    (``procedure.advance_first``). PostgreSQL: it reads the officer's skills itself
    (built once); the pick skips rows other officers are claiming this instant, so
    officers pressing "take next" at once each get a different file. SQLite: the skills
    read first, the statement built once per set of skills; writers begin with BEGIN
    IMMEDIATE (docs/request-model.md), which serialises them."""
    held = _holding(officer.user_id)
    why = Reason.step(N_("taken from the queue"))
    if db.get_bind().dialect.name == "postgresql":
        first = _next_for_holder()
    else:
        first = _next_for(queries.skills_of(db, officer.user_id))
    taken = procedure.advance_first(db, first, officer, why, changes=held)
    if taken is None:
        return None
    move, picked = taken
    return Claimed(
        move.case_id, picked.v_number, move.target, officer.user_id, held["lease_expires_at"]
    )


def _require_claimant(case: Case, officer: Actor) -> None:
    if case.state == CaseState.CLAIMED and case.claimed_by_id != officer.user_id:
        raise NotYourClaim(N_("Another officer has claimed this case."))


def renew_lease(db: Session, case: Case, officer: Actor) -> None:
    if case.state == CaseState.CLAIMED and case.claimed_by_id == officer.user_id:
        _hold(db, [case.id], officer.user_id)


def release(db: Session, case: Case, officer: Actor) -> None:
    _require_claimant(case, officer)
    procedure.advance(
        db, case, CaseEvent.RELEASE, officer, Reason.step(N_("released back to the queue"))
    )


def expired_claims(db: Session) -> Sequence[uuid.UUID]:
    """Claims whose lease has ended (the sweep fans out one job per case)."""
    return db.scalars(
        select(Case.id).where(Case.state == CaseState.CLAIMED, Case.lease_expires_at <= utcnow())
    ).all()


def expire_claim(db: Session, case_id: uuid.UUID) -> bool:
    """Return an abandoned claim to the queue. Idempotent."""
    case = db.get_one(Case, case_id)
    if case.state is not CaseState.CLAIMED or case.lease_expires_at is None:
        return False
    if case.lease_expires_at > utcnow():
        return False
    procedure.advance(
        db,
        case,
        CaseEvent.RELEASE,
        SYSTEM,
        Reason.step(N_("the claim's lease ended: back in the queue")),
    )
    return True


def _require_team_lead(db: Session, lead: Actor) -> OfficerProfile:
    profile = queries.profile_of(db, lead.user_id)
    if profile is None or not profile.team_lead or profile.team_id is None:
        raise NotATeamLead(N_("Only a team lead reassigns files."))
    return profile


def reassign(db: Session, case: Case, lead: Actor, body: ReassignIn) -> None:
    """A team lead hands a file (in the queue or claimed) to an officer of their team."""
    lead_profile = _require_team_lead(db, lead)
    target = queries.profile_of(db, body.officer_id)
    user = db.get(User, body.officer_id)
    if target is None or user is None or user.role != Role.OFFICER:
        raise NotInYourTeam(N_("Choose an officer of your team."), field="officer_id")
    if target.team_id != lead_profile.team_id:
        raise NotInYourTeam(N_("Choose an officer of your team."), field="officer_id")
    if not _fits_skills(db, case, queries.skills_of(db, body.officer_id)):
        raise OfficerLacksSkills(
            N_("This officer lacks the experience this file needs."), field="officer_id"
        )
    why = Reason.internal(
        N_("reassigned by the team lead to %(officer)s"), officer=user.display_name
    )
    procedure.advance(db, case, CaseEvent.REASSIGN, lead, why)
    _hold(db, [case.id], body.officer_id)


@procedure.on_enter(
    CaseState.READY_FOR_DECISION, *LEFT_TRACK, *DECIDED_STATES, after=HOLDING_STATES
)
def _end_claim(db: Session, moves: Sequence[procedure.Move]) -> None:
    """Back in the queue, out of the track or decided: no officer holds the file, so no
    stretch of work on it stays open (a later page event of its last holder is refused)."""
    ids = procedure.case_ids(moves)
    _hold(db, ids, None)
    db.execute(
        update(WorkInterval)
        .where(WorkInterval.case_id.in_(ids), WorkInterval.closed.is_(False))
        .values(closed=True)
    )


# --- kansarm: straight to the physical hearing -----------------------------------------------


@procedure.on_event(CaseEvent.HAND_OVER_TO_HEARING)
def _kansarm_hand_off(db: Session, moves: Sequence[procedure.Move]) -> None:
    """A kansarm file never waits for a decision on the form: it goes to the planning of
    the nader gehoor, its written answers with it (the hand-off record)."""
    reasons = [HearingReason.KANSARM_POLICY.value]
    db.add_all([HearingHandoff(case_id=m.case_id, reason_codes=reasons) for m in moves])
    db.flush()  # one multi-row INSERT


# --- the outcome -------------------------------------------------------------------------


def _claimed_at(db: Session, case: Case) -> datetime:
    """When the deciding officer last took the file."""
    claimed = db.scalars(
        select(CaseEventRow.at)
        .where(
            CaseEventRow.case_id == case.id,
            CaseEventRow.event.in_([CaseEvent.CLAIM.value, CaseEvent.REASSIGN.value]),
        )
        .order_by(CaseEventRow.id.desc())
    ).first()
    assert claimed is not None, "a decided case was claimed first"
    return claimed


# The event's reason when a decision goes to a senior, by why it goes.
FOUR_EYES = {
    ReviewGround.PROBATION: N_("four eyes (probation)"),
    ReviewGround.EXTERNAL: N_("four eyes (external)"),
    ReviewGround.SAMPLE: N_("four eyes (sample)"),
}


def review_ground(
    db: Session, officer_id: uuid.UUID | None, case_id: uuid.UUID
) -> ReviewGround | None:
    """Why this decision goes to a senior first, or None."""
    settings = get_settings()
    profile = queries.profile_of(db, officer_id)
    if profile is not None and profile.external:
        return ReviewGround.EXTERNAL
    probation = timedelta(days=settings.review_probation_days)
    if profile is not None and utcnow().date() - profile.started_on < probation:
        return ReviewGround.PROBATION
    # A fixed draw per case: the same file always falls in or out of the sample.
    draw = int.from_bytes(hashlib.sha256(case_id.bytes).digest()[:8]) / 2**64
    return ReviewGround.SAMPLE if draw < settings.review_share else None


def decide(db: Session, case: Case, officer: Actor, body: DecisionIn) -> Decision | DecisionReview:
    """Decide on the form (kansrijk, no signal, consultations answered) or order a physical
    hearing. A decision on the form that four eyes must see goes to a senior first."""
    _require_claimant(case, officer)
    if case.state is CaseState.IN_REVIEW:
        raise NoOpenReview("The drafted decision waits for a senior's review.")
    if body.outcome is Outcome.PHYSICAL_HEARING_REQUIRED:
        # The motivation is the decision's and the hand-off's: read as the narrower one.
        why = Reason.decision(body.reason)
        procedure.advance(db, case, CaseEvent.ORDER_PHYSICAL_HEARING, officer, why)
        decision = _final(db, case, officer.user_id, body, reviewer_id=None)
        db.add(
            HearingHandoff(
                case_id=case.id,
                reason_codes=[c.value for c in body.reason_codes],
                motivation=body.reason,
                estimated_days=body.estimated_days,
                handed_over_by_id=officer.user_id,
            )
        )
        db.flush()
        return decision
    ground = review_ground(db, officer.user_id, case.id)
    if ground is None:
        why = Reason.decision(body.reason)
        procedure.advance(db, case, CaseEvent.DECIDE_ON_FORM, officer, why)
        return _final(db, case, officer.user_id, body, reviewer_id=None)
    assert officer.user_id is not None
    why = Reason.review(FOUR_EYES[ground])
    procedure.advance(db, case, CaseEvent.SUBMIT_FOR_REVIEW, officer, why)
    review = DecisionReview(
        case_id=case.id,
        drafted_by_id=officer.user_id,
        ground=ground.value,
        proposal=body.model_dump(mode="json"),
    )
    db.add(review)
    db.flush()
    return review


def _final(
    db: Session,
    case: Case,
    officer_id: uuid.UUID | None,
    body: DecisionIn,
    reviewer_id: uuid.UUID | None,
) -> Decision:
    assert officer_id is not None
    decision = Decision(
        case_id=case.id,
        officer_id=officer_id,
        outcome=body.outcome.value,
        kind=body.kind.value if body.kind else None,
        reason=body.reason,
        third_party_weighing=body.third_party_weighing,
        reviewed_by_id=reviewer_id,
        claimed_at=_claimed_at(db, case),
        decided_at=utcnow(),
    )
    db.add(decision)
    db.flush()
    return decision


# --- four eyes ---------------------------------------------------------------------------


def open_review(db: Session, case_id: uuid.UUID) -> DecisionReview | None:
    return db.scalar(
        select(DecisionReview).where(
            DecisionReview.case_id == case_id, DecisionReview.reviewed_at.is_(None)
        )
    )


def reviews_waiting(
    db: Session, limit: int = 200, offset: int = 0
) -> Sequence[tuple[DecisionReview, Case]]:
    rows = db.execute(
        select(DecisionReview, Case)
        .join(Case, Case.id == DecisionReview.case_id)
        .where(DecisionReview.reviewed_at.is_(None), Case.state == CaseState.IN_REVIEW)
        .order_by(DecisionReview.requested_at, DecisionReview.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [(r, c) for r, c in rows]


def is_senior(db: Session, actor: Actor) -> bool:
    profile = queries.profile_of(db, actor.user_id)
    return profile is not None and profile.senior


def review(
    db: Session, case: Case, reviewer: Actor, verdict: ReviewVerdict, remarks: str
) -> Decision | DecisionReview:
    """A senior approves the drafted decision (it becomes final) or sends it back."""
    if not is_senior(db, reviewer):
        raise NotASenior("Only a senior officer reviews decisions.")
    pending = open_review(db, case.id)
    if pending is None or case.state is not CaseState.IN_REVIEW:
        raise NoOpenReview("No drafted decision waits for review on this case.")
    if pending.drafted_by_id == reviewer.user_id:
        raise OwnDecision("Four eyes: another senior reviews your own decision.")
    if verdict is ReviewVerdict.SENT_BACK and not remarks.strip():
        raise RemarksRequired(N_("Say what the officer should change."), field="remarks")
    pending.reviewer_id = reviewer.user_id
    pending.verdict = verdict.value
    pending.remarks = remarks
    pending.reviewed_at = utcnow()
    if verdict is ReviewVerdict.SENT_BACK:
        why = Reason.review(N_("four eyes: sent back: %(remarks)s"), remarks=remarks)
        procedure.advance(db, case, CaseEvent.SEND_BACK, reviewer, why)
        _hold(db, [case.id], pending.drafted_by_id)
        db.flush()
        return pending
    body = DecisionIn.model_validate(pending.proposal)
    approved = N_("four eyes: approved: %(remarks)s") if remarks else N_("four eyes: approved")
    why = Reason.review(approved, **({"remarks": remarks} if remarks else {}))
    procedure.advance(db, case, CaseEvent.DECIDE_ON_FORM, reviewer, why)
    return _final(db, case, pending.drafted_by_id, body, reviewer_id=reviewer.user_id)


# --- the hand-off to the physical hearing --------------------------------------------------


def handoff_of(db: Session, case_id: uuid.UUID) -> HearingHandoff:
    found = db.scalar(select(HearingHandoff).where(HearingHandoff.case_id == case_id))
    if found is None:
        raise NoHandoff("This case has no hand-off to a physical hearing.")
    return found


def record_actual_days(db: Session, case_id: uuid.UUID, days: int) -> HearingHandoff:
    """After the nader gehoor: how many days it took (time saved can then be measured)."""
    handoff = handoff_of(db, case_id)
    handoff.actual_days = days
    handoff.actual_recorded_at = utcnow()
    db.flush()
    return handoff


# --- the final outcome --------------------------------------------------------------------


def record_final_decision(
    db: Session, case: Case, officer: Actor, body: FinalDecisionIn
) -> FinalDecision:
    """The application's final outcome, once: after a grant on the form, or when the
    regular procedure that followed (an intended rejection, the nader gehoor) ended."""
    if case.state not in DECIDED_STATES:
        raise NotDecidedYet("Only a case decided on the form or handed to a nader gehoor.")
    if db.scalar(select(FinalDecision.id).where(FinalDecision.case_id == case.id)):
        raise FinalDecisionRecorded("This case's final outcome is recorded already.")
    kind = db.scalar(select(Decision.kind).where(Decision.case_id == case.id))
    if kind == DecisionKind.GRANT and body.outcome is not FinalOutcome.GRANT:
        raise GrantOnTheForm("The decision on the form granted the application.")
    final = FinalDecision(
        case_id=case.id,
        outcome=body.outcome.value,
        recorded_by_id=officer.user_id,
        decided_at=utcnow(),
    )
    db.add(final)
    db.flush()
    return final


# --- signals from the answers ------------------------------------------------------------


def raise_signal(db: Session, case: Case, officer: Actor, body: SignalRaiseIn) -> SignalReferral:
    """An NV or 1F signal found in the answers: the case leaves the written track at once
    and goes to unit 1F, with who raised it and why."""
    _require_claimant(case, officer)
    signal = cases.add_signal(
        db, case, SignalIn(kind=body.kind, source=WORKBENCH_SOURCE, reason=body.reason), officer
    )
    assert officer.user_id is not None
    referral = SignalReferral(case_id=case.id, signal_id=signal.id, referred_by_id=officer.user_id)
    db.add(referral)
    db.flush()
    return referral


def referrals(db: Session, limit: int = 200) -> Sequence[SignalReferral]:
    return db.scalars(
        select(SignalReferral).order_by(SignalReferral.referred_at.desc()).limit(limit)
    ).all()


# --- handling time -----------------------------------------------------------------------


def note_activity(
    db: Session, case: Case, officer: Actor, event: str = "working", at: datetime | None = None
) -> None:
    """Page events and heartbeats: extend the officer's open stretch of work, or start a
    new one after an idle gap (which is not counted). ``close`` ends the stretch.
    Only the officer who holds the file records time on it (and renews its lease)."""
    assert officer.user_id is not None
    if case.claimed_by_id != officer.user_id:
        raise NotYourClaim("Only the officer who holds this file records time on it.")
    now = at or utcnow()
    idle = timedelta(minutes=get_settings().handling_idle_minutes)
    current = db.scalars(
        select(WorkInterval)
        .where(
            WorkInterval.case_id == case.id,
            WorkInterval.officer_id == officer.user_id,
            WorkInterval.closed.is_(False),
            WorkInterval.last_seen_at >= now - idle,
        )
        .order_by(WorkInterval.last_seen_at.desc())
    ).first()
    if current is not None:
        current.last_seen_at = max(current.last_seen_at, now)
        current.closed = event == "close"
    elif event != "close":
        db.add(
            WorkInterval(
                case_id=case.id, officer_id=officer.user_id, started_at=now, last_seen_at=now
            )
        )
    renew_lease(db, case, officer)
    db.flush()


# --- officers ----------------------------------------------------------------------------


def team_named(db: Session, name: str, location_id: uuid.UUID | None = None) -> Team:
    found = db.scalar(select(Team).where(Team.name == name))
    if found is None:
        found = Team(name=name, location_id=location_id)
        db.add(found)
        db.flush()
    return found


def set_profile(db: Session, user: User, body: OfficerProfileIn) -> OfficerProfile:
    """Record an officer's skills, team and seniority (replaces what was there)."""
    if user.role != Role.OFFICER:
        raise NotAnOfficer("Only decision officers have a decision profile.")
    profile = db.get(OfficerProfile, user.id) or OfficerProfile(user_id=user.id)
    values = body.model_dump(exclude={"team"})
    for name, value in values.items():
        setattr(profile, name, value)
    profile.team_id = team_named(db, body.team).id if body.team else None
    db.add(profile)
    db.flush()
    return profile
