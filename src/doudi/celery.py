"""Celery application: Redis in production, eager tasks in the embedded default.

With DOUDI_REDIS_URL unset, tasks run in the calling process and
`doudi serve` runs the beat schedule itself on a thread, so the embedded
system needs no broker server.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.settings")

app = Celery("doudi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    [
        "doudi.privacy",
        "doudi.registry",
        "doudi.notifications",
        "doudi.monitoring",
        "doudi.monitoring.duplicates",
        "doudi.portal",
    ]
)

DAY_SECONDS = 24 * 3600.0

BEAT_SCHEDULE = {
    "seal-audit-chain": {
        "task": "doudi.privacy.tasks.seal_audit_chain",
        "schedule": 10.0,
    },
    # Messages held back by quiet hours or waiting for a retry.
    "send-due-notifications": {
        "task": "doudi.notifications.tasks.send_due_deliveries",
        "schedule": 60.0,
    },
    # Help requests whose routing task was lost (a crash, a full queue).
    "route-pending-help-requests": {
        "task": "doudi.portal.tasks.route_pending_requests",
        "schedule": 60.0,
    },
    # Facts that changed since the last scan, every night; the whole city weekly.
    "nightly-monitoring-scan": {
        "task": "doudi.monitoring.tasks.scan_signals",
        "schedule": DAY_SECONDS,
    },
    "weekly-full-monitoring-scan": {
        "task": "doudi.monitoring.tasks.scan_city",
        "schedule": 7 * DAY_SECONDS,
    },
    "daily-warning-escalation": {
        "task": "doudi.monitoring.tasks.escalate_warnings",
        "schedule": DAY_SECONDS,
    },
    "weekly-duplicate-check": {
        "task": "doudi.monitoring.duplicates.tasks.weekly_duplicate_check",
        "schedule": 7 * DAY_SECONDS,
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
