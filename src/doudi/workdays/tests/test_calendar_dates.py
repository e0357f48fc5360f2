"""Known dates: the package's 2026 holidays and adjusted working weekends."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from doudi.workdays import calendar

pytestmark = pytest.mark.usefixtures("fake_source")


def test_package_years_cover_2004_to_2026():
    years = calendar.package_years()

    assert min(years) == 2004
    assert max(years) >= 2026
    assert set(range(2004, 2027)) <= years


def test_every_package_day_agrees_with_package():
    day, last = date(2004, 1, 1), date(max(calendar.package_years()), 12, 31)
    disagreements = []
    while day <= last:
        if calendar.is_working_day(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += timedelta(days=1)

    assert disagreements == []


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 30), True),  # Wednesday before National Day
        (date(2026, 10, 1), False),
        (date(2026, 10, 5), False),  # Monday within National Day
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # adjusted working Saturday
        (date(2026, 9, 20), True),  # adjusted working Sunday
        (date(2026, 2, 14), True),  # adjusted working Saturday before Spring Festival
        (date(2026, 2, 16), False),
        (date(2026, 2, 23), False),  # Monday within Spring Festival
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # adjusted working Saturday after Spring Festival
        (date(2026, 3, 7), False),  # ordinary Saturday
    ],
)
def test_2026_working_days(day, working):
    assert calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        (date(2026, 9, 30), 4, date(2026, 10, 12)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        (date(2026, 2, 10), 30, date(2026, 3, 30)),
    ],
)
def test_2026_deadlines(start, days, due):
    deadline = calendar.add_working_days(start, days)

    assert deadline.due == due
    assert not deadline.provisional


def test_national_day_week_has_three_working_days():
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 11)) == 3


def test_deadline_into_loaded_year_is_final():
    deadline = calendar.add_working_days(date(2026, 12, 25), 10)

    # 2026-12-28 to 12-31 count 4. 2027-01-01 is a holiday in the example
    # schedule, so days 5 to 10 are 2027-01-04 to 01-08 and 01-11.
    assert deadline.due == date(2027, 1, 11)
    assert not deadline.provisional


def test_deadline_into_unscheduled_year_is_provisional():
    deadline = calendar.add_working_days(date(2027, 12, 20), 10)

    # 2027-12-21 to 12-31 give 9 days, and 2028-01-01 is a Saturday.
    assert deadline.due == date(2028, 1, 3)
    assert deadline.provisional
    assert calendar.is_provisional(date(2028, 6, 1))
    assert not calendar.is_provisional(date(2027, 6, 1))


def test_limit_ending_before_unscheduled_year_is_final():
    deadline = calendar.add_working_days(date(2027, 12, 20), 5)

    assert deadline.due == date(2027, 12, 27)
    assert not deadline.provisional


def test_loaded_adjusted_working_weekend_counts():
    assert calendar.is_working_day(date(2027, 2, 20))
    assert calendar.add_working_days(date(2027, 2, 19), 1).due == date(2027, 2, 20)
