"""Deadlines of a case from the limits table and the working-day calendar."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from doudi.cases.limits import (
    LIMITS,
    NEARLY_DUE_WORKING_DAYS,
    TimeLimit,
    Unit,
    case_limit,
    step_limit,
)
from doudi.cases.models import Case, CaseKind, Step
from doudi.workdays import calendar

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    day: date
    provisional: bool


class DeadlineStatus(StrEnum):
    OVERDUE = "overdue"
    NEARLY_DUE = "nearly_due"
    ON_TIME = "on_time"
    NONE = "none"


def due_after(start: date, limit: TimeLimit) -> Due:
    """Return the last day on time for a limit counted from `start`."""
    if limit.unit == Unit.WORKING_DAYS:
        deadline = calendar.add_working_days(start, limit.amount)
        return Due(deadline.due, deadline.provisional)
    return Due(calendar.add_calendar_days(start, limit.amount), False)


def whole_case_limit(kind: str, *, delegated: bool, special: bool) -> TimeLimit:
    if kind == CaseKind.APPEAL:
        return LIMITS["appeal_decision"]
    if kind == CaseKind.COMPLAINT:
        return LIMITS["complaint_answer"]
    return case_limit(delegated=delegated, special=special)


def schedule(
    case: Case, *, step: Step, started_on: date, closed: bool = False
) -> dict[str, Any]:
    """Return the deadline columns of `case` entering `step` on `started_on`.

    Reads the kind, `accepted_on`, `delegated`, `special`, `reopened` and
    `decision` from `case`, so set those on it first when the action changes
    them. The whole case's limit counts from `accepted_on`; a reopened case
    has only its step's limit. A closed case has no next due day.
    """
    limit = step_limit(case.kind, step)
    step_due = due_after(started_on, limit) if limit and not closed else None
    case_due = None
    if case.reopened:
        case_due = step_due
    elif case.accepted_on is not None:
        whole = whole_case_limit(
            case.kind, delegated=case.delegated, special=case.special
        )
        case_due = due_after(case.accepted_on, whole)
    open_dues = [due.day for due in (step_due, case_due) if due is not None]
    # A decision ends the whole case's limit: only the step's own limit (the
    # written refusal) can still run.
    if case.decision:
        open_dues = [step_due.day] if step_due else []
    return {
        "step": step,
        "step_started_on": started_on,
        "step_due": step_due.day if step_due else None,
        "step_due_provisional": bool(step_due and step_due.provisional),
        "case_due": case_due.day if case_due else None,
        "case_due_provisional": bool(case_due and case_due.provisional),
        "next_due": None if closed or not open_dues else min(open_dues),
    }


def nearly_due_until(today: date) -> date:
    """Return the last day that still counts as nearly due, seen from `today`."""
    return calendar.add_working_days(today, NEARLY_DUE_WORKING_DAYS).due


def status_of(next_due: date | None, today: date, until: date) -> DeadlineStatus:
    """Classify a next due day; `until` is nearly_due_until(today)."""
    if next_due is None:
        return DeadlineStatus.NONE
    if next_due < today:
        return DeadlineStatus.OVERDUE
    if next_due <= until:
        return DeadlineStatus.NEARLY_DUE
    return DeadlineStatus.ON_TIME


def filter_status(
    cases: QuerySet[Case], status: DeadlineStatus, today: date
) -> QuerySet[Case]:
    """Narrow open cases to one deadline status, in SQL."""
    if status == DeadlineStatus.OVERDUE:
        return cases.filter(next_due__lt=today)
    if status == DeadlineStatus.NEARLY_DUE:
        return cases.filter(next_due__gte=today, next_due__lte=nearly_due_until(today))
    if status == DeadlineStatus.ON_TIME:
        return cases.filter(next_due__gt=nearly_due_until(today))
    return cases.filter(next_due__isnull=True)


def refresh_provisional() -> int:
    """Recount the deadlines of open cases counted without a holiday schedule.

    Run it after an administrator loads a new year's schedule. It changes no
    step, so it leaves `version` alone and nobody's open page goes stale.
    Returns the number of cases whose deadlines changed.
    """
    changed = 0
    provisional = Q(step_due_provisional=True) | Q(case_due_provisional=True)
    pending = Case.objects.filter(provisional, closed_at__isnull=True)
    for case in pending.iterator(chunk_size=500):
        fields = schedule(case, step=Step(case.step), started_on=case.step_started_on)
        fields = {key: value for key, value in fields.items() if key != "step"}
        if any(getattr(case, key) != value for key, value in fields.items()):
            with transaction.atomic():
                Case.objects.filter(pk=case.pk, step=case.step).update(**fields)
            changed += 1
    logger.info("recounted provisional deadlines of %d open cases", changed)
    return changed
