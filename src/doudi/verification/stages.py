"""The monthly cycle stage that verifies the households due for review."""

from __future__ import annotations

import calendar
from datetime import date

from django.utils import timezone

from doudi.core.cycle import register_stage
from doudi.verification.batch import verify_all


@register_stage(
    "verification.batch",
    order=200,
    description="Verify every authorised household due for review",
)
def verify_month(month: date) -> dict[str, object]:
    """Verify as of the month's last day, or today while the month runs.

    Department records describe what has happened, so a report is never
    dated after the day it is made (the form refuses such a date too).
    """
    day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return verify_all(min(day, timezone.localdate()))
