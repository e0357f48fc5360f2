"""Properties of working-day arithmetic, on the package plus a fake 2027."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi.workdays import calendar

pytestmark = pytest.mark.usefixtures("fake_source")

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
limits = st.integers(min_value=0, max_value=400)


def _counted_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range(1, (end - start).days + 1)]


@given(starts, limits)
def test_between_returns_count(start, days):
    deadline = calendar.add_working_days(start, days)

    assert calendar.working_days_between(start, deadline.due) == days
    assert deadline.working_days == days


@given(starts, st.integers(min_value=1, max_value=400))
def test_due_day_is_first_reaching_limit(start, days):
    due = calendar.add_working_days(start, days).due

    assert calendar.is_working_day(due)
    assert calendar.working_days_between(start, due - timedelta(days=1)) == days - 1


@given(starts)
def test_zero_days_returns_start(start):
    deadline = calendar.add_working_days(start, 0)

    assert deadline.due == start
    assert not deadline.provisional


@given(starts, limits, limits)
def test_due_day_grows_with_limit(start, first, second):
    low, high = sorted((first, second))
    early = calendar.add_working_days(start, low).due
    late = calendar.add_working_days(start, high).due

    assert early <= late
    if low < high:
        assert early < late


@given(starts, limits)
def test_provisional_when_counted_day_unscheduled(start, days):
    deadline = calendar.add_working_days(start, days)
    counted = _counted_days(start, deadline.due)

    expected = any(calendar.is_provisional(day) for day in counted)
    assert deadline.provisional == expected


@given(starts, st.integers(min_value=-400, max_value=400))
def test_between_counts_working_days(start, offset):
    end = start + timedelta(days=offset)
    low, high = min(start, end), max(start, end)
    count = sum(calendar.is_working_day(day) for day in _counted_days(low, high))

    assert calendar.working_days_between(start, end) == (
        count if end >= start else -count
    )
    assert calendar.working_days_between(end, start) == -calendar.working_days_between(
        start, end
    )


@given(st.lists(starts, max_size=30), limits)
def test_many_matches_single(many, days):
    expected = [calendar.add_working_days(start, days) for start in many]

    assert calendar.add_working_days_many(many, days) == expected


@given(starts, st.integers(min_value=-1000, max_value=1000))
def test_calendar_days_add_plainly(start, days):
    assert calendar.add_calendar_days(start, days) == start + timedelta(days=days)


def test_negative_limit_rejected():
    with pytest.raises(ValueError, match="-1"):
        calendar.add_working_days(date(2026, 1, 5), -1)
