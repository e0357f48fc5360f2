"""The embedded scheduler: runs each beat entry at its interval, survives failures."""

from __future__ import annotations

import logging

import pytest

from doudi.celery import BEAT_SCHEDULE
from doudi.core import scheduler

CALLS: list[str] = []


def tick() -> None:
    CALLS.append("tick")


def broken() -> None:
    raise RuntimeError("synthetic failure")


SCHEDULE = {
    "often": {"task": "doudi.core.tests.test_scheduler.tick", "schedule": 10.0},
    "failing": {"task": "doudi.core.tests.test_scheduler.broken", "schedule": 5.0},
}


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    CALLS.clear()


def test_nothing_runs_before_its_interval() -> None:
    pending = scheduler.jobs(SCHEDULE, now=100.0)
    assert scheduler.run_due(pending, now=104.0) == 0
    assert CALLS == []


def test_each_job_runs_at_its_interval() -> None:
    pending = scheduler.jobs(SCHEDULE, now=100.0)

    scheduler.run_due(pending, now=110.0)
    scheduler.run_due(pending, now=115.0)
    scheduler.run_due(pending, now=120.0)

    assert CALLS == ["tick", "tick"]


def test_a_failing_job_is_logged_and_the_others_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pending = scheduler.jobs(SCHEDULE, now=0.0)

    with caplog.at_level(logging.ERROR, logger="doudi.core.scheduler"):
        ran = scheduler.run_due(pending, now=10.0)

    assert ran == 2
    assert CALLS == ["tick"]
    assert "scheduled task failing failed" in caplog.text


def test_every_beat_entry_names_an_importable_task() -> None:
    pending = scheduler.jobs(BEAT_SCHEDULE, now=0.0)
    assert {job.name for job in pending} == set(BEAT_SCHEDULE)
    assert all(callable(job.run) and job.interval > 0 for job in pending)
