"""notify_resident and notify_staff: inbox, channel choice, quiet hours, keys."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from doudi.notifications import services
from doudi.notifications.choices import Channel, DeliveryStatus
from doudi.notifications.models import Delivery, Message
from doudi.notifications.providers import outbox
from doudi.notifications.rendering import TemplateError
from doudi.notifications.tasks import send_due
from doudi.notifications.tests.conftest import OPENID, set_preference
from doudi.portal.choices import LinkMethod
from doudi.portal.models import PortalAccount
from doudi.portal.signin import phone_index
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIVED = {"reference": "Q-0001"}


def _at_shanghai(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, tzinfo=SHANGHAI)


def test_inbox_and_default_sms(head: Person) -> None:
    services.notify_resident(head.pk, "help_request_received", RECEIVED, "q-1")

    message = Message.objects.get(person=head)
    assert message.subject == "求助申请已收到"
    assert "Q-0001" in message.body
    assert message.read_at is None
    channels = list(message.deliveries.values_list("channel", flat=True))
    assert channels == [Channel.SMS]


def test_same_key_creates_nothing_new(head: Person) -> None:
    for _ in range(3):
        services.notify_resident(head.pk, "help_request_received", RECEIVED, "q-1")

    assert Message.objects.filter(person=head).count() == 1
    assert Delivery.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="notifications.message").count() == 1


def test_same_key_other_recipient_is_new(head: Person, child: Person) -> None:
    services.notify_resident(head.pk, "help_request_received", RECEIVED, "q-1")
    services.notify_resident(child.pk, "help_request_received", RECEIVED, "q-1")

    assert Message.objects.count() == 2
    keys = set(Delivery.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 2


def test_chosen_channels_only(head: Person) -> None:
    set_preference(
        head,
        sms=False,
        email=True,
        email_address="a@example.test",
        wechat=True,
        wechat_openid=OPENID,
    )
    services.notify_resident(head.pk, "help_request_received", RECEIVED, "q-1")

    channels = set(Delivery.objects.values_list("channel", flat=True))
    assert channels == {Channel.EMAIL, Channel.WECHAT}


def test_no_channels_inbox_only(head: Person) -> None:
    set_preference(head, sms=False)
    services.notify_resident(head.pk, "help_request_received", RECEIVED, "q-1")

    assert Message.objects.filter(person=head).count() == 1
    assert Delivery.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "subject", "body"),
    [
        (
            "zh-hans",
            "求助申请状态更新",
            "您的求助申请（编号 Q-9）现在的状态是：已受理。",
        ),
        (
            "en",
            "Help request updated",
            "Your request for help (number Q-9) is now: accepted.",
        ),
    ],
)
def test_recipient_language(
    head: Person, language: str, subject: str, body: str
) -> None:
    set_preference(head, language=language)
    status = "已受理" if language == "zh-hans" else "accepted"
    services.notify_resident(
        head.pk, "help_request_status", {"reference": "Q-9", "status": status}, "s"
    )

    message = Message.objects.get(person=head)
    assert message.language == language
    assert message.subject == subject
    assert message.body == body


def test_quiet_hours_delay(head: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    set_preference(head, quiet_start=time(22, 0), quiet_end=time(7, 0))
    monkeypatch.setattr(timezone, "now", lambda: _at_shanghai(23, 30))
    services.notify_resident(head.pk, "help_request_received", RECEIVED, "q-1")

    delivery = Delivery.objects.get()
    assert delivery.not_before == _at_shanghai(7, 0) + timedelta(days=1)
    assert send_due(_at_shanghai(23, 45)) == 0
    assert send_due(_at_shanghai(7, 0) + timedelta(days=1)) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_outside_quiet_hours_now(head: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    set_preference(head, quiet_start=time(22, 0), quiet_end=time(7, 0))
    monkeypatch.setattr(timezone, "now", lambda: _at_shanghai(7, 0))
    services.notify_resident(head.pk, "help_request_received", RECEIVED, "q-1")

    assert Delivery.objects.get().not_before == _at_shanghai(7, 0)


def test_urgent_ignores_quiet_hours(
    head: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_preference(head, quiet_start=time(22, 0), quiet_end=time(7, 0))
    monkeypatch.setattr(timezone, "now", lambda: _at_shanghai(2, 0))
    services.notify_resident(head.pk, "emergency_notice", {"notice": "台风预警"}, "e-1")

    delivery = Delivery.objects.get()
    assert delivery.not_before == _at_shanghai(2, 0)
    assert delivery.message.urgent


def test_commit_sends_at_once(head: Person, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_resident(head.pk, "help_request_received", RECEIVED, "q-1")

    assert Delivery.objects.get().status == DeliveryStatus.SENT
    lines = outbox.read(Channel.SMS)
    assert len(lines) == 1
    assert lines[0]["to"] == "13800000000"
    assert lines[0]["key"] == Delivery.objects.get().idempotency_key


def test_staff_message_in_inbox(users: dict[str, User]) -> None:
    context = {"warning": "W-1", "community": "示例一社区"}
    services.notify_staff(users["owner"].pk, "warning_assigned", context, "w-1")

    message = Message.objects.get(user=users["owner"])
    assert message.person is None
    assert "W-1" in message.body


def test_unknown_person_rejected(db: None) -> None:
    with pytest.raises(services.RecipientNotFound, match="person 999999 not found"):
        services.notify_resident(999999, "help_request_received", RECEIVED, "q-1")


def test_resident_is_not_staff(resident: User) -> None:
    with pytest.raises(services.RecipientNotFound, match="staff user"):
        services.notify_staff(
            resident.pk, "warning_assigned", {"warning": "W", "community": "C"}, "k"
        )


def test_sign_in_code_not_stored(head: Person) -> None:
    with pytest.raises(TemplateError, match="send_sms"):
        services.notify_resident(head.pk, "sign_in_code", {"code": "123456"}, "k")
    assert Message.objects.count() == 0


@pytest.mark.parametrize("key", ["", "x" * 201])
def test_bad_key_rejected(head: Person, key: str) -> None:
    with pytest.raises(ValueError, match="invalid notification key"):
        services.notify_resident(head.pk, "help_request_received", RECEIVED, key)


def test_missing_context_rejected(head: Person) -> None:
    with pytest.raises(TemplateError, match="missing context reference"):
        services.notify_resident(head.pk, "help_request_received", {}, "k")


def test_portal_phone_preferred(head: Person, resident: User) -> None:
    PortalAccount.objects.create(
        phone="+8613900000001",
        phone_index=phone_index("+8613900000001"),
        person=head,
        user=resident,
        link_method=LinkMethod.ID_MATCH,
        linked_at=timezone.now(),
        last_signed_in_at=timezone.now(),
    )
    services.notify_resident(head.pk, "help_request_received", RECEIVED, "q-1")
    delivery = Delivery.objects.get()

    send_due(timezone.now())

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert outbox.read(Channel.SMS)[0]["to"] == "+8613900000001"
