"""Background task of the duplicate check; it wraps `run_detection`."""

from __future__ import annotations

from celery import shared_task

from doudi.core.locks import single_run
from doudi.monitoring.duplicates.detection import run_detection

# A run over 2.5 million persons takes a few minutes; the limit leaves room.
TIME_LIMIT_SECONDS = 3600


@shared_task(time_limit=TIME_LIMIT_SECONDS, soft_time_limit=TIME_LIMIT_SECONDS - 60)
def weekly_duplicate_check() -> int | None:
    """Run the check unless another run holds the lock; return the run id."""
    with single_run("duplicate-check", ttl_seconds=TIME_LIMIT_SECONDS) as acquired:
        if not acquired:
            return None
        return run_detection().pk
