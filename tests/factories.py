"""Factories: users with tokens, and cases driven to any workflow state in one line.

``factory.case_in(CaseState.WITH_LAWYER)`` walks the real services from import to
that state, so every trait is a case the procedure could really produce.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from service.auth.schemas import UserIn
from service.auth.service import create_user, issue_token
from service.cases.schemas import CaseIn
from service.cases.service import create_case
from service.core.actor import Actor
from service.core.clock import utcnow
from service.corrections import service as corrections
from service.decisions import service as decisions
from service.eligibility.service import screen_case
from service.invitations import service as invitations
from service.models import Booking, Case, HearingSession, Location, Role, User
from service.questionnaires import service as questionnaires
from service.questionnaires.forms import load_form
from service.sessions import service as sessions
from service.translation import service as translation
from service.workflow import HAPPY_PATH, CaseState

AGENCY = "Vertaalbureau Test"


@dataclass
class Person:
    user: User
    token: str

    @property
    def actor(self) -> Actor:
        return Actor(role=self.user.role, user_id=self.user.id, organisation=self.user.organisation)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Factory:
    db: Session
    _people: dict[str, Person] = field(default_factory=dict)
    _location: Location | None = None

    # --- people -----------------------------------------------------------------------

    def person(self, role: Role, name: str | None = None) -> Person:
        """One user per (role, name) per test, with a bearer token."""
        key = f"{role}:{name or 'default'}"
        if key not in self._people:
            username = f"{role}.{name or 'default'}.{uuid.uuid4().hex[:6]}"
            organisation = AGENCY if role is Role.TRANSLATOR else None
            user = create_user(
                self.db,
                UserIn(
                    username=username,
                    display_name=username.title(),
                    role=role,
                    email=f"{username}@example.org",
                    organisation=organisation,
                    password="correct horse battery staple",
                ),
            )
            self._people[key] = Person(user, issue_token(self.db, user=user).access_token)
        return self._people[key]

    def applicant_headers(self, case: Case) -> dict[str, str]:
        token = issue_token(self.db, case_id=case.id).access_token
        return {"Authorization": f"Bearer {token}"}

    # --- cases ------------------------------------------------------------------------

    def case_data(self, **overrides: Any) -> CaseIn:
        lawyer = self.person(Role.LAWYER)
        data: dict[str, Any] = {
            "v_number": f"{uuid.uuid4().int % 10**10:010d}",
            "nationality": "SY",
            "languages": ["ar"],
            "date_of_application": date(2019, 11, 4),
            "lawyer": lawyer.user.username,
            "literacy": "known",
        }
        data.update(overrides)
        return CaseIn.model_validate(data)

    def case(self, **overrides: Any) -> Case:
        return create_case(self.db, self.case_data(**overrides), self.person(Role.PLANNER).actor)

    def case_in(self, state: CaseState, **overrides: Any) -> Case:
        """A case driven through the real services up to ``state`` on the happy path.

        Kansarm nationalities (e.g. ``nationality="IR"``) stop before a decision on
        the form: ask for ``PHYSICAL_HEARING_REQUIRED`` instead.
        """
        case = self.case(**overrides)
        if state is CaseState.IMPORTED:
            return case
        target = HAPPY_PATH.index(state) if state in HAPPY_PATH else None
        path = HAPPY_PATH[1:] if target is None else HAPPY_PATH[1 : target + 1]
        if state is CaseState.PHYSICAL_HEARING_REQUIRED:
            path = HAPPY_PATH[1 : HAPPY_PATH.index(CaseState.CLAIMED) + 1]
        for step in path:
            self._step(case, step)
        if state is CaseState.PHYSICAL_HEARING_REQUIRED:
            self.consult_all(case)
            decisions.decide(
                self.db,
                case,
                self.person(Role.OFFICER).actor,
                decisions.Outcome.PHYSICAL_HEARING_REQUIRED,
                "nader gehoor needed",
            )
        assert case.state == state, f"factory reached {case.state}, not {state}"
        return case

    def consult_all(self, case: Case) -> None:
        for motive in case.coordinator_motives:
            decisions.record_consultation(
                self.db, case, self.person(Role.COORDINATOR).actor, motive, "consulted"
            )

    def session(self, language: str = "ar", seats: int = 10) -> HearingSession:
        if self._location is None:
            self._location = Location(name=f"Locatie {uuid.uuid4().hex[:6]}", address="Test")
            self.db.add(self._location)
            self.db.flush()
        hearing = HearingSession(
            location_id=self._location.id,
            starts_at=utcnow() + timedelta(days=3),
            seats=seats,
            language=language,
        )
        self.db.add(hearing)
        self.db.flush()
        return hearing

    def booking(self, case: Case) -> Booking:
        booking = sessions.active_booking_for(self.db, case.id)
        assert booking is not None
        return booking

    def full_answers(self) -> dict[str, Any]:
        """A valid, complete answer for every question of the current form."""
        answers: dict[str, Any] = {}
        for q in load_form().questions:
            answers[q.id] = {
                "text": "Antwoord",
                "long_text": "Een lang antwoord in eigen woorden.",
                "date": "1990-01-01",
                "yes_no": True,
                "choice": q.options[0].value if q.options else None,
            }[q.type.value]
        return answers

    def _step(self, case: Case, state: CaseState) -> None:
        planner = self.person(Role.PLANNER).actor
        lawyer = Actor(role=Role.LAWYER, user_id=case.lawyer_id)
        applicant = Actor(role=Role.APPLICANT, case_id=case.id)
        officer = self.person(Role.OFFICER).actor
        db = self.db
        match state:
            case CaseState.SCREENED:
                screen_case(db, case, planner)
            case CaseState.INVITED:
                invitations.invite(db, case, planner)
            case CaseState.CONSENTED:
                invitation = invitations.list_invitations(db, lawyer, None)[-1]
                invitations.reply(db, invitation, lawyer, True, "")
            case CaseState.SCHEDULED:
                sessions.book(db, self.session(case.languages[0]), case, planner)
            case CaseState.CHECKED_IN:
                sessions.check_in(db, self.booking(case), self.person(Role.HOST).actor, True)
            case CaseState.IN_PROGRESS:
                questionnaires.start(db, case, applicant)
            case CaseState.SUBMITTED:
                questionnaires.save(db, case, self.full_answers())
                questionnaires.submit(db, case, applicant)
            case CaseState.IN_TRANSLATION:
                translation.request(db, case, planner, AGENCY)
            case CaseState.WITH_LAWYER:
                answered = questionnaires.answer_set_of(db, case)
                assert answered is not None
                item = translation.translation_of(db, case)
                assert item is not None
                translation.deliver(
                    db,
                    item,
                    self.person(Role.TRANSLATOR).actor,
                    {k: f"NL: {v}" for k, v in answered.answers.items()},
                )
            case CaseState.READY_FOR_DECISION:
                corrections.none_to_add(db, case, lawyer)
            case CaseState.CLAIMED:
                decisions.claim(db, case, officer)
            case CaseState.DECIDED_ON_FORM:
                self.consult_all(case)
                decisions.decide(
                    db, case, officer, decisions.Outcome.DECIDED_ON_FORM, "decided on the form"
                )
