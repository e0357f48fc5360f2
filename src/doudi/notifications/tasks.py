"""Celery tasks that send deliveries; each is a thin wrapper of a plain function.

The tasks are registered on doudi's own Celery app, so importing this module
configures it (eager without a broker) for the web process too.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from doudi.celery import app
from doudi.core.locks import single_run
from doudi.notifications.choices import Channel, DeliveryStatus
from doudi.notifications.conf import setting
from doudi.notifications.delivery import check_receipt, deliver
from doudi.notifications.models import Delivery

logger = logging.getLogger(__name__)

# Deliveries handled per dispatch run; the rest wait for the next run.
DISPATCH_BATCH = 500
# Text message receipts are checked for this long after the send, at most
# once per RECEIPT_INTERVAL for each message.
RECEIPT_WINDOW = timedelta(days=2)
RECEIPT_INTERVAL = timedelta(minutes=10)


def due_delivery_ids(now: datetime) -> list[int]:
    """Return queued deliveries now due, and SENDING ones whose worker was lost."""
    stale = now - timedelta(seconds=setting("NOTIFY_SENDING_STALE_SECONDS"))
    due = Q(status=DeliveryStatus.QUEUED, not_before__lte=now) | Q(
        status=DeliveryStatus.SENDING, sending_since__lte=stale
    )
    rows = Delivery.objects.filter(due).order_by("not_before")
    return list(rows.values_list("pk", flat=True)[:DISPATCH_BATCH])


def send_due(now: datetime | None = None) -> int:
    """Send every due delivery; return how many were handled."""
    now = now or timezone.now()
    handled = 0
    for delivery_id in due_delivery_ids(now):
        try:
            deliver(delivery_id, now)
        except Exception:
            # One broken delivery must not hold up the others; it stays
            # queued or sending and is logged on every run.
            logger.exception("delivery %s failed with an unexpected error", delivery_id)
            continue
        handled += 1
    return handled


def check_receipts(now: datetime | None = None) -> int:
    """Record delivery receipts of recent text messages; return how many were asked."""
    now = now or timezone.now()
    recently_checked = Q(receipt_checked_at__gt=now - RECEIPT_INTERVAL)
    sent = (
        Delivery.objects.filter(
            channel=Channel.SMS,
            status=DeliveryStatus.SENT,
            updated_at__gte=now - RECEIPT_WINDOW,
        )
        .exclude(recently_checked)
        .values_list("pk", flat=True)
    )
    batch = list(sent[:DISPATCH_BATCH])
    for delivery_id in batch:
        check_receipt(delivery_id)
    Delivery.objects.filter(pk__in=batch).update(receipt_checked_at=now)
    return len(batch)


@app.task(time_limit=120, soft_time_limit=100)
def send_delivery(delivery_id: int) -> str:
    return str(deliver(delivery_id))


@app.task(time_limit=900, soft_time_limit=840)
def send_due_deliveries() -> int:
    with single_run("notifications-dispatch", ttl_seconds=900) as acquired:
        if not acquired:
            return 0
        handled = send_due()
        receipts = check_receipts()
    logger.info(
        "notification dispatch: %s sent or retried, %s receipts checked",
        handled,
        receipts,
    )
    return handled
