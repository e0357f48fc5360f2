"""The monthly cycle stage that verifies the households due for review."""

from __future__ import annotations

import calendar
from datetime import date

from doudi.core.cycle import register_stage
from doudi.verification.batch import verify_all


@register_stage(
    "verification.batch",
    order=200,
    description="Verify every authorised household due for review",
)
def verify_month(month: date) -> dict[str, object]:
    """Verify as of the month's last day, after the inbox has been ingested."""
    day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return verify_all(day)
