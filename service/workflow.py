"""The written-hearing procedure as one pure state machine (no I/O).

Every other module asks :func:`transition` before it changes a case's state;
none re-implements a rule. See ``docs/workflow.md`` for the diagram.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from service.core.errors import Conflict
from service.core.formatting import in_english
from service.core.i18n import N_


class CaseState(StrEnum):
    IMPORTED = "imported"
    SCREENED = "screened"
    INVITED = "invited"
    CONSENTED = "consented"
    DECLINED = "declined"
    INVITATION_EXPIRED = "invitation_expired"
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    IN_TRANSLATION = "in_translation"
    TRANSLATED = "translated"
    WITH_LAWYER = "with_lawyer"
    CORRECTIONS_RECEIVED = "corrections_received"
    NO_CORRECTIONS = "no_corrections"
    CORRECTIONS_TERM_EXPIRED = "corrections_term_expired"
    READY_FOR_DECISION = "ready_for_decision"
    CLAIMED = "claimed"
    IN_REVIEW = "in_review"
    # The written registration interview (track ``registration``): translated, the answers
    # wait for the registration officer as a prepared file for the aanmeldgehoor.
    REGISTRATION_PREPARED = "registration_prepared"
    DECIDED_ON_FORM = "decided_on_form"
    PHYSICAL_HEARING_REQUIRED = "physical_hearing_required"
    WITHDRAWN = "withdrawn"
    EXCLUDED = "excluded"


# How each state reads on a page (translated through the catalogues).
STATE_LABELS: dict[CaseState, str] = {
    CaseState.IMPORTED: N_("Imported, to be screened"),
    CaseState.SCREENED: N_("Screened, to be invited"),
    CaseState.INVITED: N_("Invited, waiting for the lawyer"),
    CaseState.CONSENTED: N_("Consented, to be planned"),
    CaseState.DECLINED: N_("Declined by the lawyer"),
    CaseState.INVITATION_EXPIRED: N_("No reply in time"),
    CaseState.SCHEDULED: N_("Planned in a session"),
    CaseState.CHECKED_IN: N_("Checked in"),
    CaseState.IN_PROGRESS: N_("Filling in the form"),
    CaseState.SUBMITTED: N_("Form handed in"),
    CaseState.IN_TRANSLATION: N_("In translation"),
    CaseState.TRANSLATED: N_("Translated"),
    CaseState.WITH_LAWYER: N_("With the lawyer for corrections"),
    CaseState.CORRECTIONS_RECEIVED: N_("Corrections received"),
    CaseState.NO_CORRECTIONS: N_("No corrections"),
    CaseState.CORRECTIONS_TERM_EXPIRED: N_("Corrections term ended"),
    CaseState.READY_FOR_DECISION: N_("Ready for decision"),
    CaseState.CLAIMED: N_("With a decision officer"),
    CaseState.IN_REVIEW: N_("With a senior for review (four eyes)"),
    CaseState.REGISTRATION_PREPARED: N_("Registration interview prepared for the officer"),
    CaseState.DECIDED_ON_FORM: N_("Decided on the form"),
    CaseState.PHYSICAL_HEARING_REQUIRED: N_("Physical hearing required"),
    CaseState.WITHDRAWN: N_("Withdrawn"),
    CaseState.EXCLUDED: N_("Excluded from the written hearing"),
}


class CaseEvent(StrEnum):
    SCREEN_ELIGIBLE = "screen_eligible"
    SCREEN_EXCLUDED = "screen_excluded"
    # A planner selects a newly registered applicant for the written registration interview.
    SELECT_FOR_REGISTRATION = "select_for_registration"
    INVITE = "invite"
    CONSENT = "consent"
    DECLINE = "decline"
    EXPIRE_INVITATION = "expire_invitation"
    SCHEDULE = "schedule"
    UNSCHEDULE = "unschedule"
    RESCHEDULE = "reschedule"  # moved to another session or seat: the case stays planned
    CHECK_IN = "check_in"
    START_FORM = "start_form"
    SUBMIT = "submit"
    AUTO_SUBMIT = "auto_submit"
    SEND_TO_TRANSLATION = "send_to_translation"
    DELIVER_TRANSLATION = "deliver_translation"
    SEND_TO_LAWYER = "send_to_lawyer"
    PREPARE_REGISTRATION_FILE = "prepare_registration_file"
    RECEIVE_CORRECTIONS = "receive_corrections"
    NO_CORRECTIONS = "no_corrections"
    EXPIRE_CORRECTIONS_TERM = "expire_corrections_term"
    ROUTE_TO_DECISION = "route_to_decision"
    CLAIM = "claim"
    RELEASE = "release"
    REASSIGN = "reassign"
    SUBMIT_FOR_REVIEW = "submit_for_review"
    SEND_BACK = "send_back"
    HAND_OVER_TO_HEARING = "hand_over_to_hearing"
    DECIDE_ON_FORM = "decide_on_form"
    ORDER_PHYSICAL_HEARING = "order_physical_hearing"
    WITHDRAW = "withdraw"
    EXCLUDE = "exclude"


class ReasonKind(StrEnum):
    """What kind of text an event's reason is. Whoever writes an event says it
    (``procedure.advance`` takes a ``Reason``, never plain text); who may read the text
    follows from the kind alone, through the row of the field table it maps to
    (``service/fields.py``, ``REASONS``)."""

    STEP = "step"  # the service's words, or a party's note for everyone on the case
    INTERNAL = "internal"  # the IND's own handling (a file reassigned to a named officer)
    EXCLUSION = "exclusion"  # why a case left the written track: a signal, literacy, ...
    DECISION = "decision"  # the officer's motivation: on the form, or for a physical hearing
    REVIEW = "review"  # four eyes: why a decision goes to a senior, the senior's remarks


@dataclass(frozen=True)
class Reason:
    """An event's reason: the text and what kind of text it is. The service's own words
    are a msgid and its values (``Reason.step(N_("seat %(seat)s ..."), seat=3)``), stored
    in English and shown in the reader's language (``formatting.in_language``); what a
    person typed is stored and shown as typed."""

    kind: ReasonKind
    text: str

    @classmethod
    def step(cls, text: str, **values: object) -> "Reason":
        return cls(ReasonKind.STEP, in_english(text, **values))

    @classmethod
    def internal(cls, text: str, **values: object) -> "Reason":
        return cls(ReasonKind.INTERNAL, in_english(text, **values))

    @classmethod
    def exclusion(cls, text: str, **values: object) -> "Reason":
        return cls(ReasonKind.EXCLUSION, in_english(text, **values))

    @classmethod
    def decision(cls, text: str) -> "Reason":
        return cls(ReasonKind.DECISION, text)

    @classmethod
    def review(cls, text: str, **values: object) -> "Reason":
        return cls(ReasonKind.REVIEW, in_english(text, **values))


class Track(StrEnum):
    """What the written hearing is for, fixed at screening."""

    REPLACING = "replacing"  # kansrijk: the form may replace the physical hearing
    PREPARATORY = "preparatory"  # kansarm: the form only prepares the physical hearing
    # The written registration interview (aanmeldgehoor): factual questions, no decision;
    # the answers go to the registration officer and with the case into the later hearing.
    REGISTRATION = "registration"


S, E = CaseState, CaseEvent

# Decided, withdrawn or excluded: the written track has ended for this case.
# Declined / expired invitations also end it (the regular procedure follows).
TERMINAL_STATES = frozenset(
    {
        S.DECIDED_ON_FORM,
        S.PHYSICAL_HEARING_REQUIRED,
        S.WITHDRAWN,
        S.EXCLUDED,
        S.DECLINED,
        S.INVITATION_EXPIRED,
    }
)
OPEN_STATES = frozenset(S) - TERMINAL_STATES
# A case may only (re-)enter the written track through a new screening.
# A prepared registration interview is screened for the hearing like a new case.
SCREENABLE_STATES = frozenset({S.IMPORTED, S.SCREENED, S.REGISTRATION_PREPARED}) | (
    TERMINAL_STATES
    - {
        S.DECIDED_ON_FORM,
        S.PHYSICAL_HEARING_REQUIRED,
    }
)
DECIDED_STATES = frozenset({S.DECIDED_ON_FORM, S.PHYSICAL_HEARING_REQUIRED})

# Left the written track on the way (consent withdrawn, or an NV/1F signal): whatever the
# case held (a seat, an open invitation, an officer's claim) is released.
LEFT_TRACK = frozenset({S.WITHDRAWN, S.EXCLUDED})

# Invited and on, until the track ends: only here can a case hold something the procedure
# gave it (an open invitation, running terms, a seat, a kiosk sign-in, a translation job,
# an officer's claim). Imported and screened cases hold nothing yet; entering a terminal
# state released everything.
HOLDING_STATES = OPEN_STATES - {S.IMPORTED, S.SCREENED}

# The applicant's turn at the kiosk: kiosk codes and kiosk sign-ins work only here.
AT_THE_KIOSK = frozenset({S.CHECKED_IN, S.IN_PROGRESS})

# Out of the written track: the case's next step is a physical hearing (regular procedure).
PHYSICAL_HEARING_NEXT = frozenset(
    {S.EXCLUDED, S.WITHDRAWN, S.DECLINED, S.INVITATION_EXPIRED, S.PHYSICAL_HEARING_REQUIRED}
)

# The usual road through the procedure, in order (kansrijk, no corrections).
HAPPY_PATH: tuple[CaseState, ...] = (
    S.IMPORTED,
    S.SCREENED,
    S.INVITED,
    S.CONSENTED,
    S.SCHEDULED,
    S.CHECKED_IN,
    S.IN_PROGRESS,
    S.SUBMITTED,
    S.IN_TRANSLATION,
    S.WITH_LAWYER,
    S.READY_FOR_DECISION,
    S.CLAIMED,
    S.DECIDED_ON_FORM,
)

# The procedure, in order: (from, event) -> to.
_LINEAR: dict[tuple[CaseState, CaseEvent], CaseState] = {
    (S.SCREENED, E.INVITE): S.INVITED,
    # The written registration interview: the planner's selection clears a newly registered
    # case for planning (no lawyer's invitation); it then goes the way of every planned case,
    # through the kiosk and the translation, to a prepared file instead of the lawyer.
    (S.IMPORTED, E.SELECT_FOR_REGISTRATION): S.CONSENTED,
    (S.TRANSLATED, E.PREPARE_REGISTRATION_FILE): S.REGISTRATION_PREPARED,
    (S.INVITED, E.CONSENT): S.CONSENTED,
    (S.INVITED, E.DECLINE): S.DECLINED,
    (S.INVITED, E.EXPIRE_INVITATION): S.INVITATION_EXPIRED,
    (S.CONSENTED, E.SCHEDULE): S.SCHEDULED,
    (S.SCHEDULED, E.UNSCHEDULE): S.CONSENTED,
    (S.SCHEDULED, E.RESCHEDULE): S.SCHEDULED,
    (S.SCHEDULED, E.CHECK_IN): S.CHECKED_IN,
    (S.CHECKED_IN, E.START_FORM): S.IN_PROGRESS,
    (S.IN_PROGRESS, E.SUBMIT): S.SUBMITTED,
    (S.IN_PROGRESS, E.AUTO_SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, E.SEND_TO_TRANSLATION): S.IN_TRANSLATION,
    (S.IN_TRANSLATION, E.DELIVER_TRANSLATION): S.TRANSLATED,
    (S.TRANSLATED, E.SEND_TO_LAWYER): S.WITH_LAWYER,
    (S.WITH_LAWYER, E.RECEIVE_CORRECTIONS): S.CORRECTIONS_RECEIVED,
    (S.WITH_LAWYER, E.NO_CORRECTIONS): S.NO_CORRECTIONS,
    (S.WITH_LAWYER, E.EXPIRE_CORRECTIONS_TERM): S.CORRECTIONS_TERM_EXPIRED,
    (S.CORRECTIONS_RECEIVED, E.ROUTE_TO_DECISION): S.READY_FOR_DECISION,
    (S.NO_CORRECTIONS, E.ROUTE_TO_DECISION): S.READY_FOR_DECISION,
    (S.CORRECTIONS_TERM_EXPIRED, E.ROUTE_TO_DECISION): S.READY_FOR_DECISION,
    (S.READY_FOR_DECISION, E.CLAIM): S.CLAIMED,
    (S.CLAIMED, E.RELEASE): S.READY_FOR_DECISION,
    (S.CLAIMED, E.DECIDE_ON_FORM): S.DECIDED_ON_FORM,
    (S.CLAIMED, E.ORDER_PHYSICAL_HEARING): S.PHYSICAL_HEARING_REQUIRED,
    # Kansarm: the complete file goes straight to the planning of the physical hearing.
    (S.CORRECTIONS_RECEIVED, E.HAND_OVER_TO_HEARING): S.PHYSICAL_HEARING_REQUIRED,
    (S.NO_CORRECTIONS, E.HAND_OVER_TO_HEARING): S.PHYSICAL_HEARING_REQUIRED,
    (S.CORRECTIONS_TERM_EXPIRED, E.HAND_OVER_TO_HEARING): S.PHYSICAL_HEARING_REQUIRED,
    # A team lead hands a file to an officer (from the queue, or from another officer).
    (S.READY_FOR_DECISION, E.REASSIGN): S.CLAIMED,
    (S.CLAIMED, E.REASSIGN): S.CLAIMED,
    # Four eyes: a senior approves the decision on the form or sends it back.
    (S.CLAIMED, E.SUBMIT_FOR_REVIEW): S.IN_REVIEW,
    (S.IN_REVIEW, E.SEND_BACK): S.CLAIMED,
    (S.IN_REVIEW, E.DECIDE_ON_FORM): S.DECIDED_ON_FORM,
}

TRANSITIONS: dict[tuple[CaseState, CaseEvent], CaseState] = {
    **_LINEAR,
    **{(state, E.SCREEN_ELIGIBLE): S.SCREENED for state in SCREENABLE_STATES},
    **{(state, E.SCREEN_EXCLUDED): S.EXCLUDED for state in SCREENABLE_STATES},
    **{(state, E.WITHDRAW): S.WITHDRAWN for state in OPEN_STATES},
    **{(state, E.EXCLUDE): S.EXCLUDED for state in OPEN_STATES},
}


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need to know about a case. The engine reads them from the database
    (``service.procedure.facts``); no caller supplies them."""

    track: Track | None = None
    has_active_signal: bool = False
    coordinator_motives: frozenset[str] = frozenset()
    consulted_motives: frozenset[str] = frozenset()
    applicant_consent_confirmed: bool = False

    @property
    def missing_consultations(self) -> frozenset[str]:
        return self.coordinator_motives - self.consulted_motives


