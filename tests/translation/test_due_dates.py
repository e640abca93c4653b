"""Due dates of the translation and of the lawyer's corrections, in working days over
Dutch public holidays (the term policy of ``service/terms``)."""

from datetime import UTC, date, datetime

import time_machine

from service.models import Role
from service.terms.policy import local_date
from service.translation import service as translation
from service.workflow import CaseState
from tests.factories import Factory

# Thursday 21 December 2023, 10:00 in Amsterdam: Christmas (2 days) and New Year ahead.
BEFORE_CHRISTMAS = datetime(2023, 12, 21, 9, 0, tzinfo=UTC)
# Thursday 4 January 2024, 10:00: the translation is delivered on its last day.
DELIVERED = datetime(2024, 1, 4, 9, 0, tzinfo=UTC)


def test_due_dates_over_a_dutch_holiday(db, factory: Factory):
    case = factory.case_in(CaseState.SUBMITTED)
    planner = factory.person(Role.PLANNER).actor
    with time_machine.travel(BEFORE_CHRISTMAS, tick=False):
        job = translation.request(db, case, planner, factory.agency().name)
    # 7 working days: 22 Dec, (25, 26 Dec off), 27, 28, 29 Dec, (1 Jan off), 2, 3, 4 Jan.
    assert local_date(job.due_at) == date(2024, 1, 4)

    dutch = {item.key: "vertaald" for item in translation.source_items(db, job)}
    with time_machine.travel(DELIVERED, tick=False):
        translation.deliver(db, job, factory.person(Role.TRANSLATOR).actor, dutch)
    # 10 working days for the lawyer: 5, 8-12, 15-18 January.
    assert case.corrections_due_at is not None
    assert local_date(case.corrections_due_at) == date(2024, 1, 18)
