"""A built database for the forecast's tests."""

from datetime import timedelta
from typing import Any

import pytest

from service.forecast.queries import WEEKS_MEASURED, WEEKS_PLANNED_AHEAD
from service.models import Role
from service.models.sessions import Location
from service.translation.service import create_agency
from service.workflow import CaseState


@pytest.fixture
def world(db: Any, factory: Any) -> dict[str, Any]:
    """Two cases to invite, three consented, one declined, two decided by Team Zwolle;
    Zevenaar with a session a week of 15 seats; one agency of 40 forms a week."""
    screened = [factory.case_in(CaseState.SCREENED) for _ in range(2)]
    consented = [factory.case_in(CaseState.CONSENTED) for _ in range(3)]
    factory.case_in(CaseState.DECLINED)
    decided = [factory.case_in(CaseState.DECIDED_ON_FORM) for _ in range(2)]
    officer = factory.officer(team="Team Zwolle")
    zevenaar = Location(name="Zevenaar", address="Test")
    db.add(zevenaar)
    db.flush()
    weeks = WEEKS_MEASURED + WEEKS_PLANNED_AHEAD
    for week in range(weeks):
        factory.session(
            seats=15,
            location=zevenaar,
            starts_in=timedelta(weeks=week - WEEKS_MEASURED, days=1),
        )
    # The factory's agency takes anything; the forecast's own has an agreed capacity.
    factory.agency().active = False
    agency = create_agency(db, "Vertaalbureau Noord", capacity_per_week=40)
    db.flush()
    return {
        "screened": screened,
        "consented": consented,
        "decided": decided,
        "officer": officer,
        "zevenaar": zevenaar,
        "agency": agency,
        "planner": factory.person(Role.PLANNER),
    }