class WorkflowError(Conflict):
    """A move the procedure does not allow; the API answers 409."""

    code = "illegal_transition"


class GuardFailed(WorkflowError):
    code = "rule_violated"


def _written_track_allowed(facts: CaseFacts) -> str | None:
    if facts.has_active_signal:
        return N_("the case has an NV or 1F signal; it must get a physical hearing")
    return None


def _needs_consultation(facts: CaseFacts) -> str | None:
    missing = facts.missing_consultations
    if missing:
        why = N_(
            "a coordinator consultation must be recorded before the decision (motive: %(motives)s)"
        )
        return in_english(why, motives=", ".join(sorted(missing)))
    return None


def _may_decide_on_form(facts: CaseFacts) -> str | None:
    if facts.track is not Track.REPLACING:
        return N_(
            "a kansarm case (preparatory written hearing) can never be decided on the form; "
            "order a physical hearing"
        )
    return _written_track_allowed(facts) or _needs_consultation(facts)


def _is_kansarm(facts: CaseFacts) -> str | None:
    if facts.track is not Track.PREPARATORY:
        return N_("only a kansarm case (preparatory written hearing) goes straight to the hearing")
    return None


def _is_registration(facts: CaseFacts) -> str | None:
    if facts.track is not Track.REGISTRATION:
        return N_("only a registration interview is prepared for the registration officer")
    return None


