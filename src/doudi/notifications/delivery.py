"""Send one delivery at most once, retrying only what the provider allows.

A run first claims the delivery in a short transaction: it marks the row
SENDING and commits before calling the provider. If the worker dies
between the call and the record of its result, the row stays SENDING.
Once it has been SENDING longer than NOTIFY_SENDING_STALE_SECONDS, a later
run asks the provider whether the send arrived (by the idempotency key)
and records that. A provider that cannot be asked leaves the delivery
UNKNOWN rather than risk a second copy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from doudi.notifications import addresses
from doudi.notifications.choices import DeliveryStatus
from doudi.notifications.conf import setting
from doudi.notifications.models import Delivery
from doudi.notifications.providers.base import Envelope, Outcome, SendResult
from doudi.notifications.rendering import TemplateError, render
from doudi.notifications.schedule import backoff_seconds
from doudi.notifications.senders import sender_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    reconcile: bool
    since: datetime


def _stale(delivery: Delivery, now: datetime) -> bool:
    limit = timedelta(seconds=setting("NOTIFY_SENDING_STALE_SECONDS"))
    return delivery.sending_since is None or delivery.sending_since <= now - limit


def claim(delivery_id: int, now: datetime) -> Claim | None:
    """Mark a due delivery SENDING and commit; return None if it is not this run's.

    A delivery left SENDING past the stale limit is claimed for reconciling.
    """
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status == DeliveryStatus.SENDING:
            if not _stale(delivery, now):
                return None  # another worker is sending it now
            since = delivery.sending_since or now
            # Renewing the mark keeps a second run from reconciling at once.
            delivery.sending_since = now
            delivery.save(update_fields=["sending_since", "updated_at"])
            return Claim(delivery_id, reconcile=True, since=since)
        if delivery.status != DeliveryStatus.QUEUED or delivery.not_before > now:
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.sending_since = now
        delivery.attempts += 1
        delivery.save(
            update_fields=["status", "sending_since", "attempts", "updated_at"]
        )
        return Claim(delivery_id, reconcile=False, since=now)


def envelope_for(delivery: Delivery) -> Envelope | None:
    """Build what the sender needs; None when the recipient has no address."""
    message = delivery.message
    address = addresses.address_for(message, delivery.channel)
    if not address:
        return None
    rendered = render(message.template, message.language, message.params)
    return Envelope(address=address, rendered=rendered, key=delivery.idempotency_key)


def _save(delivery: Delivery, status: DeliveryStatus, result: SendResult) -> None:
    delivery.status = status
    delivery.provider_code = result.code[:64]
    if result.provider_message_id:
        delivery.provider_message_id = result.provider_message_id[:100]
    delivery.sending_since = None
    delivery.save()


def _retry_later(delivery: Delivery, result: SendResult, now: datetime) -> None:
    wait = backoff_seconds(
        delivery.attempts,
        setting("NOTIFY_RETRY_BASE_SECONDS"),
        setting("NOTIFY_RETRY_MAX_SECONDS"),
    )
    delivery.not_before = now + timedelta(seconds=wait)
    _save(delivery, DeliveryStatus.QUEUED, result)
    logger.info(
        "delivery %s: attempt %s failed with %s, retry in %s s",
        delivery.pk,
        delivery.attempts,
        result.code,
        wait,
    )


def _final_status(result: SendResult) -> DeliveryStatus:
    if result.outcome in (Outcome.SENT, Outcome.PENDING):
        return DeliveryStatus.SENT
    if result.outcome == Outcome.DELIVERED:
        return DeliveryStatus.DELIVERED
    return DeliveryStatus.FAILED


def _record(delivery: Delivery, result: SendResult, now: datetime) -> None:
    retryable = result.outcome == Outcome.RETRY
    if retryable and delivery.attempts < setting("NOTIFY_MAX_ATTEMPTS"):
        _retry_later(delivery, result, now)
        return
    status = _final_status(result)
    _save(delivery, status, result)
    logger.info(
        "delivery %s over %s: %s (%s)",
        delivery.pk,
        delivery.channel,
        status,
        result.code,
    )


def _reconcile(
    delivery: Delivery, envelope: Envelope, since: datetime, now: datetime
) -> None:
    found = sender_for(delivery.channel).lookup(envelope, since)
    if found is None:
        logger.warning(
            "delivery %s: send outcome lost and cannot be checked", delivery.pk
        )
        _save(
            delivery, DeliveryStatus.UNKNOWN, SendResult(Outcome.FAILED, "unconfirmed")
        )
        return
    if found.outcome != Outcome.NOT_FOUND:
        logger.info("delivery %s: lost send found at the provider", delivery.pk)
        _record(delivery, found, now)
        return
    # The provider never received it, so this run sends it as a new attempt.
    # NOTE: a provider that records sends with a delay longer than
    # NOTIFY_SENDING_STALE_SECONDS would let this path send a second copy.
    delivery.attempts += 1
    delivery.save(update_fields=["attempts", "updated_at"])
    _record(delivery, sender_for(delivery.channel).send(envelope), now)


def deliver(delivery_id: int, now: datetime | None = None) -> DeliveryStatus:
    """Send delivery `delivery_id` if it is due and not yet sent; return its status."""
    now = now or timezone.now()
    claimed = claim(delivery_id, now)
    delivery = Delivery.objects.select_related("message").get(pk=delivery_id)
    if claimed is None:
        return DeliveryStatus(delivery.status)
    try:
        envelope = envelope_for(delivery)
    except TemplateError as error:
        logger.error("delivery %s: %s", delivery.pk, error)
        _save(
            delivery, DeliveryStatus.FAILED, SendResult(Outcome.FAILED, "bad_template")
        )
        return DeliveryStatus.FAILED
    if envelope is None:
        _save(delivery, DeliveryStatus.FAILED, SendResult(Outcome.FAILED, "no_address"))
        return DeliveryStatus.FAILED
    if claimed.reconcile:
        _reconcile(delivery, envelope, claimed.since, now)
    else:
        _record(delivery, sender_for(delivery.channel).send(envelope), now)
    delivery.refresh_from_db()
    return DeliveryStatus(delivery.status)


def check_receipt(delivery_id: int) -> DeliveryStatus:
    """Ask the provider whether a sent delivery reached the phone, and record it."""
    delivery = Delivery.objects.select_related("message").get(pk=delivery_id)
    if delivery.status != DeliveryStatus.SENT:
        return DeliveryStatus(delivery.status)
    envelope = envelope_for(delivery)
    if envelope is None:
        return DeliveryStatus(delivery.status)
    # The send happened before its result was recorded, possibly the day before.
    since = delivery.updated_at - timedelta(days=1)
    found = sender_for(delivery.channel).lookup(envelope, since)
    if found is not None and found.outcome in (Outcome.DELIVERED, Outcome.FAILED):
        _save(delivery, _final_status(found), found)
    return DeliveryStatus(delivery.status)
