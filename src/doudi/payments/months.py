"""Calendar-month arithmetic on dates. A month is the date of its first day."""

from __future__ import annotations

import calendar
from datetime import date


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, count: int) -> date:
    """Return the same day `count` calendar months later, clipped to month end."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def next_month(day: date) -> date:
    """Return the first day of the month after `day`."""
    return add_months(month_of(day), 1)


def days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def last_day(month: date) -> date:
    return month.replace(day=days_in_month(month))
