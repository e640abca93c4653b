"""Factories: users with tokens, and cases driven to any workflow state in one line.

``factory.case_in(CaseState.WITH_LAWYER)`` walks the real services from import to
that state through ``service.dev.driver`` (the same driver as the demo data), so every
trait is a case the procedure could really produce.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.schemas import UserIn
from service.auth.second_factor import enrol_known_secret
from service.auth.service import actor_of, create_user, issue_token
from service.cases.schemas import CaseIn
from service.cases.service import create_case
from service.core.actor import Actor
from service.core.clock import utcnow
from service.decisions.schemas import OfficerProfileIn
from service.dev.driver import Driver, complete_answers
from service.models import (
    Booking,
    Case,
    HearingSession,
    Interpreter,
    Location,
    OfficerProfile,
    Role,
    User,
)
from service.models.translation import Agency
from service.questionnaires import service as questionnaires
from service.sessions import service as sessions
from service.translation.service import create_agency
from service.workflow import CaseState
from tests.helpers import TOTP_SECRET

AGENCY = "Vertaalbureau Test"
# Sessions start soon, so a booked applicant can be checked in at once (the check-in
# window opens an hour before the start).
SESSION_STARTS_IN = timedelta(minutes=30)


@dataclass
class Person:
    user: User
    token: str

    @property
    def actor(self) -> Actor:
        return actor_of(self.user)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Factory:
    db: Session
    _people: dict[str, Person] = field(default_factory=dict)
    _location: Location | None = None

    # --- people -----------------------------------------------------------------------

    def person(
        self, role: Role, name: str | None = None, *, enrol: bool = True, **extra: Any
    ) -> Person:
        """One user per (role, name) per test, with a bearer token and, unless told
        otherwise, the tests' TOTP secret (``tests.helpers.totp_code`` gives its codes).

        Translators belong to the test agency, hosts to the factory's location, and a
        coordinator covers the motive named ``name`` ("lgbti" unless it is "conversion").
        """
        key = f"{role}:{name or 'default'}"
        if key not in self._people:
            username = f"{role}.{name or 'default'}.{uuid.uuid4().hex[:6]}"
            fields: dict[str, Any] = {
                "username": username,
                "display_name": username.title(),
                "role": role,
                "email": f"{username}@example.org",
                "password": "correct horse battery staple",
            }
            if role is Role.TRANSLATOR:
                fields["agency"] = self.agency(extra.pop("agency", AGENCY)).name
            if role is Role.HOST:
                fields["location"] = self.location().name
            if role is Role.PARTNER:
                fields["organisation"] = name or "COA"
            if role is Role.COORDINATOR:
                fields["specialism"] = "conversion" if name == "conversion" else "lgbti"
            user = create_user(self.db, UserIn(**fields | extra))
            if enrol:
                enrol_known_secret(self.db, user, TOTP_SECRET)
            self._people[key] = Person(user, issue_token(self.db, user=user).access_token)
        return self._people[key]

    def officer(self, name: str = "default", **profile: Any) -> Person:
        """A decision officer with a profile (skills, team, seniority); an officer made
        with ``person(Role.OFFICER)`` has none and counts as an experienced generalist."""
        person = self.person(Role.OFFICER, name)
        if profile or self.db.get(OfficerProfile, person.user.id) is None:
            from service.decisions.service import set_profile

            fields = {"started_on": date(2015, 1, 1)} | profile
            set_profile(self.db, person.user, OfficerProfileIn(**fields))
        return person

    def agency(self, name: str = AGENCY) -> Agency:
        found = self.db.scalar(select(Agency).where(Agency.name == name))
        if found:
            return found
        agency = create_agency(self.db, name)
        # Tests drive many cases through one agency; the weekly capacity has its own test.
        agency.capacity_per_week = 10_000
        return agency

    def applicant_headers(self, case: Case) -> dict[str, str]:
        token = issue_token(self.db, case_id=case.id).access_token
        return {"Authorization": f"Bearer {token}"}

    # --- cases ------------------------------------------------------------------------

    def case_data(self, **overrides: Any) -> CaseIn:
        lawyer = self.person(Role.LAWYER)
        data: dict[str, Any] = {
            "v_number": f"{uuid.uuid4().int % 10**10:010d}",
            "applicant_name": "Amal Haddad",
            "date_of_birth": date(1991, 4, 17),
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
        """A case driven through the real services up to ``state``.

        Kansarm nationalities (e.g. ``nationality="IR"``) stop before a decision on
        the form: ask for ``PHYSICAL_HEARING_REQUIRED`` instead.
        """
        case = self.case(**overrides)
        self.driver().drive(case, state)
        return case

    def driver(self) -> Driver:
        return Driver(
            self.db,
            FactoryCast(self),
            questionnaires.policy_form(),
            seat=lambda case: self.session(case.languages[0]),
            agency=lambda case: self.agency().name,
        )

    def consult_all(self, case: Case) -> None:
        from service.consultations import service as consultations

        for motive in case.coordinator_motives:
            consultations.record_consultation(
                self.db, case, self.person(Role.COORDINATOR, motive).actor, motive, "consulted"
            )

    def location(self) -> Location:
        if self._location is None:
            self._location = Location(name=f"Locatie {uuid.uuid4().hex[:6]}", address="Test")
            self.db.add(self._location)
            self.db.flush()
        return self._location

    def session(
        self,
        language: str = "ar",
        seats: int = 10,
        starts_in: timedelta = SESSION_STARTS_IN,
        interpreters: tuple[tuple[str, str], ...] | None = None,
        location: Location | None = None,
    ) -> HearingSession:
        """A session with, unless told otherwise, a female interpreter for its language."""
        hearing = HearingSession(
            location_id=(location or self.location()).id,
            starts_at=utcnow() + starts_in,
            seats=seats,
            language=language,
        )
        self.db.add(hearing)
        self.db.flush()
        for lang, gender in interpreters if interpreters is not None else ((language, "female"),):
            self.db.add(Interpreter(session_id=hearing.id, language=lang, gender=gender))
        self.db.flush()
        return hearing

    def identity(self, case: Case) -> dict[str, str]:
        """What the host types from the applicant's document at check-in."""
        assert case.date_of_birth is not None
        return {
            "applicant_name": case.applicant_name,
            "date_of_birth": case.date_of_birth.isoformat(),
            "v_number": case.v_number,
        }

    def booking(self, case: Case) -> Booking:
        booking = sessions.active_booking_for(self.db, case.id)
        assert booking is not None
        return booking

    def full_answers(self, case: Case | None = None) -> dict[str, Any]:
        """A valid, complete answer for every question of the case's form (by default the
        form the active policy gives the kansrijk track)."""
        if case is not None:
            return complete_answers(questionnaires.form_for(case))
        return complete_answers(questionnaires.policy_form())


@dataclass
class FactoryCast:
    """Every step is taken by the test's one person of that role."""

    factory: Factory

    def actor(self, role: Role, case: Case) -> Actor:
        return self.factory.person(role).actor

    def host(self, location_id: uuid.UUID) -> Actor:
        return self.factory.person(Role.HOST).actor

    def translator(self, agency_id: uuid.UUID) -> Actor:
        agency = self.factory.db.get_one(Agency, agency_id)
        if agency.name == AGENCY:
            return self.factory.person(Role.TRANSLATOR).actor
        name = agency.id.hex[:8]
        return self.factory.person(Role.TRANSLATOR, name, agency=agency.name).actor

    def coordinator(self, motive: str) -> Actor:
        return self.factory.person(Role.COORDINATOR, motive).actor

    def senior(self, drafter: Actor) -> Actor:
        senior = self.factory.officer("senior", senior=True)
        if senior.user.id == drafter.user_id:
            senior = self.factory.officer("senior2", senior=True)
        return senior.actor