def _goes_to_the_lawyer(facts: CaseFacts) -> str | None:
    if facts.track is Track.REGISTRATION:
        return N_("a registration interview goes to the registration officer, not to the lawyer")
    return None


def _goes_to_an_officer(facts: CaseFacts) -> str | None:
    if facts.track is Track.PREPARATORY:
        return N_("a kansarm file goes to the physical hearing, not to a decision officer")
    return _written_track_allowed(facts)


def _applicant_consented(facts: CaseFacts) -> str | None:
    if not facts.applicant_consent_confirmed:
        return N_("the applicant's own consent must be confirmed at check-in")
    return None


def _requires_track(facts: CaseFacts) -> str | None:
    if facts.track is None:
        return N_("an eligible screening must set the track (replacing or preparatory)")
    return _written_track_allowed(facts)


Guard = Callable[[CaseFacts], str | None]

# Rules that hold whatever the source state. Guards return a reason or None.
GUARDS: dict[CaseEvent, tuple[Guard, ...]] = {
    E.SCREEN_ELIGIBLE: (_requires_track,),
    E.SELECT_FOR_REGISTRATION: (_written_track_allowed,),
    E.INVITE: (_written_track_allowed,),
    E.CONSENT: (_written_track_allowed,),
    E.SCHEDULE: (_written_track_allowed,),
    E.RESCHEDULE: (_written_track_allowed,),
    E.CHECK_IN: (_written_track_allowed, _applicant_consented),
    E.START_FORM: (_written_track_allowed,),
    E.SEND_TO_LAWYER: (_goes_to_the_lawyer,),
    E.PREPARE_REGISTRATION_FILE: (_is_registration,),
    E.ROUTE_TO_DECISION: (_goes_to_an_officer,),
    E.CLAIM: (_written_track_allowed,),
    E.REASSIGN: (_written_track_allowed,),
    E.SUBMIT_FOR_REVIEW: (_may_decide_on_form,),
    E.DECIDE_ON_FORM: (_may_decide_on_form,),
    E.HAND_OVER_TO_HEARING: (_is_kansarm,),
    E.ORDER_PHYSICAL_HEARING: (_needs_consultation,),
}


