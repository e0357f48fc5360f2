"""Email through Django's SMTP backend to a local SMTP server."""

from __future__ import annotations

import email
from email import policy

import pytest

from doudi.conftest import make_user
from doudi.notifications import services
from doudi.notifications.choices import Channel, DeliveryStatus
from doudi.notifications.delivery import deliver
from doudi.notifications.models import Delivery, Message
from doudi.notifications.providers.smtp import message_id
from doudi.notifications.tests.conftest import set_preference
from doudi.notifications.tests.fakes import RecordingHandler
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Person, Region

pytestmark = pytest.mark.django_db

ADDRESS = "resident@example.test"


def _notify(person: Person, key: str = "guide-1") -> Delivery:
    context = {"service": "Meal delivery", "guide": "Call the community centre."}
    services.notify_resident(person.pk, "service_guide", context, key)
    return Delivery.objects.get(message__key=key, channel=Channel.EMAIL)


@pytest.fixture
def emailed(head: Person) -> Person:
    set_preference(head, sms=False, email=True, email_address=ADDRESS, language="en")
    return head


def test_email_received_in_english(smtp: RecordingHandler, emailed: Person) -> None:
    delivery = _notify(emailed)

    assert deliver(delivery.pk) == DeliveryStatus.SENT

    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == [ADDRESS]
    parsed = email.message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
    assert parsed["Subject"] == "Service guide: Meal delivery"
    assert parsed["Message-ID"] == message_id(delivery.idempotency_key)
    assert parsed.get_content().strip() == "Call the community centre."


def test_refused_recipient_fails(smtp: RecordingHandler, emailed: Person) -> None:
    smtp.refuse[ADDRESS] = "550 5.1.1 Mailbox unavailable"
    delivery = _notify(emailed)

    assert deliver(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.provider_code == "smtp_550"


def test_temporary_failure_retried(smtp: RecordingHandler, emailed: Person) -> None:
    smtp.data_replies = ["451 4.3.0 Try again later"]
    delivery = _notify(emailed)

    assert deliver(delivery.pk) == DeliveryStatus.QUEUED
    delivery.refresh_from_db()
    assert delivery.provider_code == "smtp_451"
    assert smtp.messages == []


def test_staff_with_email_gets_mail(
    smtp: RecordingHandler, regions: dict[str, Region]
) -> None:
    worker = make_user(
        "mailed", Role.COMMUNITY_WORKER, regions["home"], email="w@example.test"
    )
    context = {"warning": "W-7", "community": "示例一社区"}
    services.notify_staff(worker.pk, "warning_assigned", context, "warning-7")

    delivery = Delivery.objects.get(message__user=worker)
    assert deliver(delivery.pk) == DeliveryStatus.SENT
    parsed = email.message_from_bytes(smtp.messages[0].content, policy=policy.default)  # type: ignore[arg-type]
    assert parsed["Subject"] == "新的预警待跟进"


def test_staff_without_email_inbox_only(users: dict[str, User]) -> None:
    context = {"warning": "W-8", "community": "示例一社区"}
    services.notify_staff(users["owner"].pk, "warning_assigned", context, "warning-8")

    message = Message.objects.get(user=users["owner"])
    assert message.deliveries.count() == 0
