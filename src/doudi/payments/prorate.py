"""The amount one award pays for one month, as plain integer arithmetic.

The rolls compute the same figures in SQL (see `doudi.payments.rolls`);
the tests check that both agree. This module does not import Django.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from doudi.payments import months


class Rule(StrEnum):
    # Every month from the first to the last month paid is paid in full.
    WHOLE_MONTHS = "whole_months"
    # A month is paid for the days in payment: monthly amount × days ÷ days
    # in the month, rounded half up to a whole fen.
    DAILY = "daily"


def days_paid(
    month: date,
    *,
    start_month: date,
    starts_on: date,
    end_month: date | None,
    ends_on: date | None,
) -> int:
    """Return the number of days of `month` the award is in payment (0 if none)."""
    if month < start_month or (end_month is not None and month > end_month):
        return 0
    first = starts_on.day if month == start_month else 1
    last = months.days_in_month(month)
    if month == end_month and ends_on is not None:
        last = ends_on.day
    return max(0, last - first + 1)


def month_amount_fen(monthly_fen: int, days: int, month_days: int, rule: Rule) -> int:
    """Return what a month with `days` days in payment pays, in fen."""
    if days <= 0:
        return 0
    if rule is Rule.WHOLE_MONTHS or days >= month_days:
        return monthly_fen
    return (2 * monthly_fen * days + month_days) // (2 * month_days)
