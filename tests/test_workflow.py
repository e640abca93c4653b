"""The pure state machine against a transition table written out here by hand.

The expected table is NOT derived from ``service.workflow.TRANSITIONS``: it is the
procedure of DOMAIN.md (Kader 1) typed in again, so a changed or missing line in
the workflow module fails a test here.
"""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.workflow import (
    CaseEvent,
    CaseFacts,
    CaseState,
    GuardFailed,
    Track,
    WorkflowError,
    allowed_events,
    next_state,
    transition,
)

S, E = CaseState, CaseEvent

# The procedure in order: "from  event  to", one move a line.
PROCEDURE = """
    screened                  invite                    invited
    invited                   consent                   consented
    invited                   decline                   declined
    invited                   expire_invitation         invitation_expired
    consented                 schedule                  scheduled
    scheduled                 unschedule                consented
    scheduled                 reschedule                scheduled
    scheduled                 check_in                  checked_in
    checked_in                start_form                in_progress
    in_progress               submit                    submitted
    in_progress               auto_submit               submitted
    submitted                 send_to_translation       in_translation
    in_translation            deliver_translation       translated
    translated                send_to_lawyer            with_lawyer
    with_lawyer               receive_corrections       corrections_received
    with_lawyer               no_corrections            no_corrections
    with_lawyer               expire_corrections_term   corrections_term_expired
    corrections_received      route_to_decision         ready_for_decision
    no_corrections            route_to_decision         ready_for_decision
    corrections_term_expired  route_to_decision         ready_for_decision
    ready_for_decision        claim                     claimed
    claimed                   release                   ready_for_decision
    claimed                   decide_on_form            decided_on_form
    claimed                   order_physical_hearing    physical_hearing_required
    corrections_received      hand_over_to_hearing      physical_hearing_required
    no_corrections            hand_over_to_hearing      physical_hearing_required
    corrections_term_expired  hand_over_to_hearing      physical_hearing_required
    ready_for_decision        reassign                  claimed
    claimed                   reassign                  claimed
    claimed                   submit_for_review         in_review
    in_review                 send_back                 claimed
    in_review                 decide_on_form            decided_on_form
    imported                  select_for_registration   consented
    translated                prepare_registration_file registration_prepared
"""

# Withdrawal (consent withdrawn) and exclusion (NV/1F signal) reach every open state.
OPEN = {
    S.IMPORTED,
    S.SCREENED,
    S.INVITED,
    S.CONSENTED,
    S.SCHEDULED,
    S.CHECKED_IN,
    S.IN_PROGRESS,
    S.SUBMITTED,
    S.IN_TRANSLATION,
    S.TRANSLATED,
    S.WITH_LAWYER,
    S.CORRECTIONS_RECEIVED,
    S.NO_CORRECTIONS,
    S.CORRECTIONS_TERM_EXPIRED,
    S.READY_FOR_DECISION,
    S.CLAIMED,
    S.IN_REVIEW,
    S.REGISTRATION_PREPARED,
}
# A case (re-)enters the written track only through a screening, and only from here.
SCREENABLE = {
    S.IMPORTED,
    S.SCREENED,
    S.REGISTRATION_PREPARED,
    S.EXCLUDED,
    S.WITHDRAWN,
    S.DECLINED,
    S.INVITATION_EXPIRED,
}
DECIDED = {S.DECIDED_ON_FORM, S.PHYSICAL_HEARING_REQUIRED}


def _expected_table() -> dict[tuple[CaseState, CaseEvent], CaseState]:
    table: dict[tuple[CaseState, CaseEvent], CaseState] = {}
    for line in PROCEDURE.strip().splitlines():
        source, event, target = line.split()
        table[S(source), E(event)] = S(target)
    for state in OPEN:
        table[state, E.WITHDRAW] = S.WITHDRAWN
        table[state, E.EXCLUDE] = S.EXCLUDED
    for state in SCREENABLE:
        table[state, E.SCREEN_ELIGIBLE] = S.SCREENED
        table[state, E.SCREEN_EXCLUDED] = S.EXCLUDED
    return table


EXPECTED = _expected_table()
ALL_PAIRS = [(state, event) for state in S for event in E]
LEGAL = sorted(EXPECTED, key=str)
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in EXPECTED]

# Facts under which no guard objects: kansrijk, no signal, consent given, nothing to consult.
CLEAR = CaseFacts(track=Track.REPLACING, applicant_consent_confirmed=True)
KANSARM = CaseFacts(track=Track.PREPARATORY, applicant_consent_confirmed=True)
REGISTRATION = CaseFacts(track=Track.REGISTRATION, applicant_consent_confirmed=True)
SIGNAL = CaseFacts(track=Track.REPLACING, applicant_consent_confirmed=True, has_active_signal=True)


