"""Property: whatever the provider returns and wherever a worker dies, one send.

Each example scripts the fake SendSms API's codes, then runs the dispatcher
every five minutes for two hours. At `crash_at` a worker claims the
delivery and calls the provider but never records the result.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doudi.notifications import services
from doudi.notifications.choices import Channel, DeliveryStatus
from doudi.notifications.delivery import claim, envelope_for
from doudi.notifications.models import Delivery
from doudi.notifications.senders import sender_for
from doudi.notifications.tasks import send_due
from doudi.notifications.tests.fakes import FakeAliyunSms
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db

CODES = ["OK", "isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "Throttling.User"]
FINAL_CODES = ["isv.TEMPLATE_MISSING_PARAMETERS", "isv.AMOUNT_NOT_ENOUGH"]
STEP = timedelta(minutes=5)
# Two hours: longer than every retry wait together and the stale limit.
STEPS = 24
counter = itertools.count()


def _crash_mid_send(delivery: Delivery, now: datetime) -> None:
    claimed = claim(delivery.pk, now)
    if claimed is None or claimed.reconcile:
        return
    envelope = envelope_for(Delivery.objects.get(pk=delivery.pk))
    assert envelope is not None
    sender_for(Channel.SMS).send(envelope)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    codes=st.lists(st.sampled_from(CODES + FINAL_CODES), max_size=8),
    crash_at=st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
)
def test_at_most_one_send(
    aliyun: FakeAliyunSms, head: Person, codes: list[str], crash_at: int | None
) -> None:
    key = f"property-{next(counter)}"
    services.notify_resident(head.pk, "help_request_received", {"reference": "Q"}, key)
    delivery = Delivery.objects.get(message__key=key)
    aliyun.script = list(codes)
    start = timezone.now()

    for step in range(STEPS):
        now = start + step * STEP
        if step == crash_at:
            _crash_mid_send(delivery, now)
        send_due(now)

    delivery.refresh_from_db()
    sends = [sent for sent in aliyun.sent if sent["OutId"] == delivery.idempotency_key]
    assert len(sends) <= 1
    assert delivery.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED)
    assert (delivery.status == DeliveryStatus.SENT) == (len(sends) == 1)
