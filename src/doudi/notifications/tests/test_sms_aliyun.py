"""Text messages through a local fake of Alibaba Cloud's SendSms API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from doudi.core.locks import single_run
from doudi.notifications import services
from doudi.notifications.choices import Channel, DeliveryStatus
from doudi.notifications.delivery import check_receipt, claim, deliver, envelope_for
from doudi.notifications.models import Delivery, Message
from doudi.notifications.senders import sender_for
from doudi.notifications.tasks import check_receipts, send_due, send_due_deliveries
from doudi.notifications.tests.conftest import set_preference
from doudi.notifications.tests.fakes import FakeAliyunSms, free_port
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db


def _notify(person: Person, key: str = "case-1-received") -> Delivery:
    services.notify_resident(
        person.pk, "help_request_received", {"reference": "Q-0001"}, key
    )
    return Delivery.objects.get(message__key=key, channel=Channel.SMS)


def test_send_signed_and_recorded(aliyun: FakeAliyunSms, head: Person) -> None:
    delivery = _notify(head)

    assert deliver(delivery.pk) == DeliveryStatus.SENT

    delivery.refresh_from_db()
    assert delivery.provider_code == "OK"
    assert delivery.provider_message_id == "000001^0"
    assert len(aliyun.sent) == 1
    sent = aliyun.sent[0]
    assert sent["PhoneNumbers"] == "13800000000"
    assert sent["TemplateCode"] == "SMS_DOUDI_HELP_RECEIVED_ZH"
    assert sent["TemplateParam"] == '{"reference": "Q-0001"}'
    assert sent["OutId"] == delivery.idempotency_key
    assert sent["SignName"] == "兜底测试"


def test_wrong_secret_fails_with_code(
    aliyun: FakeAliyunSms, head: Person, settings
) -> None:
    settings.NOTIFY_ALIYUN_ACCESS_KEY_SECRET = "wrong"
    delivery = _notify(head)

    assert deliver(delivery.pk) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert delivery.provider_code == "SignatureDoesNotMatch"
    assert aliyun.sent == []


def test_illegal_number_is_final(aliyun: FakeAliyunSms, head: Person) -> None:
    Person.objects.filter(pk=head.pk).update(phone="12345")
    delivery = _notify(Person.objects.get(pk=head.pk))

    assert deliver(delivery.pk) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert delivery.provider_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert delivery.attempts == 1
    assert send_due(timezone.now() + timedelta(days=1)) == 0


def test_flow_control_retried_with_backoff(
    aliyun: FakeAliyunSms, head: Person, settings
) -> None:
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    aliyun.script = ["isv.BUSINESS_LIMIT_CONTROL", "Throttling.User"]
    delivery = _notify(head)
    now = timezone.now()

    assert deliver(delivery.pk, now) == DeliveryStatus.QUEUED
    delivery.refresh_from_db()
    assert delivery.provider_code == "isv.BUSINESS_LIMIT_CONTROL"
    assert delivery.not_before == now + timedelta(seconds=60)

    # Not due yet: nothing is sent.
    assert deliver(delivery.pk, now + timedelta(seconds=59)) == DeliveryStatus.QUEUED
    assert aliyun.requests == ["SendSms"]

    assert deliver(delivery.pk, now + timedelta(seconds=60)) == DeliveryStatus.QUEUED
    delivery.refresh_from_db()
    assert delivery.not_before == now + timedelta(seconds=60 + 120)

    later = now + timedelta(seconds=180)
    assert send_due(later) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 3
    assert len(aliyun.sent) == 1


def test_retries_stop_at_maximum(aliyun: FakeAliyunSms, head: Person, settings) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 2
    aliyun.script = ["isp.SYSTEM_ERROR", "isp.SYSTEM_ERROR", "OK"]
    delivery = _notify(head)
    now = timezone.now()

    deliver(delivery.pk, now)
    status = deliver(delivery.pk, now + timedelta(hours=1))

    assert status == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.provider_code == "isp.SYSTEM_ERROR"
    assert aliyun.sent == []


def test_unreachable_provider_is_retried(head: Person, settings) -> None:
    settings.NOTIFY_ALIYUN_SMS_URL = f"http://127.0.0.1:{free_port()}/"
    delivery = _notify(head)

    assert deliver(delivery.pk) == DeliveryStatus.QUEUED
    delivery.refresh_from_db()
    assert delivery.provider_code == "URLError"


def test_crash_after_send_not_sent_again(aliyun: FakeAliyunSms, head: Person) -> None:
    delivery = _notify(head)
    now = timezone.now()
    # A worker claims the delivery and the provider accepts the message,
    # but the worker dies before recording the result.
    assert claim(delivery.pk, now) is not None
    envelope = envelope_for(Delivery.objects.get(pk=delivery.pk))
    assert envelope is not None
    sender_for(Channel.SMS).send(envelope)
    assert len(aliyun.sent) == 1

    # While the mark is fresh, another run leaves it alone.
    assert deliver(delivery.pk, now + timedelta(seconds=30)) == DeliveryStatus.SENDING
    assert send_due(now + timedelta(seconds=30)) == 0

    assert send_due(now + timedelta(minutes=11)) == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(aliyun.sent) == 1
    assert aliyun.requests.count("QuerySendDetails") >= 1


def test_crash_before_send_sends_once(aliyun: FakeAliyunSms, head: Person) -> None:
    delivery = _notify(head)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, sending_since=now, attempts=1
    )

    assert deliver(delivery.pk, now + timedelta(minutes=11)) == DeliveryStatus.SENT
    assert deliver(delivery.pk, now + timedelta(minutes=30)) == DeliveryStatus.SENT

    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert len(aliyun.sent) == 1


def test_receipt_marks_delivered(aliyun: FakeAliyunSms, head: Person) -> None:
    delivery = _notify(head)
    deliver(delivery.pk)
    assert check_receipt(delivery.pk) == DeliveryStatus.SENT

    aliyun.receipts[delivery.idempotency_key] = 3
    assert check_receipt(delivery.pk) == DeliveryStatus.DELIVERED


def test_failed_receipt_recorded(aliyun: FakeAliyunSms, head: Person) -> None:
    delivery = _notify(head)
    deliver(delivery.pk)
    aliyun.receipts[delivery.idempotency_key] = 2

    assert check_receipt(delivery.pk) == DeliveryStatus.FAILED


def test_sent_twice_is_sent_once(aliyun: FakeAliyunSms, head: Person) -> None:
    delivery = _notify(head)
    deliver(delivery.pk)
    _notify(head)

    assert deliver(delivery.pk) == DeliveryStatus.SENT
    assert send_due(timezone.now() + timedelta(days=1)) == 0
    assert len(aliyun.sent) == 1


def test_english_template_code(aliyun: FakeAliyunSms, head: Person) -> None:
    set_preference(head, language="en")
    delivery = _notify(head)

    deliver(delivery.pk)

    assert aliyun.sent[0]["TemplateCode"] == "SMS_DOUDI_HELP_RECEIVED_EN"


def test_dispatch_task_skips_while_locked(aliyun: FakeAliyunSms, head: Person) -> None:
    _notify(head)

    with single_run("notifications-dispatch", ttl_seconds=60):
        assert send_due_deliveries() == 0
    assert aliyun.sent == []

    assert send_due_deliveries.delay().get() == 1
    assert len(aliyun.sent) == 1


def test_receipts_checked_at_intervals(aliyun: FakeAliyunSms, head: Person) -> None:
    delivery = _notify(head)
    deliver(delivery.pk)
    now = timezone.now()

    assert check_receipts(now) == 1
    assert check_receipts(now + timedelta(minutes=5)) == 0
    aliyun.receipts[delivery.idempotency_key] = 3
    assert check_receipts(now + timedelta(minutes=11)) == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert check_receipts(now + timedelta(minutes=30)) == 0


def test_bad_template_fails_alone(aliyun: FakeAliyunSms, head: Person) -> None:
    broken = _notify(head, "broken")
    Message.objects.filter(pk=broken.message_id).update(template="removed")
    healthy = _notify(head, "healthy")

    assert send_due(timezone.now()) == 2

    broken.refresh_from_db()
    healthy.refresh_from_db()
    assert broken.status == DeliveryStatus.FAILED
    assert broken.provider_code == "bad_template"
    assert healthy.status == DeliveryStatus.SENT
