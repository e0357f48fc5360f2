"""Response deadlines of warnings, and escalation to the street when one is missed.

The scan sets each warning's `respond_by` from its signal's response limit
in working days. A warning still open after that day is escalated: the
street office reviewers of the parent street see it in their work list and
get a notification.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Final

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from doudi.cases import deadlines
from doudi.cases.deadlines import DeadlineStatus
from doudi.monitoring import notify
from doudi.monitoring.models import OPEN_STATUSES, Warning, WarningEvent
from doudi.monitoring.permissions import OBJECT_TYPE, WarningAction
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose

logger = logging.getLogger(__name__)

ESCALATION_CHUNK: Final = 500


def deadline_status(warning: Warning, today: date, until: date) -> DeadlineStatus:
    """Classify an open warning's respond-by day; `until` is nearly_due_until(today)."""
    if warning.status not in OPEN_STATUSES:
        return DeadlineStatus.NONE
    return deadlines.status_of(warning.respond_by, today, until)


def filter_deadline(
    warnings: QuerySet[Warning], status: DeadlineStatus, today: date
) -> QuerySet[Warning]:
    """Narrow warnings to open ones of one deadline status, in SQL."""
    open_warnings = warnings.filter(status__in=OPEN_STATUSES)
    if status == DeadlineStatus.OVERDUE:
        return open_warnings.filter(respond_by__lt=today)
    until = deadlines.nearly_due_until(today)
    if status == DeadlineStatus.NEARLY_DUE:
        return open_warnings.filter(respond_by__gte=today, respond_by__lte=until)
    return open_warnings.filter(respond_by__gt=until)


def escalate_overdue(today: date) -> int:
    """Escalate every open warning whose respond-by day is before `today`.

    Escalation sets `escalated_at`, adds a timeline event, notifies the
    street office reviewers and writes one audit entry for the run. It
    leaves the version alone, because it changes nothing a worker's open
    form relies on. A warning is escalated once, so a second run the same
    day does nothing. Returns how many warnings were escalated.
    """
    due = Warning.objects.filter(
        status__in=OPEN_STATUSES, respond_by__lt=today, escalated_at__isnull=True
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    escalated: list[int] = []
    for chunk in _chunks(ids):
        escalated.extend(_escalate(chunk))
    if escalated:
        audit.record_batch(
            action=AuditAction.UPDATE,
            object_type=OBJECT_TYPE,
            record_count=len(escalated),
            checksum="",
            purpose=Purpose.MONITORING,
            detail={"action": WarningAction.ESCALATE.value, "ids": escalated},
        )
    notify.notify_escalated(escalated)
    logger.info("escalated %d overdue warnings on %s", len(escalated), today)
    return len(escalated)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for offset in range(0, len(ids), ESCALATION_CHUNK):
        yield ids[offset : offset + ESCALATION_CHUNK]


def _escalate(ids: Sequence[int]) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        # Lock the rows, so a warning resolved meanwhile is not escalated.
        chosen = list(
            Warning.objects.select_for_update()
            .filter(pk__in=ids, status__in=OPEN_STATUSES, escalated_at__isnull=True)
            .values_list("pk", flat=True)
        )
        Warning.objects.filter(pk__in=chosen).update(escalated_at=now)
        WarningEvent.objects.bulk_create(
            WarningEvent(warning_id=pk, action=WarningAction.ESCALATE, at=now)
            for pk in chosen
        )
    return chosen
