"""WeChat template messages through a local fake of the Official Account API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from doudi.notifications import services
from doudi.notifications.choices import Channel, DeliveryStatus
from doudi.notifications.delivery import deliver
from doudi.notifications.models import Delivery
from doudi.notifications.tests.conftest import OPENID, set_preference
from doudi.notifications.tests.fakes import FakeWeChat
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db


def _notify(person: Person, key: str = "case-1-step") -> Delivery:
    context = {"reference": "C-0042", "step": "入户调查"}
    services.notify_resident(person.pk, "case_step_changed", context, key)
    return Delivery.objects.get(message__key=key, channel=Channel.WECHAT)


@pytest.fixture
def follower(head: Person) -> Person:
    set_preference(head, sms=False, wechat=True, wechat_openid=OPENID)
    return head


def test_template_message_sent(wechat: FakeWeChat, follower: Person) -> None:
    delivery = _notify(follower)

    assert deliver(delivery.pk) == DeliveryStatus.SENT

    delivery.refresh_from_db()
    assert delivery.provider_code == "0"
    assert delivery.provider_message_id == "200228001"
    body = wechat.sent[0]
    assert body["touser"] == OPENID
    assert body["template_id"] == "doudi_case_step_changed"
    assert body["data"]["first"] == {"value": "救助申请进度更新"}
    assert body["data"]["step"] == {"value": "入户调查"}


def test_token_fetched_once_and_cached(wechat: FakeWeChat, follower: Person) -> None:
    deliver(_notify(follower, "one").pk)
    deliver(_notify(follower, "two").pk)

    assert wechat.tokens_issued == 1
    assert len(wechat.sent) == 2


def test_expired_token_refreshed(wechat: FakeWeChat, follower: Person) -> None:
    deliver(_notify(follower, "one").pk)
    wechat.expire_tokens()

    assert deliver(_notify(follower, "two").pk) == DeliveryStatus.SENT
    assert wechat.tokens_issued == 2
    assert len(wechat.sent) == 2


def test_wrong_secret_retried(wechat: FakeWeChat, follower: Person, settings) -> None:
    settings.NOTIFY_WECHAT_APP_SECRET = "wrong"
    delivery = _notify(follower)

    assert deliver(delivery.pk) == DeliveryStatus.QUEUED
    delivery.refresh_from_db()
    assert delivery.provider_code == "token_40125"


def test_unfollowed_user_fails(wechat: FakeWeChat, follower: Person) -> None:
    wechat.followers.clear()
    delivery = _notify(follower)

    assert deliver(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.provider_code == "43004"


def test_daily_quota_retried(wechat: FakeWeChat, follower: Person) -> None:
    wechat.script = [45009]
    delivery = _notify(follower)
    now = timezone.now()

    assert deliver(delivery.pk, now) == DeliveryStatus.QUEUED
    delivery.refresh_from_db()
    assert delivery.provider_code == "45009"
    assert deliver(delivery.pk, now + timedelta(hours=2)) == DeliveryStatus.SENT
    assert len(wechat.sent) == 1


def test_lost_result_not_resent(wechat: FakeWeChat, follower: Person) -> None:
    delivery = _notify(follower)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, sending_since=now, attempts=1
    )

    assert deliver(delivery.pk, now + timedelta(minutes=11)) == DeliveryStatus.UNKNOWN
    assert deliver(delivery.pk, now + timedelta(hours=1)) == DeliveryStatus.UNKNOWN
    assert wechat.sent == []
