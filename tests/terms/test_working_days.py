"""Working days: weekends and Dutch public holidays (from the `holidays` library) skipped."""

from datetime import date

import pytest

from service.models.terms import TermStep
from service.terms.exceptions import UnknownTermPolicy
from service.terms.policy import (
    add_working_days,
    available_versions,
    end_of_day,
    is_working_day,
    load_policy,
    local_date,
    public_holidays,
)


def test_easter_kings_day_and_weekends_do_not_count():
    # Thursday 6 April 2023: Good Friday 7/4, Easter 9-10/4, King's Day Thursday 27/4.
    start = date(2023, 4, 6)
    assert add_working_days(start, 1) == date(2023, 4, 11)  # over Good Friday to Easter Monday
    # 11-14 April (4), 17-21 April (9), Monday 24 April (10).
    assert add_working_days(start, 10) == date(2023, 4, 24)
    # From Thursday 20/4: Fri 21, Mon 24, Tue 25, Wed 26, (King's Day), Fri 28.
    assert add_working_days(date(2023, 4, 20), 5) == date(2023, 4, 28)
    # ... 25, 26, (King's Day), 28 April, 1 and 2 May.
    assert add_working_days(start, 15) == date(2023, 5, 2)


def test_kings_day_on_a_sunday_moves_to_saturday():
    # 27 April 2025 is a Sunday: King's Day is Saturday 26 April, Monday 28 is a working day.
    assert date(2025, 4, 26) in public_holidays(2025)
    assert date(2025, 4, 27) not in public_holidays(2025)
    assert is_working_day(date(2025, 4, 28))
    # Friday 25 April + 1 working day: the weekend (with King's Day in it) is skipped.
    assert add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 28)
    # Liberation Day is a day off in lustrum years (2025), not in 2026.
    assert not is_working_day(date(2025, 5, 5))
    assert is_working_day(date(2026, 5, 5))


def test_counting_back_and_zero():
    assert add_working_days(date(2023, 4, 11), -1) == date(2023, 4, 6)
    assert add_working_days(date(2023, 4, 11), 0) == date(2023, 4, 11)


def test_a_term_ends_at_the_end_of_the_dutch_day():
    # Summer time: 23:59:59 in Amsterdam is 21:59:59 UTC, still the same date there.
    moment = end_of_day(date(2023, 4, 21))
    assert (moment.hour, moment.minute) == (21, 59)
    assert local_date(moment) == date(2023, 4, 21)
    winter = end_of_day(date(2023, 12, 1))
    assert winter.hour == 22


def test_every_shipped_policy_is_valid_and_complete():
    assert "ind-2021" in available_versions()
    for version in available_versions():
        policy = load_policy(version)
        assert set(policy.working_days) == set(TermStep)
    assert load_policy("ind-2021").working_days[TermStep.TARGET] == 30  # six weeks


def test_unknown_policy_is_refused():
    with pytest.raises(UnknownTermPolicy):
        load_policy("no-such-version")
