"""Warnings reach the community workers of the household's community."""

from __future__ import annotations

import pytest

from doudi.conftest import make_user
from doudi.monitoring import services
from doudi.monitoring.models import WarningStatus
from doudi.monitoring.notify import notify_assignee
from doudi.monitoring.permissions import WarningAction, workers_of
from doudi.monitoring.tests.warning_factories import make_warning
from doudi.notifications.models import Message
from doudi.privacy.choices import Role

pytestmark = pytest.mark.django_db


def test_new_warning_goes_to_community_workers(users, household, regions):
    colleague = make_user("owner2", Role.COMMUNITY_WORKER, regions["home"])
    warning = make_warning(household)

    sent = services.notify_new([warning.pk])

    assert sent == 2
    recipients = set(Message.objects.values_list("user__username", flat=True))
    assert recipients == {"owner", colleague.username}
    bodies = list(Message.objects.values_list("body", flat=True))
    assert all(f"W{warning.pk:08d}" in body for body in bodies)
    assert warning.events.filter(action=WarningAction.NOTIFY).count() == 1


def test_notify_new_twice_sends_once(users, household):
    warning = make_warning(household)

    services.notify_new([warning.pk])
    again = services.notify_new([warning.pk])

    assert again == 0
    assert Message.objects.count() == 1


def test_message_has_no_personal_data(users, household):
    warning = make_warning(household)

    services.notify_new([warning.pk])

    message = Message.objects.get()
    assert "王测试" not in message.body
    assert "测试路" not in message.body


def test_handover_notifies_new_assignee(users, household, regions):
    colleague = make_user("owner2", Role.COMMUNITY_WORKER, regions["home"])
    warning = make_warning(household)

    services.assign(users["owner"], warning.pk, version=0, assignee_id=colleague.pk)

    assert list(Message.objects.values_list("user", flat=True)) == [colleague.pk]


def test_self_assignment_sends_nothing(users, household):
    warning = make_warning(household)

    assert notify_assignee(warning, users["owner"], users["owner"]) == 0


def test_workers_of_skip_inactive_and_other_roles(users, household, regions):
    make_user("gone", Role.COMMUNITY_WORKER, regions["home"], is_active=False)
    warning = make_warning(household)

    assert [u.username for u in workers_of(warning)] == ["owner"]


def test_notify_pending_sends_new_only(users, household):
    fresh = make_warning(household)
    make_warning(household, reason_code="school_fees", status=WarningStatus.CLOSED)

    first = services.notify_pending()
    second = services.notify_pending()

    assert first == 1
    assert second == 0
    assert Message.objects.get().key.startswith(f"monitoring-warning-{fresh.pk}-")
