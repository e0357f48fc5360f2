"""The monthly cycle: stages that apps register and `doudi cycle` runs in order.

A stage is a function of the month that returns a short summary. It must be
idempotent, because a crashed or repeated run calls it again. A stage done
for a month is skipped unless forced; a failed or interrupted one runs again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from doudi.core.models import StageRun, StageStatus

logger = logging.getLogger(__name__)

StageFunction = Callable[[date], dict[str, object]]


@dataclass(frozen=True)
class Stage:
    name: str
    order: int
    run: StageFunction
    description: str


_STAGES: dict[str, Stage] = {}


def register_stage(
    name: str, *, order: int, description: str
) -> Callable[[StageFunction], StageFunction]:
    """Register a stage; `order` places it in the cycle (lower runs first)."""

    def decorator(function: StageFunction) -> StageFunction:
        if name in _STAGES and _STAGES[name].run is not function:
            raise ValueError(f"cycle stage {name!r} is registered twice")
        _STAGES[name] = Stage(name, order, function, description)
        return function

    return decorator


def stages() -> list[Stage]:
    return sorted(_STAGES.values(), key=lambda stage: (stage.order, stage.name))


@dataclass(frozen=True)
class StageOutcome:
    stage: Stage
    status: str
    summary: dict[str, object]


def run_cycle(
    month: date, *, force: bool = False, only: str | None = None
) -> Iterator[StageOutcome]:
    """Run the stages for `month` in order, yielding each outcome as it ends.

    A failing stage is recorded as failed and stops the cycle, because later
    stages read what earlier ones wrote.
    """
    for stage in stages():
        if only and stage.name != only:
            continue
        yield _run_stage(stage, month.replace(day=1), force)


def _run_stage(stage: Stage, month: date, force: bool) -> StageOutcome:
    record = StageRun.objects.filter(month=month, stage=stage.name).first()
    if record and record.status == StageStatus.DONE and not force:
        return StageOutcome(stage, "skipped", record.summary)
    record = record or StageRun(month=month, stage=stage.name)
    record.status, record.started_at, record.error = (
        StageStatus.RUNNING,
        timezone.now(),
        "",
    )
    record.save()
    logger.info("cycle stage %s for %s started", stage.name, month.isoformat())
    try:
        summary = stage.run(month)
    except Exception as exc:
        record.status, record.error = StageStatus.FAILED, f"{type(exc).__name__}: {exc}"
        record.finished_at = timezone.now()
        record.save()
        logger.exception("cycle stage %s for %s failed", stage.name, month.isoformat())
        raise
    record.status, record.summary, record.finished_at = (
        StageStatus.DONE,
        summary,
        timezone.now(),
    )
    record.save()
    logger.info("cycle stage %s for %s done", stage.name, month.isoformat())
    return StageOutcome(stage, "done", summary)
