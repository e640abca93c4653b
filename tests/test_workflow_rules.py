"""Rules of the procedure that tests/test_workflow.py leaves implicit: which states mean a
physical hearing follows, a guard that must hold when a caller forgets a fact, and the
exact words of each refusal (the problem's ``detail`` is all the caller is told).

As in tests/test_workflow.py the expectations are typed in by hand, not derived from
``service.workflow``.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from service import procedure
from service.core.clock import utcnow
from service.decisions import service as decisions
from service.decisions.schemas import DecisionIn
from service.invitations import service as invitations
from service.models import Role, Signal, SignalKind
from service.models.invitations import Invitation
from service.workflow import (
    CaseEvent,
    CaseFacts,
    CaseState,
    GuardFailed,
    Reason,
    Track,
    WorkflowError,
    needs_physical_hearing,
    transition,
)
from tests.helpers import API, ok

S, E = CaseState, CaseEvent

# Out of the written track: the regular procedure (a nader gehoor) follows.
LEFT_THE_WRITTEN_TRACK = {
    S.EXCLUDED,
    S.WITHDRAWN,
    S.DECLINED,
    S.INVITATION_EXPIRED,
    S.PHYSICAL_HEARING_REQUIRED,
}


# --- physical_hearing_next ------------------------------------------------------------------


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("track", [Track.REPLACING, None])
def test_a_kansrijk_or_unscreened_case_needs_a_physical_hearing_only_once_out_of_the_track(
    state, track
):
    assert needs_physical_hearing(state, track) is (state in LEFT_THE_WRITTEN_TRACK)


@pytest.mark.parametrize("state", list(S))
def test_a_kansarm_case_needs_a_physical_hearing_from_screening_on(state):
    assert needs_physical_hearing(state, Track.PREPARATORY) is (state is not S.IMPORTED)


def test_a_declined_invitation_reports_a_physical_hearing_next(client, db, factory):
    lawyer, planner = factory.person(Role.LAWYER), factory.person(Role.PLANNER)
    case = factory.case_in(S.INVITED)
    (invitation,) = ok(client.get(f"{API}/invitations", headers=lawyer.headers))
    db.commit()
    ok(
        client.post(
            f"{API}/invitations/{invitation['id']}/reply",
            headers=lawyer.headers,
            json={
                "consent": False,
                "decline_reason": "prefers_physical_hearing",
                "note": "client prefers an interview",
            },
        )
    )
    for person in (lawyer, planner):
        seen = ok(client.get(f"{API}/cases/{case.id}", headers=person.headers))
        assert (seen["state"], seen["physical_hearing_next"]) == ("declined", True)


def test_an_expired_invitation_reports_a_physical_hearing_next(client, db, factory):
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(S.INVITED)
    invitation = db.scalars(select(Invitation).where(Invitation.case_id == case.id)).one()
    invitation.reply_due_at = case.reply_due_at = utcnow() - timedelta(minutes=1)
    db.flush()
    assert invitations.expire(db, invitation.id)
    db.commit()
    seen = ok(client.get(f"{API}/cases/{case.id}", headers=lawyer.headers))
    assert (seen["state"], seen["physical_hearing_next"]) == ("invitation_expired", True)


def test_a_kansrijk_case_on_its_way_reports_no_physical_hearing_next(client, db, factory):
    lawyer = factory.person(Role.LAWYER)
    case = factory.case_in(S.CONSENTED)
    db.commit()
    seen = ok(client.get(f"{API}/cases/{case.id}", headers=lawyer.headers))
    assert (seen["state"], seen["track"], seen["physical_hearing_next"]) == (
        "consented",
        "replacing",
        False,
    )


# --- the engine reads the facts; a caller has no say -----------------------------------------


def test_the_check_in_guard_reads_the_consent_recorded_on_the_booking(db, factory):
    with pytest.raises(GuardFailed, match="consent"):
        transition(S.SCHEDULED, E.CHECK_IN, CaseFacts(track=Track.REPLACING))
    case = factory.case_in(S.SCHEDULED)
    with pytest.raises(GuardFailed, match="consent"):
        procedure.check(db, case, E.CHECK_IN)  # the host has not confirmed it on the booking
    factory.booking(case).applicant_consent_confirmed = True
    db.flush()
    assert procedure.check(db, case, E.CHECK_IN) is S.CHECKED_IN
    assert case.state == S.SCHEDULED


def test_a_decision_guard_reads_the_consultations_itself(db, factory):
    case = factory.case_in(S.CLAIMED, coordinator_motives=["lgbti"])
    for event in (E.DECIDE_ON_FORM, E.ORDER_PHYSICAL_HEARING):
        with pytest.raises(GuardFailed, match="coordinator consultation"):
            procedure.check(db, case, event)
    factory.consult_all(case)
    for event in (E.DECIDE_ON_FORM, E.ORDER_PHYSICAL_HEARING):
        assert procedure.check(db, case, event) is TARGETS[event]


TARGETS = {
    E.DECIDE_ON_FORM: S.DECIDED_ON_FORM,
    E.ORDER_PHYSICAL_HEARING: S.PHYSICAL_HEARING_REQUIRED,
}


def signal_behind_the_engines_back(db, case) -> None:
    """A signal stored without the move that excludes the case (a concurrent import, say):
    the case is still claimed, and only what the engine reads itself can know of it."""
    db.add(Signal(case_id=case.id, kind=SignalKind.NV, source="IND: concurrent import"))
    db.flush()


def test_a_signalled_case_is_never_decided_on_the_form_whatever_the_caller_passes(db, factory):
    officer = factory.person(Role.OFFICER).actor
    case = factory.case_in(S.CLAIMED)
    signal_behind_the_engines_back(db, case)
    why = Reason.decision("complete")
    decision = DecisionIn(outcome="decided_on_form", kind="grant", reason="complete")
    with pytest.raises(GuardFailed, match="NV or 1F signal"):
        decisions.decide(db, case, officer, decision)
    # The engine takes no facts from a caller: claiming "no signal" is not even a call.
    with pytest.raises(TypeError):
        procedure.advance(db, case, E.DECIDE_ON_FORM, officer, why, has_active_signal=False)  # type: ignore[call-arg]
    with pytest.raises(GuardFailed, match="NV or 1F signal"):
        procedure.advance(db, case, E.DECIDE_ON_FORM, officer, why)
    # Nor through the statement path, which reads the facts of a whole batch itself.
    move = procedure.Planned(case.id, S.CLAIMED, E.DECIDE_ON_FORM, why)
    with pytest.raises(GuardFailed, match="NV or 1F signal"):
        procedure.advance_many(db, [move], officer)
    db.refresh(case)
    assert case.state == S.CLAIMED


def test_take_next_does_not_hand_out_a_signalled_file(db, factory):
    officer = factory.person(Role.OFFICER).actor
    case = factory.case_in(S.READY_FOR_DECISION)
    signal_behind_the_engines_back(db, case)
    with pytest.raises(GuardFailed, match="NV or 1F signal"):
        decisions.claim_next(db, officer)


# --- the words of each refusal --------------------------------------------------------------

CLEAR = CaseFacts(track=Track.REPLACING, applicant_consent_confirmed=True)
MOTIVES = frozenset({"lgbti", "conversion"})

REFUSALS = [
    pytest.param(
        S.SCREENED,
        E.INVITE,
        CaseFacts(track=Track.REPLACING, has_active_signal=True),
        "Cannot invite: the case has an NV or 1F signal; it must get a physical hearing.",
        id="signal",
    ),
    pytest.param(
        S.SCHEDULED,
        E.CHECK_IN,
        CaseFacts(track=Track.REPLACING),
        "Cannot check in: the applicant's own consent must be confirmed at check-in.",
        id="consent",
    ),
    pytest.param(
        S.IMPORTED,
        E.SCREEN_ELIGIBLE,
        CaseFacts(),
        "Cannot screen eligible: an eligible screening must set the track "
        "(replacing or preparatory).",
        id="track",
    ),
    pytest.param(
        S.CLAIMED,
        E.DECIDE_ON_FORM,
        CaseFacts(track=Track.PREPARATORY),
        "Cannot decide on form: a kansarm case (preparatory written hearing) can never be "
        "decided on the form; order a physical hearing.",
        id="kansarm",
    ),
    pytest.param(
        S.CLAIMED,
        E.ORDER_PHYSICAL_HEARING,
        CaseFacts(track=Track.REPLACING, coordinator_motives=MOTIVES),
        "Cannot order physical hearing: a coordinator consultation must be recorded before "
        "the decision (motive: conversion, lgbti).",
        id="two-consultations",
    ),
    pytest.param(
        S.CLAIMED,
        E.DECIDE_ON_FORM,
        CaseFacts(
            track=Track.REPLACING,
            coordinator_motives=MOTIVES,
            consulted_motives=frozenset({"conversion"}),
        ),
        "Cannot decide on form: a coordinator consultation must be recorded before "
        "the decision (motive: lgbti).",
        id="one-consultation",
    ),
    pytest.param(
        S.EXCLUDED,
        E.INVITE,
        CLEAR,
        "The case is excluded; it can only re-enter the written track through a new screening.",
        id="excluded",
    ),
    pytest.param(
        S.WITHDRAWN,
        E.CONSENT,
        CLEAR,
        "The case is withdrawn; it can only re-enter the written track through a new screening.",
        id="withdrawn",
    ),
    pytest.param(
        S.DECIDED_ON_FORM,
        E.WITHDRAW,
        CLEAR,
        "The case is already decided (decided_on_form).",
        id="decided",
    ),
    pytest.param(
        S.SUBMITTED,
        E.CONSENT,
        CLEAR,
        "A case in state 'submitted' cannot 'consent'. "
        "Allowed next steps: send_to_translation, withdraw, exclude.",
        id="illegal",
    ),
    pytest.param(
        S.INVITED,
        E.SCHEDULE,
        CLEAR,
        "A case in state 'invited' cannot 'schedule'. "
        "Allowed next steps: consent, decline, expire_invitation, withdraw, exclude.",
        id="illegal-several-ways-on",
    ),
]


@pytest.mark.parametrize(("state", "event", "facts", "detail"), REFUSALS)
def test_every_refusal_names_the_step_and_the_rule_in_plain_words(state, event, facts, detail):
    with pytest.raises(WorkflowError) as refused:
        transition(state, event, facts)
    assert refused.value.detail == detail
    guarded = detail.startswith("Cannot")
    assert refused.value.code == ("rule_violated" if guarded else "illegal_transition")
