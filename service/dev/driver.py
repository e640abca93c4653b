"""Drive a case through the procedure with the real services, step by step, each step
taken by the role that takes it in reality. The demo data and the test factories both
use it, so every case they produce is one the procedure could produce.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from service.cases import service as cases
from service.cases.schemas import SignalIn
from service.consultations import service as consultations
from service.core.actor import Actor
from service.corrections import service as corrections
from service.corrections.schemas import CorrectionItemIn, CorrectionsIn, Typed
from service.decisions import service as decisions
from service.decisions.schemas import DecisionIn, Outcome
from service.eligibility.service import screen_case
from service.invitations import service as invitations
from service.invitations.schemas import ReplyIn
from service.models.auth import Role
from service.models.cases import Case, SignalKind
from service.models.decisions import DecisionKind, ReviewVerdict
from service.models.invitations import DeclineReason
from service.models.sessions import HearingSession
from service.questionnaires import service as questionnaires
from service.questionnaires.forms import FormDefinition, Question, QuestionType
from service.sessions import service as sessions
from service.sessions.schemas import Identity
from service.translation import service as translation
from service.workflow import HAPPY_PATH, CaseState

S = CaseState
# Side exits from the happy path: the state after which each one leaves it.
EXITS = {
    S.DECLINED: S.INVITED,
    S.WITHDRAWN: S.CONSENTED,
    S.EXCLUDED: S.SUBMITTED,  # e.g. a 1F signal found in the form's own answers
    S.PHYSICAL_HEARING_REQUIRED: S.CLAIMED,
}


def path_to(target: CaseState) -> list[CaseState]:
    """The states a case passes from import to ``target``, in order."""
    if target in EXITS:
        return [*HAPPY_PATH[: HAPPY_PATH.index(EXITS[target]) + 1], target]
    return list(HAPPY_PATH[: HAPPY_PATH.index(target) + 1])


STORY = "In my own words: why I left, and what I fear on return."


def complete_answers(form: FormDefinition, story: str = STORY) -> dict[str, Any]:
    """A valid answer to every question of ``form``, by its type (groups: one item);
    ``story`` answers the last open question."""
    # Told once, in the last open question: the first ones may not apply to everyone.
    last = [q.id for q in form.questions if q.type is QuestionType.LONG_TEXT][-1:]
    return {q.id: _sample_answer(q, story if q.id in last else STORY) for q in form.questions}


def _sample_answer(question: Question, story: str = STORY) -> Any:
    sample: dict[QuestionType, Any] = {
        QuestionType.TEXT: "Antwoord",
        QuestionType.LONG_TEXT: story,
        QuestionType.DATE: "1990-05-17",
        QuestionType.YES_NO: True,
        QuestionType.NUMBER: 2,
    }
    match question.type:
        case QuestionType.CHOICE:
            return question.options[0].value
        case QuestionType.MULTI_CHOICE:
            return [question.options[0].value]
        case QuestionType.GROUP:
            return [{sub.id: _sample_answer(sub, story) for sub in question.questions}]
        case _:
            value = sample[question.type]
            return value[: question.max_length] if isinstance(value, str) else value


class Cast(Protocol):
    """Who takes each step of a case."""

    def actor(self, role: Role, case: Case) -> Actor: ...

    def host(self, location_id: uuid.UUID) -> Actor: ...

    def translator(self, agency_id: uuid.UUID) -> Actor: ...

    def coordinator(self, motive: str) -> Actor: ...

    def senior(self, drafter: Actor) -> Actor: ...


def lawyer_of(case: Case) -> Actor:
    assert case.lawyer_id is not None, "only a case with a lawyer can be invited"
    return Actor(role=Role.LAWYER, user_id=case.lawyer_id)


def reply_of(consent: bool) -> ReplyIn:
    """The lawyer's reply in the demo and the replay: a decline gives its reason."""
    if consent:
        return ReplyIn(consent=True)
    return ReplyIn(
        consent=False,
        decline_reason=DeclineReason.PREFERS_PHYSICAL_HEARING,
        note="client prefers a physical hearing",
    )


def applicant_of(case: Case) -> Actor:
    return Actor(role=Role.APPLICANT, case_id=case.id)


