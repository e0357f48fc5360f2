"""The beat schedule, run on a thread for the embedded default.

`doudi serve` has no Celery beat and no worker, so this thread runs each
entry of `doudi.celery.BEAT_SCHEDULE` itself, in the serving process, at its
interval: the audit seal every few seconds, notifications every minute, the
nightly scan and the weekly duplicate check. A failing task is logged and
tried again at its next turn; it never stops the others.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    run: Callable[[], object]
    interval: float
    due: float


def jobs(schedule: Mapping[str, Mapping[str, Any]], now: float) -> list[Job]:
    """Return a job per entry; each first runs one interval after `now`."""
    found = []
    for name, entry in schedule.items():
        module_name, _, function = str(entry["task"]).rpartition(".")
        task = getattr(importlib.import_module(module_name), function)
        interval = float(entry["schedule"])
        found.append(Job(name, task, interval, now + interval))
    return found


def run_due(pending: list[Job], now: float) -> int:
    """Run the jobs whose time has come; return how many ran."""
    ran = 0
    for job in pending:
        if job.due > now:
            continue
        try:
            job.run()
        except Exception:
            logger.exception(
                "scheduled task %s failed; next try in %.0f s", job.name, job.interval
            )
        job.due = now + job.interval
        ran += 1
    return ran


def run_forever(
    stop: threading.Event, schedule: Mapping[str, Mapping[str, Any]], tick: float
) -> None:
    """Run the schedule until `stop` is set, checking every `tick` seconds."""
    pending = jobs(schedule, time.monotonic())
    while not stop.wait(tick):
        run_due(pending, time.monotonic())
