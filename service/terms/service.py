"""Terms: each step's due date, computed in working days when the step starts, stored
with the policy version and never moved by a later policy; planners may extend one.

The due date is also written where the step's own rows keep it (the invitation, the
translation job, the case), so each domain checks its own term without asking this one.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service import procedure
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.i18n import N_
from service.core.settings import get_settings
from service.messages import service as messages
from service.models.cases import Case
from service.models.invitations import Invitation, InvitationStatus
from service.models.terms import Term, TermStep
from service.models.translation import Translation
from service.terms.exceptions import NoOpenTerm
from service.terms.policy import (
    TermPolicy,
    add_working_days,
    end_of_day,
    load_policy,
    local_date,
    start_of_day,
)
from service.terms.schemas import ExtensionIn
from service.workflow import HOLDING_STATES, TERMINAL_STATES, CaseState, Reason

S = CaseState

# A step's term ends when the case reaches one of these states (or leaves the track).
STEP_ENDS: dict[TermStep, frozenset[CaseState]] = {
    TermStep.INVITATION_REPLY: frozenset({S.CONSENTED, S.DECLINED, S.INVITATION_EXPIRED}),
    TermStep.TRANSLATION: frozenset({S.TRANSLATED}),
    TermStep.CORRECTIONS: frozenset(
        {S.CORRECTIONS_RECEIVED, S.NO_CORRECTIONS, S.CORRECTIONS_TERM_EXPIRED}
    ),
    TermStep.DECISION: frozenset(),
    TermStep.TARGET: frozenset(),
}
EXTENDED = "extend_term"  # the event an extension writes in the case's log


def current_policy() -> TermPolicy:
    return load_policy(get_settings().term_policy)


def start(db: Session, case: Case, step: TermStep, working_days: int | None = None) -> Term:
    """Start the term of ``step`` now; a term still running for the step is closed first.
    ``working_days`` overrides the policy's term for this one case (agreed by the planner)."""
    policy = current_policy()
    now = utcnow()
    _close(db, [case.id], {step}, now)
    term = _new_term(policy, case.id, step, now, working_days)
    db.add(term)
    db.flush()
    _mirror(db, case, term)
    return term


def _new_term(
    policy: TermPolicy, case_id: uuid.UUID, step: TermStep, now: datetime, days: int | None = None
) -> Term:
    days = days or policy.working_days[step]
    due_on = add_working_days(local_date(now), days)
    remind_at = None
    if step in policy.remind:
        remind_on = add_working_days(due_on, -policy.reminder_working_days_before)
        remind_at = max(now, start_of_day(remind_on))
    return Term(
        case_id=case_id,
        step=step,
        policy_version=policy.version,
        working_days=days,
        started_at=now,
        due_at=end_of_day(due_on),
        remind_at=remind_at,
    )


def open_term(db: Session, case_id: uuid.UUID, step: TermStep) -> Term | None:
    return db.scalar(
        select(Term).where(Term.case_id == case_id, Term.step == step, Term.closed_at.is_(None))
    )


def terms_of(db: Session, case_id: uuid.UUID) -> Sequence[Term]:
    return db.scalars(select(Term).where(Term.case_id == case_id).order_by(Term.started_at)).all()


def extend(db: Session, actor: Actor, case: Case, extension: ExtensionIn) -> Term:
    """Give one case more time for one step: the due date moves ``working_days`` on."""
    step, working_days, reason = extension.step, extension.working_days, extension.reason
    term = open_term(db, case.id, step)
    if term is None:
        raise NoOpenTerm(
            f"The case has no running {step.value.replace('_', ' ')} term to extend.", field="step"
        )
    term.due_at = end_of_day(add_working_days(local_date(term.due_at), working_days))
    term.extended_days += working_days
    # A new due date earns a new reminder.
    if term.remind_at is not None:
        policy = current_policy()
        remind_on = add_working_days(local_date(term.due_at), -policy.reminder_working_days_before)
        term.remind_at = max(utcnow(), start_of_day(remind_on))
        term.reminded_at = None
    term.overdue_at = None
    _mirror(db, case, term)
    procedure.record(
        db,
        case,
        EXTENDED,
        actor,
        Reason.step(
            N_("%(step)s term extended by %(days)s working day(s) to %(due)s: %(reason)s"),
            step=step.value,
            days=working_days,
            due=local_date(term.due_at),
            reason=reason,
        ),
    )
    return term