@dataclass
class Driver:
    db: Session
    cast: Cast
    form: FormDefinition
    seat: Callable[[Case], HearingSession]  # the session a case is booked in
    agency: Callable[[Case], str]  # the agency a form is sent to, by name
    # The lawyer's corrections and additions (None: "no corrections").
    corrections: Callable[[Case], list[CorrectionItemIn] | None] = lambda case: None
    kiosk_codes: dict[str, str] = field(default_factory=dict)  # by V-number
    # A decision on the form: its kind; a physical hearing: the officer's 1-or-2-day estimate.
    kind: Callable[[Case], DecisionKind] = lambda case: DecisionKind.GRANT
    estimated_days: Callable[[Case], int] = lambda case: 1
    # What the applicant writes in the open questions.
    story: Callable[[Case], str] = lambda case: STORY

    def drive(self, case: Case, target: CaseState) -> None:
        """Move ``case`` from where it is now to ``target``."""
        path = path_to(target)
        for state in path[path.index(case.state) + 1 :]:
            if case.state == target:
                break  # a kansarm file goes to the physical hearing by itself
            self.step(case, state)
        assert case.state == target, f"driver reached {case.state}, not {target}"

    def step(self, case: Case, state: CaseState) -> None:
        db, planner = self.db, self.cast.actor(Role.PLANNER, case)
        match state:
            case S.SCREENED:
                screen_case(db, case, planner)
            case S.INVITED:
                invitations.invite(db, case, planner)
            case S.CONSENTED | S.DECLINED:
                self._reply(case, consent=state is S.CONSENTED)
            case S.WITHDRAWN:
                cases.withdraw(db, case, lawyer_of(case), "client wants a physical hearing")
            case S.SCHEDULED:
                sessions.book(db, self.seat(case), case, planner)
            case S.CHECKED_IN:
                booking = sessions.active_booking_for(db, case.id)
                assert booking is not None
                hearing = db.get_one(HearingSession, booking.session_id)
                host = self.cast.host(hearing.location_id)
                identity = Identity.on_file(case)  # the document matches the file
                self.kiosk_codes[case.v_number] = sessions.check_in(
                    db, booking, host, identity, True
                )
            case S.IN_PROGRESS:
                questionnaires.start(db, case, applicant_of(case))
            case S.SUBMITTED:
                answer_set = questionnaires.answer_set_of(db, case)
                assert answer_set is not None
                form = questionnaires.form_of(answer_set)
                questionnaires.save(db, case.id, complete_answers(form, self.story(case)))
                questionnaires.submit(db, case, applicant_of(case))
            case S.EXCLUDED:
                signal = SignalIn(
                    kind=SignalKind.ARTICLE_1F,
                    source="the form's answers",
                    reason="service in a unit named in a 1F report",
                )
                cases.add_signal(db, case, signal, self.cast.actor(Role.OFFICER, case))
            case S.IN_TRANSLATION:
                translation.request(db, case, planner, self.agency(case))
            case S.WITH_LAWYER:
                self._deliver_translation(case)
            case S.READY_FOR_DECISION:
                self._lawyer_responds(case)
            case S.CLAIMED:
                decisions.claim(db, case, self.cast.actor(Role.OFFICER, case))
            case S.DECIDED_ON_FORM | S.PHYSICAL_HEARING_REQUIRED:
                self._decide(case, Outcome(state.value))
            case _:
                raise ValueError(f"the driver cannot step into {state}")

    def _reply(self, case: Case, consent: bool) -> None:
        lawyer = lawyer_of(case)
        invitation = invitations.open_invitation(self.db, case.id)
        assert invitation is not None
        invitations.reply(self.db, lawyer, invitation, reply_of(consent))

    def _deliver_translation(self, case: Case) -> None:
        job = translation.translation_of(self.db, case)
        assert job is not None
        # One Dutch text per answer the agency is sent (groups: per item and question).
        items = translation.source_items(self.db, job)
        dutch = {item.key: f"[NL] {item.text}" for item in items}
        # A spoken answer is written down in the applicant's language too.
        heard = {item.key: f"[{job.source_language}] {item.key}" for item in items if item.spoken}
        translation.deliver(
            self.db, job, self.cast.translator(job.agency_id), dutch, transcriptions=heard
        )

    def _lawyer_responds(self, case: Case) -> None:
        items = self.corrections(case)
        if items is None:
            corrections.none_to_add(self.db, lawyer_of(case), case, Typed(None))
        else:
            corrections.submit(
                self.db, lawyer_of(case), case, Typed(None, CorrectionsIn(items=items))
            )

    def _decide(self, case: Case, outcome: Outcome) -> None:
        for motive in case.coordinator_motives:
            consultations.record_consultation(
                self.db,
                case,
                self.cast.coordinator(motive),
                motive,
                "Open questions asked; no stereotypes.",
            )
        body = DecisionIn.model_validate(
            {
                Outcome.DECIDED_ON_FORM: {
                    "outcome": outcome,
                    "kind": self.kind(case),
                    "reason": "Account consistent and complete; decided on the form.",
                },
                Outcome.PHYSICAL_HEARING_REQUIRED: {
                    "outcome": outcome,
                    "reason": "A nader gehoor is needed.",
                    "reason_codes": ["insufficient_information"],
                    "estimated_days": self.estimated_days(case),
                },
            }[outcome]
        )
        officer = self.cast.actor(Role.OFFICER, case)
        decisions.decide(self.db, case, officer, body)
        if case.state is S.IN_REVIEW:  # four eyes: a senior approves the draft
            senior = self.cast.senior(officer)
            decisions.review(self.db, case, senior, ReviewVerdict.APPROVED, "")
