"""The replay's steps in this process: ``service.dev.driver``'s, and the two the
officer records after the nader gehoor. ``simulate.http`` takes the same steps over
HTTP."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from service.decisions import service as decisions
from service.decisions.schemas import FinalDecisionIn
from service.dev.driver import Driver
from service.models import Case, Role
from service.models.decisions import FinalOutcome


@dataclass
class Steps(Driver):
    @contextmanager
    def attempt(self) -> Iterator[None]:
        """A step that may be refused leaves nothing behind (a savepoint here)."""
        with self.db.begin_nested():
            yield

    def record_actual_days(self, case: Case, days: int) -> None:
        decisions.record_actual_days(self.db, case.id, days)

    def record_final_decision(self, case: Case, outcome: FinalOutcome) -> None:
        officer = self.cast.actor(Role.OFFICER, case)
        decisions.record_final_decision(self.db, case, officer, FinalDecisionIn(outcome=outcome))