# A guarded step's refusal, a sentence of its own per step so that it reads well in every
# language; ``rule`` is the guard's reason (``in_language`` reads it back too).
REFUSED_STEPS: dict[CaseEvent, str] = {
    E.SCREEN_ELIGIBLE: N_("Cannot screen eligible: %(rule)s."),
    E.SELECT_FOR_REGISTRATION: N_("Cannot select for the registration interview: %(rule)s."),
    E.SEND_TO_LAWYER: N_("Cannot send to the lawyer: %(rule)s."),
    E.PREPARE_REGISTRATION_FILE: N_("Cannot prepare the registration file: %(rule)s."),
    E.INVITE: N_("Cannot invite: %(rule)s."),
    E.CONSENT: N_("Cannot consent: %(rule)s."),
    E.SCHEDULE: N_("Cannot schedule: %(rule)s."),
    E.RESCHEDULE: N_("Cannot reschedule: %(rule)s."),
    E.CHECK_IN: N_("Cannot check in: %(rule)s."),
    E.START_FORM: N_("Cannot start form: %(rule)s."),
    E.ROUTE_TO_DECISION: N_("Cannot route to decision: %(rule)s."),
    E.CLAIM: N_("Cannot claim: %(rule)s."),
    E.REASSIGN: N_("Cannot reassign: %(rule)s."),
    E.SUBMIT_FOR_REVIEW: N_("Cannot submit for review: %(rule)s."),
    E.DECIDE_ON_FORM: N_("Cannot decide on form: %(rule)s."),
    E.HAND_OVER_TO_HEARING: N_("Cannot hand over to hearing: %(rule)s."),
    E.ORDER_PHYSICAL_HEARING: N_("Cannot order physical hearing: %(rule)s."),
}