def _source_of(event: CaseEvent) -> CaseState:
    """One state from which ``event`` is legal by the expected table."""
    return next(state for (state, e) in LEGAL if e is event)


def test_expected_table_is_complete_and_consistent():
    # Guards the hand-written table itself: 34 procedure lines + 18x2 exits + 7x2 screenings.
    assert len(EXPECTED) == 34 + 2 * 18 + 2 * 7
    assert len(ALL_PAIRS) == len(S) * len(E)
    assert OPEN | {S.DECLINED, S.INVITATION_EXPIRED, S.WITHDRAWN, S.EXCLUDED} | DECIDED == set(S)


@pytest.mark.parametrize(("state", "event"), ALL_PAIRS, ids=lambda v: v.value)
def test_next_state_matches_the_procedure_for_every_state_and_event(state, event):
    assert next_state(state, event) == EXPECTED.get((state, event))


@pytest.mark.parametrize(("state", "event"), LEGAL, ids=lambda v: v.value)
def test_every_legal_move_succeeds_when_no_guard_objects(state, event):
    # The hand-over to the hearing is the kansarm track's move, the prepared file the
    # registration interview's; every other, kansrijk's.
    facts = {E.HAND_OVER_TO_HEARING: KANSARM, E.PREPARE_REGISTRATION_FILE: REGISTRATION}.get(
        event, CLEAR
    )
    assert transition(state, event, facts) is EXPECTED[state, event]


def test_a_registration_interview_goes_to_the_registration_officer_not_the_lawyer():
    assert transition(S.TRANSLATED, E.PREPARE_REGISTRATION_FILE, REGISTRATION) is (
        S.REGISTRATION_PREPARED
    )
    with pytest.raises(GuardFailed, match="registration officer"):
        transition(S.TRANSLATED, E.SEND_TO_LAWYER, REGISTRATION)
    with pytest.raises(GuardFailed, match="only a registration interview"):
        transition(S.TRANSLATED, E.PREPARE_REGISTRATION_FILE, CLEAR)
    with pytest.raises(GuardFailed, match="NV or 1F"):
        transition(
            S.IMPORTED,
            E.SELECT_FOR_REGISTRATION,
            CaseFacts(track=Track.REGISTRATION, has_active_signal=True),
        )


def test_only_kansarm_goes_straight_to_the_hearing_and_never_to_an_officer():
    with pytest.raises(GuardFailed, match="kansarm"):
        transition(S.NO_CORRECTIONS, E.HAND_OVER_TO_HEARING, CLEAR)
    with pytest.raises(GuardFailed, match="kansarm"):
        transition(S.NO_CORRECTIONS, E.ROUTE_TO_DECISION, KANSARM)


@pytest.mark.parametrize(("state", "event"), ILLEGAL, ids=lambda v: v.value)
def test_every_illegal_move_is_refused_naming_the_state(state, event):
    with pytest.raises(WorkflowError) as refused:
        transition(state, event, CLEAR)
    assert not isinstance(refused.value, GuardFailed)
    assert refused.value.code == "illegal_transition"
    assert state.value in refused.value.detail


# --- the rules of the procedure, as the table and the guards express them -----------------


@pytest.mark.parametrize("state", sorted(OPEN))
def test_withdraw_and_exclude_reach_every_open_state(state):
    assert transition(state, E.WITHDRAW, CLEAR) is S.WITHDRAWN
    assert transition(state, E.EXCLUDE, SIGNAL) is S.EXCLUDED


@pytest.mark.parametrize("state", sorted(set(S) - SCREENABLE))
def test_screening_is_refused_outside_the_screenable_states(state):
    for event in (E.SCREEN_ELIGIBLE, E.SCREEN_EXCLUDED):
        with pytest.raises(WorkflowError, match=state.value):
            transition(state, event, CLEAR)


@pytest.mark.parametrize("track", [Track.PREPARATORY, None])
def test_kansarm_or_unscreened_case_can_never_be_decided_on_the_form(track):
    facts = CaseFacts(track=track, applicant_consent_confirmed=True)
    with pytest.raises(GuardFailed, match="kansarm") as refused:
        transition(S.CLAIMED, E.DECIDE_ON_FORM, facts)
    assert refused.value.code == "rule_violated"
    # The only way out for such a case is the physical hearing.
    assert transition(S.CLAIMED, E.ORDER_PHYSICAL_HEARING, facts) is S.PHYSICAL_HEARING_REQUIRED


