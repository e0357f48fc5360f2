"""Fixtures: residents with inbox preferences, and the providers' local fakes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from doudi.conftest import make_user
from doudi.notifications.models import Preference
from doudi.notifications.tests.fakes import (
    FakeAliyunSms,
    FakeWeChat,
    RecordingHandler,
    serve,
    smtp_server,
)
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Household, Person

# Synthetic credentials of the fakes; no real account has them.
ACCESS_KEY_ID = "LTAI-test-key"
ACCESS_KEY_SECRET = "test-secret-not-real"
APP_ID = "wx-test-app"
APP_SECRET = "wx-test-secret-not-real"
OPENID = "o-test-openid-0001"


@pytest.fixture(autouse=True)
def _outbox_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    cache.clear()


@pytest.fixture
def head(household: Household) -> Person:
    """The household head, whose registry phone is 13800000000."""
    return Person.objects.get(memberships__household=household, phone__isnull=False)


@pytest.fixture
def child(household: Household) -> Person:
    return Person.objects.get(memberships__household=household, phone__isnull=True)


@pytest.fixture
def resident(head: Person) -> User:
    return make_user("resident_owner", Role.RESIDENT, None, person=head)


@pytest.fixture
def other_resident(child: Person) -> User:
    return make_user("resident_outsider", Role.RESIDENT, None, person=child)


def set_preference(person: Person, **values: object) -> Preference:
    preference, _ = Preference.objects.update_or_create(person=person, defaults=values)
    return preference


@pytest.fixture
def aliyun(settings: pytest.FixtureRequest) -> Iterator[FakeAliyunSms]:
    fake = FakeAliyunSms(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    with serve(fake) as url:
        settings.NOTIFY_ALIYUN_SMS_URL = url  # type: ignore[attr-defined]
        settings.NOTIFY_ALIYUN_ACCESS_KEY_ID = ACCESS_KEY_ID  # type: ignore[attr-defined]
        settings.NOTIFY_ALIYUN_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET  # type: ignore[attr-defined]
        settings.NOTIFY_ALIYUN_SIGN_NAME = "兜底测试"  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
def wechat(settings: pytest.FixtureRequest) -> Iterator[FakeWeChat]:
    fake = FakeWeChat(APP_ID, APP_SECRET, followers={OPENID})
    with serve(fake) as url:
        settings.NOTIFY_WECHAT_API_URL = url  # type: ignore[attr-defined]
        settings.NOTIFY_WECHAT_APP_ID = APP_ID  # type: ignore[attr-defined]
        settings.NOTIFY_WECHAT_APP_SECRET = APP_SECRET  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
def smtp(settings: pytest.FixtureRequest) -> Iterator[RecordingHandler]:
    with smtp_server() as (handler, port):
        settings.NOTIFY_SMTP_HOST = "127.0.0.1"  # type: ignore[attr-defined]
        settings.NOTIFY_SMTP_PORT = port  # type: ignore[attr-defined]
        yield handler