def complete_file_event(track: Track | None) -> CaseEvent:
    """Where a complete file goes: a kansrijk one to the decision queue, a kansarm one
    straight to the planning of the physical hearing (no decision on the form)."""
    if track is Track.PREPARATORY:
        return E.HAND_OVER_TO_HEARING
    return E.ROUTE_TO_DECISION


def track_of(value: str | None) -> Track | None:
    """A case's stored track as the workflow reads it."""
    return Track(value) if value else None


def after_translation_event(track: Track | None) -> CaseEvent:
    """Where a translated form goes: a registration interview to the registration officer
    as a prepared file, every hearing form to the lawyer for corrections."""
    if track is Track.REGISTRATION:
        return E.PREPARE_REGISTRATION_FILE
    return E.SEND_TO_LAWYER


def guarded(event: CaseEvent) -> bool:
    """Whether a rule beyond the table holds for ``event`` (its guards need facts)."""
    return event in GUARDS


def next_state(state: CaseState, event: CaseEvent) -> CaseState | None:
    """The target of ``event`` from ``state`` by the table alone, or None."""
    return TRANSITIONS.get((state, event))


def transition(state: CaseState, event: CaseEvent, facts: CaseFacts) -> CaseState:
    """Return the state after ``event`` or raise why the procedure forbids it."""
    target = next_state(state, event)
    if target is None:
        raise WorkflowError(_illegal_reason(state, event))
    for guard in GUARDS.get(event, ()):
        reason = guard(facts)
        if reason:
            raise GuardFailed(in_english(REFUSED_STEPS[event], rule=reason))
    return target