def test_kansrijk_case_may_be_decided_on_the_form():
    assert transition(S.CLAIMED, E.DECIDE_ON_FORM, CLEAR) is S.DECIDED_ON_FORM


@pytest.mark.parametrize("event", [E.DECIDE_ON_FORM, E.ORDER_PHYSICAL_HEARING])
@pytest.mark.parametrize(
    ("raised", "consulted", "missing"),
    [
        ({"lgbti"}, set(), "lgbti"),
        ({"conversion"}, set(), "conversion"),
        ({"lgbti", "conversion"}, {"lgbti"}, "conversion"),
        ({"lgbti", "conversion"}, {"conversion"}, "lgbti"),
    ],
)
def test_coordinator_motive_without_consultation_blocks_the_decision(
    event, raised, consulted, missing
):
    facts = CaseFacts(
        track=Track.REPLACING,
        coordinator_motives=frozenset(raised),
        consulted_motives=frozenset(consulted),
    )
    with pytest.raises(GuardFailed, match="coordinator consultation") as refused:
        transition(S.CLAIMED, event, facts)
    assert missing in refused.value.detail
    for done in consulted:
        assert done not in refused.value.detail


@pytest.mark.parametrize("event", [E.DECIDE_ON_FORM, E.ORDER_PHYSICAL_HEARING])
@pytest.mark.parametrize("raised", [{"lgbti"}, {"conversion"}, {"lgbti", "conversion"}])
def test_consultation_for_every_raised_motive_lets_the_decision_pass(event, raised):
    facts = CaseFacts(
        track=Track.REPLACING,
        coordinator_motives=frozenset(raised),
        consulted_motives=frozenset(raised),
    )
    assert transition(S.CLAIMED, event, facts) is EXPECTED[S.CLAIMED, event]


SIGNAL_BLOCKS = [
    E.INVITE,
    E.CONSENT,
    E.SCHEDULE,
    E.CHECK_IN,
    E.START_FORM,
    E.ROUTE_TO_DECISION,
    E.CLAIM,
    E.DECIDE_ON_FORM,
    E.SCREEN_ELIGIBLE,
]
# Ways out of the written track must stay open precisely when a signal is present.
SIGNAL_NEVER_BLOCKS = [
    E.EXCLUDE,
    E.WITHDRAW,
    E.SCREEN_EXCLUDED,
    E.ORDER_PHYSICAL_HEARING,
    E.DECLINE,
    E.EXPIRE_INVITATION,
    E.UNSCHEDULE,
    E.RELEASE,
]


@pytest.mark.parametrize("event", SIGNAL_BLOCKS)
def test_active_signal_blocks_every_step_further_into_the_written_track(event):
    for state in [s for (s, e) in LEGAL if e is event]:
        with pytest.raises(GuardFailed, match="NV or 1F signal"):
            transition(state, event, SIGNAL)
        # ... and without the signal the same move is fine.
        assert transition(state, event, CLEAR) is EXPECTED[state, event]


@pytest.mark.parametrize("event", SIGNAL_NEVER_BLOCKS)
def test_active_signal_never_blocks_a_way_out_of_the_written_track(event):
    for state in [s for (s, e) in LEGAL if e is event]:
        assert transition(state, event, SIGNAL) is EXPECTED[state, event]


def test_check_in_needs_the_applicants_own_consent():
    unconfirmed = CaseFacts(track=Track.REPLACING, applicant_consent_confirmed=False)
    with pytest.raises(GuardFailed, match="consent"):
        transition(S.SCHEDULED, E.CHECK_IN, unconfirmed)
    confirmed = CaseFacts(track=Track.REPLACING, applicant_consent_confirmed=True)
    assert transition(S.SCHEDULED, E.CHECK_IN, confirmed) is S.CHECKED_IN


def test_eligible_screening_must_set_a_track():
    with pytest.raises(GuardFailed, match="track"):
        transition(S.IMPORTED, E.SCREEN_ELIGIBLE, CaseFacts(track=None))
    for track in Track:
        assert transition(S.IMPORTED, E.SCREEN_ELIGIBLE, CaseFacts(track=track)) is S.SCREENED


