"""Background tasks of the privacy app; each wraps a plain function."""

from __future__ import annotations

from celery import shared_task

from doudi.core.locks import single_run
from doudi.privacy import audit


@shared_task(time_limit=600, soft_time_limit=540, max_retries=3, default_retry_delay=30)
def seal_audit_chain() -> int:
    with single_run("seal-audit-chain", ttl_seconds=600) as acquired:
        if not acquired:
            return 0
        return audit.seal()
