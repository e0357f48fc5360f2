"""Background tasks: through a real Redis broker, and in the embedded mode."""

import os
import time

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from doudi.celery import app
from doudi.core.locks import single_run
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import AuditLink
from doudi.privacy.tasks import seal_audit_chain

REDIS_URL = os.environ.get("DOUDI_TEST_REDIS_URL", "")


def _entry():
    return audit.record(
        actor=None,
        action=AuditAction.BATCH,
        object_type="test.task",
        purpose=Purpose.SYSTEM,
    )


def test_embedded_mode_runs_task_inline(db):
    _entry()
    assert seal_audit_chain.delay().get() == 1
    assert AuditLink.objects.count() == 1


def test_duplicate_run_does_nothing(db):
    _entry()
    with single_run("seal-audit-chain", ttl_seconds=60) as acquired:
        assert acquired
        assert seal_audit_chain() == 0
    assert AuditLink.objects.count() == 0


def test_beat_schedules_the_seal():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "doudi.privacy.tasks.seal_audit_chain" in tasks


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="set DOUDI_TEST_REDIS_URL to test with Redis")
def test_task_runs_through_redis_worker(transactional_db, clean_audit_after):
    _entry()
    # A separate app, so the eager configuration of the shared one is untouched;
    # it runs the same task function.
    redis_app = Celery("doudi-redis-test", broker=REDIS_URL)
    task = redis_app.task(name=seal_audit_chain.name)(seal_audit_chain.run)
    with start_worker(
        redis_app, pool="solo", perform_ping_check=False, loglevel="WARNING"
    ):
        task.apply_async()
        sealed = _wait_for_links(1, seconds=30)
    assert sealed == 1


def _wait_for_links(expected, *, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        count = AuditLink.objects.count()
        if count >= expected:
            return count
        time.sleep(0.2)
    return AuditLink.objects.count()
