"""Terms in working days: versioned term policies, as data, and the Dutch working-day
calendar (weekends and the public holidays of the maintained ``holidays`` library)."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.core.versioned import load_version, versions_in
from service.models.terms import TermStep
from service.terms.exceptions import InvalidTermPolicy, UnknownTermPolicy

POLICY_DIR = Path(__file__).with_name("policies")
# Terms end at the end of a Dutch working day, wherever the server runs.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class TermPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    title: str
    working_days: dict[TermStep, int]
    reminder_working_days_before: int = Field(ge=0, le=20)
    remind: frozenset[TermStep] = frozenset()
    flag_overdue: frozenset[TermStep] = frozenset()

    @model_validator(mode="after")
    def _every_step_has_a_term(self) -> "TermPolicy":
        missing = sorted(s.value for s in set(TermStep) - set(self.working_days))
        if missing:
            raise ValueError(f"every step needs a term; missing: {', '.join(missing)}")
        if any(days < 1 for days in self.working_days.values()):
            raise ValueError("a term is at least one working day")
        return self


@lru_cache(maxsize=32)
def public_holidays(year: int) -> frozenset[date]:
    """Dutch public holidays of one year (King's Day moves to Saturday when the 27th of
    April is a Sunday; Liberation Day counts in lustrum years: the library knows)."""
    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count);
    a negative number counts back."""
    step = 1 if days >= 0 else -1
    day, left = start, abs(days)
    while left:
        day += timedelta(days=step)
        if is_working_day(day):
            left -= 1
    return day


def end_of_day(day: date) -> datetime:
    """The last moment of a Dutch calendar day, in UTC (how due dates are stored)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=AMSTERDAM).astimezone(UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=AMSTERDAM).astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def available_versions() -> list[str]:
    return versions_in(POLICY_DIR)


@lru_cache
def load_policy(version: str) -> TermPolicy:
    return load_version(
        POLICY_DIR, version, TermPolicy, unknown=UnknownTermPolicy, invalid=InvalidTermPolicy
    )