@pytest.mark.parametrize("state", [S.EXCLUDED, S.WITHDRAWN])
def test_excluded_or_withdrawn_case_reenters_only_through_screening(state):
    for event in E:
        if event is E.SCREEN_ELIGIBLE:
            assert transition(state, event, CLEAR) is S.SCREENED
        elif event is E.SCREEN_EXCLUDED:
            assert transition(state, event, CLEAR) is S.EXCLUDED
        else:
            with pytest.raises(WorkflowError, match="screening") as refused:
                transition(state, event, CLEAR)
            assert state.value in refused.value.detail


@pytest.mark.parametrize("state", sorted(DECIDED))
def test_decided_states_are_final(state):
    assert allowed_events(state) == []
    for event in E:
        with pytest.raises(WorkflowError, match="already decided"):
            transition(state, event, CLEAR)


@pytest.mark.parametrize("state", list(S))
def test_allowed_events_lists_exactly_the_legal_moves(state):
    events = allowed_events(state)
    assert len(events) == len(set(events))
    assert set(events) == {e for (s, e) in EXPECTED if s is state}


def test_refusal_lists_the_allowed_next_steps():
    with pytest.raises(WorkflowError) as refused:
        transition(S.SUBMITTED, E.CONSENT, CLEAR)
    for event in ("send_to_translation", "withdraw", "exclude"):
        assert event in refused.value.detail


# --- random walks ----------------------------------------------------------------------------

MOTIVES = [frozenset(), frozenset({"lgbti"}), frozenset({"conversion"})]
MOTIVES.append(MOTIVES[1] | MOTIVES[2])
EXITS = {E.WITHDRAW, E.EXCLUDE, E.SCREEN_EXCLUDED, E.DECLINE, E.EXPIRE_INVITATION}

# One step of a walk as plain numbers (cheap to draw, shrinks well), read by `_step`.
steps = st.lists(
    st.tuples(
        st.integers(0, 99),  # kind of move: forward, but 40-44 an exit and 45-54 anything
        st.integers(0, 99),  # which event of that kind
        # Hypothesis favours boundary values, so the rare cases sit in the middle.
        st.integers(0, 9),  # 7: an NV/1F signal is present
        st.integers(0, 9),  # 7: the applicant's consent was not confirmed
        st.integers(0, 3),  # raised coordinator motives
        st.integers(0, 4),  # consulted motives (4: all raised ones, the usual case)
    ),
    min_size=10,
    max_size=80,
)


def _step(
    state: CaseState, track: Track | None, numbers: tuple[int, ...]
) -> tuple[CaseEvent, CaseFacts]:
    kind, pick, signal, consent, raised, consulted = numbers
    legal = sorted(e for (s, e) in EXPECTED if s is state)
    forward = [e for e in legal if e not in EXITS]
    exits = [e for e in legal if e in EXITS]
    if 40 <= kind < 45 and exits:
        event = exits[pick % len(exits)]
    elif 45 <= kind < 55 or not forward:
        event = list(E)[pick % len(E)]
    else:
        event = forward[pick % len(forward)]
    facts = CaseFacts(
        track=track,
        has_active_signal=signal == 7,
        applicant_consent_confirmed=consent != 7,
        coordinator_motives=MOTIVES[raised],
        consulted_motives=MOTIVES[raised] if consulted == 4 else MOTIVES[consulted],
    )
    return event, facts


@settings(max_examples=400, deadline=None)
@given(track=st.sampled_from([Track.PREPARATORY, Track.REPLACING, None]), walk=steps)
def test_random_walks_respect_the_table_and_never_decide_kansarm_on_the_form(track, walk):
    """From `imported`; about a quarter of the kansarm walks reach `claimed` and try to decide."""
    state = S.IMPORTED
    for numbers in walk:
        event, facts = _step(state, track, numbers)
        try:
            target = transition(state, event, facts)
        except WorkflowError:
            continue
        assert (state, event) in EXPECTED
        assert target is EXPECTED[state, event]
        assert state not in DECIDED, f"left the decided state {state}"
        if target is S.DECIDED_ON_FORM:
            assert track is Track.REPLACING
            assert not facts.has_active_signal
            assert facts.coordinator_motives <= facts.consulted_motives
        state = target


def test_the_happy_path_is_a_chain_of_legal_moves():
    """Each step is one move, or two through a state the service passes at once
    (translated -> with_lawyer, no_corrections -> ready_for_decision)."""
    from service.workflow import HAPPY_PATH, TRANSITIONS

    def after(state):
        return {t for (s, _), t in TRANSITIONS.items() if s is state}

    for here, there in itertools.pairwise(HAPPY_PATH):
        one = after(here)
        assert there in one | {t for step in one for t in after(step)}, (here, there)
