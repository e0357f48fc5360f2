"""Tell staff about warnings through the notifications app.

New warnings go to every community worker of the household's community,
a handed-over warning to its new assignee, and an escalated one to the
street office reviewers of the parent street. A notification carries the
warning's number and the community's name, never personal data. Each has
a key made of the warning and the event. The notifications app keeps one
message per recipient and key, so sending again does not notify twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Final

from django.utils import timezone

from doudi.monitoring.models import Warning, WarningEvent, WarningStatus
from doudi.monitoring.permissions import (
    WarningAction,
    street_reviewers_of,
    workers_of,
)
from doudi.monitoring.reasons import warning_number
from doudi.notifications.services import notify_staff
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

NEW_TEMPLATE: Final = "warning_assigned"
ESCALATED_TEMPLATE: Final = "warning_escalated"
# Warnings per query, well below SQLite's limit of bound parameters.
CHUNK: Final = 500


def _context(warning: Warning) -> dict[str, str]:
    return {"warning": warning_number(warning), "community": warning.region.name}


def _send(users: Iterable[User], warning: Warning, template: str, event: str) -> int:
    sent = 0
    for user in users:
        key = f"monitoring-warning-{warning.pk}-{event}"
        notify_staff(user.pk, template, _context(warning), key)
        sent += 1
    return sent


def notify_new(warning_ids: Iterable[int]) -> int:
    """Notify the community workers of each new warning; return messages sent.

    A warning whose workers were already notified is skipped, so the scan
    may pass every warning it touched.
    """
    ids = list(warning_ids)
    sent = 0
    for start in range(0, len(ids), CHUNK):
        sent += _notify_new_chunk(ids[start : start + CHUNK])
    return sent


def _notify_new_chunk(ids: list[int]) -> int:
    done = WarningEvent.objects.filter(action=WarningAction.NOTIFY).values("warning_id")
    warnings = (
        Warning.objects.select_related("region").filter(pk__in=ids).exclude(pk__in=done)
    )
    sent = 0
    for warning in warnings:
        count = _send(workers_of(warning), warning, NEW_TEMPLATE, "new")
        # A community with no worker yet is tried again after the next scan.
        if count:
            WarningEvent.objects.create(
                warning=warning, action=WarningAction.NOTIFY, at=timezone.now()
            )
        sent += count
    return sent


def notify_pending() -> int:
    """Notify the workers of every new warning not notified yet; return messages sent.

    The scan stage and the nightly task call this after a scan, so the
    scan itself needs to pass no ids.
    """
    done = WarningEvent.objects.filter(action=WarningAction.NOTIFY).values("warning_id")
    pending = Warning.objects.filter(status=WarningStatus.NEW).exclude(pk__in=done)
    return notify_new(pending.order_by("pk").values_list("pk", flat=True))


def notify_assignee(warning: Warning, assignee: User, actor: User) -> int:
    """Notify a worker that someone else handed them the warning."""
    if assignee.pk == actor.pk:
        return 0
    event = f"assigned-v{warning.version}"
    return _send([assignee], warning, NEW_TEMPLATE, event)


def notify_escalated(warning_ids: Iterable[int]) -> int:
    """Notify the street office reviewers of each escalated warning."""
    ids = list(warning_ids)
    warnings = Warning.objects.select_related("region")
    sent = 0
    for start in range(0, len(ids), CHUNK):
        for warning in warnings.filter(pk__in=ids[start : start + CHUNK]):
            reviewers = street_reviewers_of(warning)
            sent += _send(reviewers, warning, ESCALATED_TEMPLATE, "escalated")
    return sent
