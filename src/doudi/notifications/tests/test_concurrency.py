"""Workers racing for the same delivery send it once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from doudi.notifications import services
from doudi.notifications.choices import Channel, DeliveryStatus
from doudi.notifications.delivery import deliver
from doudi.notifications.models import Delivery
from doudi.notifications.tests.fakes import FakeAliyunSms
from doudi.registry.models import Person

pytestmark = pytest.mark.usefixtures("clean_audit_after")

WORKERS = 4


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL; SQLite's test database locks",
)
def test_parallel_workers_send_once(
    transactional_db: None, aliyun: FakeAliyunSms, head: Person
) -> None:
    services.notify_resident(head.pk, "help_request_received", {"reference": "Q"}, "q")
    delivery_id = Delivery.objects.get(channel=Channel.SMS).pk
    barrier = threading.Barrier(WORKERS)

    def worker() -> DeliveryStatus:
        barrier.wait()
        try:
            return deliver(delivery_id)
        finally:
            connection.close()

    with ThreadPoolExecutor(WORKERS) as pool:
        statuses = list(pool.map(lambda _: worker(), range(WORKERS)))

    assert len(aliyun.sent) == 1
    assert aliyun.requests == ["SendSms"]
    assert DeliveryStatus.SENT in statuses
    assert Delivery.objects.get(pk=delivery_id).attempts == 1