def _mirror(db: Session, case: Case, term: Term) -> None:
    """Write the due date where the step's own domain reads it."""
    if term.step is TermStep.INVITATION_REPLY:
        case.reply_due_at = term.due_at
        db.execute(
            update(Invitation)
            .where(Invitation.case_id == case.id, Invitation.status == InvitationStatus.OPEN)
            .values(reply_due_at=term.due_at)
        )
    elif term.step is TermStep.TRANSLATION:
        db.execute(
            update(Translation)
            .where(
                Translation.case_id == case.id,
                Translation.delivered_at.is_(None),
                Translation.cancelled_at.is_(None),
            )
            .values(due_at=term.due_at)
        )
    elif term.step is TermStep.CORRECTIONS:
        case.corrections_due_at = term.due_at
    elif term.step is TermStep.TARGET:
        case.target_date = local_date(term.due_at)


def _close(db: Session, case_ids: list[uuid.UUID], steps: set[TermStep], at: datetime) -> None:
    db.execute(
        update(Term)
        .where(Term.case_id.in_(case_ids), Term.step.in_(steps), Term.closed_at.is_(None))
        .values(closed_at=at)
        .execution_options(synchronize_session="fetch")
    )


@procedure.on_enter(*{state for states in STEP_ENDS.values() for state in states})
def _end_step(db: Session, moves: Sequence[procedure.Move]) -> None:
    """A step that ended (the lawyer replied, the translation arrived, the corrections
    came in or their term ran out) closes its term."""
    ended = {step for step, states in STEP_ENDS.items() if moves[0].target in states}
    _close(db, procedure.case_ids(moves), ended, utcnow())


@procedure.on_enter(*TERMINAL_STATES, after=HOLDING_STATES)
def _end_all(db: Session, moves: Sequence[procedure.Move]) -> None:
    """Decided, or out of the written track: no term runs on any more."""
    _close(db, procedure.case_ids(moves), set(TermStep), utcnow())


@procedure.on_enter(S.READY_FOR_DECISION)
def _start_decision_term(db: Session, moves: Sequence[procedure.Move]) -> None:
    """A file in the decision queue starts its decision term; one released back to the
    queue by an officer keeps the term that runs."""
    ids = procedure.case_ids(moves)
    running = set(
        db.scalars(
            select(Term.case_id).where(
                Term.case_id.in_(ids), Term.step == TermStep.DECISION, Term.closed_at.is_(None)
            )
        )
    )
    policy, now = current_policy(), utcnow()
    step = TermStep.DECISION
    db.add_all([_new_term(policy, case_id, step, now) for case_id in ids if case_id not in running])
    db.flush()  # one multi-row INSERT


# --- the periodic sweep --------------------------------------------------------------------


def reminders_due(db: Session) -> Sequence[uuid.UUID]:
    return db.scalars(
        select(Term.id)
        .where(
            Term.closed_at.is_(None),
            Term.reminded_at.is_(None),
            Term.remind_at <= utcnow(),
        )
        .order_by(Term.remind_at)
    ).all()


def remind(db: Session, term_id: uuid.UUID) -> bool:
    """Note that whoever must act was reminded; idempotent (a second run finds it done)."""
    term = db.get(Term, term_id)
    now = utcnow()
    if term is None or term.closed_at is not None or term.reminded_at is not None:
        return False
    if term.remind_at is None or term.remind_at > now:
        return False
    term.reminded_at = now
    messages.remind(db, term)
    db.flush()
    return True


def passed_unflagged(db: Session) -> Sequence[uuid.UUID]:
    """Running terms of the service's own side (translation, decision) that have passed."""
    return db.scalars(
        select(Term.id)
        .where(
            Term.closed_at.is_(None),
            Term.overdue_at.is_(None),
            Term.step.in_(current_policy().flag_overdue),
            Term.due_at <= utcnow(),
        )
        .order_by(Term.due_at)
    ).all()


def flag_overdue(db: Session, term_id: uuid.UUID) -> bool:
    term = db.get(Term, term_id)
    now = utcnow()
    if term is None or term.closed_at is not None or term.overdue_at is not None:
        return False
    if term.due_at > now:
        return False
    term.overdue_at = now
    db.flush()
    return True


def overdue(db: Session, limit: int = 500, offset: int = 0) -> Sequence[Term]:
    """Flagged terms still running, oldest due first (the planner's list)."""
    return db.scalars(
        select(Term)
        .where(Term.closed_at.is_(None), Term.overdue_at.is_not(None))
        .order_by(Term.due_at, Term.id)
        .limit(limit)
        .offset(offset)
    ).all()