def needs_physical_hearing(state: CaseState, track: Track | None) -> bool:
    """True when a nader gehoor will follow: out of the track, or kansarm (preparatory)."""
    return state in PHYSICAL_HEARING_NEXT or (
        track is Track.PREPARATORY and state is not S.IMPORTED
    )


def allowed_events(state: CaseState) -> list[CaseEvent]:
    return [event for (source, event) in TRANSITIONS if source is state]


def _illegal_reason(state: CaseState, event: CaseEvent) -> str:
    if state in (S.EXCLUDED, S.WITHDRAWN):
        why = N_(
            "The case is %(state)s; it can only re-enter the written track through a new screening."
        )
        return in_english(why, state=state.value)
    if state in DECIDED_STATES:
        return in_english(N_("The case is already decided (%(state)s)."), state=state.value)
    allowed = ", ".join(e.value for e in allowed_events(state)) or "none"
    why = N_("A case in state '%(state)s' cannot '%(event)s'. Allowed next steps: %(allowed)s.")
    return in_english(why, state=state.value, event=event.value, allowed=allowed)


def describe() -> str:
    """The procedure's rules as Markdown: the first part of docs/workflow.md, which
    ``service.procedure.describe`` completes with the side effects (a test keeps them equal)."""
    lines = [
        "# The workflow",
        "",
        "Generated by `python -m service.procedure > docs/workflow.md` from",
        "`service/workflow.py`, the single source of the procedure's rules, and from the",
        "subscribers registered with the engine (`service/procedure.py`).",
        "",
        "```mermaid",
        "stateDiagram-v2",
    ]
    lines += [f"    {a} --> {b}: {e}" for (a, e), b in _LINEAR.items()]
    lines += [
        "```",
        "",
        "Besides the moves drawn above:",
        "",
        f"- `withdraw` (consent withdrawn) and `exclude` (NV/1F signal) lead from every open "
        f"state to `withdrawn` / `excluded`. Open states: "
        f"{', '.join(f'`{s}`' for s in CaseState if s in OPEN_STATES)}.",
        f"- `screen_eligible` / `screen_excluded` lead from "
        f"{', '.join(f'`{s}`' for s in CaseState if s in SCREENABLE_STATES)} to `screened` / "
        "`excluded`: a case re-enters the written track only through a new screening.",
        "- `decided_on_form` and `physical_hearing_required` are final.",
        "- The written registration interview (aanmeldgehoor) is the track `registration`: "
        "`select_for_registration` clears a newly registered case for planning, it takes the "
        "kiosk and the translation like a hearing, and `prepare_registration_file` hands the "
        "translated answers to the registration officer (no decision, no lawyer's "
        "corrections). From `registration_prepared` the case is screened for the hearing like "
        "a new case; its registration answers go with it (`service/registration`).",
        "",
        "## Rules (guards)",
        "",
        "| event | rule |",
        "| --- | --- |",
    ]
    explained: dict[Guard, str] = {
        _written_track_allowed: "no NV/1F signal on the case",
        _needs_consultation: "a coordinator consultation for every LGBTI/conversion motive",
        _may_decide_on_form: "track `replacing` (kansrijk), no signal, consultations recorded",
        _applicant_consented: "the applicant's own consent confirmed at check-in",
        _requires_track: "the screening set a track; no signal",
        _is_kansarm: "track `preparatory` (kansarm)",
        _goes_to_an_officer: "track `replacing` (kansrijk); no signal",
        _is_registration: "track `registration` (written registration interview)",
        _goes_to_the_lawyer: "not track `registration` (that goes to the registration officer)",
    }
    for event, guards in GUARDS.items():
        lines.append(f"| `{event}` | {'; '.join(explained[g] for g in guards)} |")
    return "\n".join(lines) + "\n"
