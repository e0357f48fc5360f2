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
app.autodiscover_tasks(["doudi.privacy", "doudi.registry"])

BEAT_SCHEDULE = {
    "seal-audit-chain": {
        "task": "doudi.privacy.tasks.seal_audit_chain",
        "schedule": 10.0,
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
