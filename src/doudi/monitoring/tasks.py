"""Background tasks of the monitoring app.

None takes a required argument, so the embedded scheduler of `doudi serve`
can run them as they are: `scan_signals` nightly (incremental),
`scan_city` weekly (full) and `escalate_warnings` daily. A scan then tells
the community workers of the warnings it raised.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from doudi.core.locks import single_run
from doudi.monitoring.escalation import escalate_overdue
from doudi.monitoring.notify import notify_pending
from doudi.monitoring.scan import run_scan

# Above the time limit, so a killed run cannot hold the lock past the next.
LOCK_SECONDS = 3 * 3600


@shared_task(time_limit=2 * 3600, soft_time_limit=2 * 3600 - 60, max_retries=0)
def scan_signals(incremental: bool = True) -> dict[str, object]:
    """Scan the city; a second run while one is going returns {"skipped": True}."""
    with single_run("monitoring-scan", ttl_seconds=LOCK_SECONDS) as acquired:
        if not acquired:
            return {"skipped": True}
        summary = run_scan(incremental=incremental).summary()
    summary["notified"] = notify_pending()
    return summary


@shared_task(time_limit=2 * 3600, soft_time_limit=2 * 3600 - 60, max_retries=0)
def scan_city() -> dict[str, object]:
    """Scan the whole city, under the same lock as `scan_signals`."""
    result: dict[str, object] = scan_signals(incremental=False)
    return result


@shared_task(time_limit=1800, soft_time_limit=1740, max_retries=0)
def escalate_warnings() -> int:
    """Escalate the warnings past their response deadline to the street office."""
    with single_run("monitoring-escalate", ttl_seconds=900) as acquired:
        if not acquired:
            return 0
        return escalate_overdue(timezone.localdate())
