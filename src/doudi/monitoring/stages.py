"""Cycle stages of the monitoring app."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from doudi.core.cycle import register_stage
from doudi.monitoring.escalation import escalate_overdue
from doudi.monitoring.notify import notify_pending
from doudi.monitoring.scan import run_scan


@register_stage(
    "monitoring.scan",
    order=350,
    description="Scan the whole city for signals, missed assistance and exits",
)
def scan_month(month: date) -> dict[str, object]:
    """Run a full scan after the month's assessment, so the checks read it.

    The scan looks at facts as of today, whatever `month` is: warnings are
    about households now. A re-run updates the same open warnings.
    """
    summary = run_scan(incremental=False).summary()
    summary["notified"] = notify_pending()
    return summary


@register_stage(
    "monitoring.escalate",
    order=355,
    description="Escalate warnings past their response deadline to the street office",
)
def escalate(month: date) -> dict[str, object]:
    return {"escalated": escalate_overdue(timezone.localdate())}
