"""Inbox and preferences pages, with a named owner and outsider."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doudi.conftest import signed_in
from doudi.notifications import services
from doudi.notifications.models import Message, Preference
from doudi.notifications.tests.conftest import OPENID, set_preference
from doudi.portal.accounts import ACCOUNT_KEY
from doudi.portal.choices import LinkMethod
from doudi.portal.models import PortalAccount
from doudi.portal.signin import phone_index
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en"}
INBOX = reverse("notifications:inbox")
STAFF_INBOX = reverse("notifications:staff_inbox")
PREFERENCES = reverse("notifications:preferences")


def _message(person: Person) -> Message:
    services.notify_resident(
        person.pk, "help_request_received", {"reference": "Q-77"}, "q-77"
    )
    return Message.objects.get(person=person, key="q-77")


def _valid_form(**changes: str) -> dict[str, str]:
    form = {"language": "en", "sms": "on", "quiet_start": "22:00", "quiet_end": "07:00"}
    form.update(changes)
    return form


def test_owner_reads_own_message(resident: User, head: Person) -> None:
    _message(head)

    response = signed_in(resident).get(INBOX, headers=ENGLISH)

    assert response.status_code == 200
    assert "求助申请已收到" in response.text
    assert "Q-77" in response.text


def test_outsider_does_not_see_it(other_resident: User, head: Person) -> None:
    _message(head)

    response = signed_in(other_resident).get(INBOX, headers=ENGLISH)

    assert response.status_code == 200
    assert "Q-77" not in response.text
    assert "You have no messages." in response.text


def test_owner_marks_read(resident: User, head: Person) -> None:
    message = _message(head)

    response = signed_in(resident).post(
        reverse("notifications:mark_read", args=[message.pk])
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.read_at is not None
    assert AuditEntry.objects.filter(
        object_type="notifications.message", object_id=str(message.pk), actor=resident
    ).exists()


def test_outsider_cannot_mark_read(other_resident: User, head: Person) -> None:
    message = _message(head)

    response = signed_in(other_resident).post(
        reverse("notifications:mark_read", args=[message.pk])
    )

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.read_at is None


def test_staff_inbox_shows_own_only(users: dict[str, User]) -> None:
    context = {"warning": "W-5", "community": "示例一社区"}
    services.notify_staff(users["owner"].pk, "warning_assigned", context, "w-5")

    own = signed_in(users["owner"]).get(STAFF_INBOX, headers=ENGLISH)
    other = signed_in(users["outsider"]).get(STAFF_INBOX, headers=ENGLISH)

    assert "W-5" in own.text
    assert "W-5" not in other.text


def test_staff_cannot_open_resident_pages(users: dict[str, User]) -> None:
    client = signed_in(users["owner"])
    assert client.get(INBOX).status_code == 403
    assert client.get(PREFERENCES).status_code == 403


def test_resident_cannot_open_staff_inbox(resident: User) -> None:
    assert signed_in(resident).get(STAFF_INBOX).status_code == 403


def test_anonymous_sent_to_portal_sign_in(client: Client) -> None:
    response = client.get(INBOX)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:sign_in"))
    assert "next=" in response["Location"]


def _portal_client(account: PortalAccount) -> Client:
    client = Client()
    session = client.session
    session[ACCOUNT_KEY] = account.pk
    session.save()
    return client


def _account(phone: str, **link: object) -> PortalAccount:
    return PortalAccount.objects.create(
        phone=phone, phone_index=phone_index(phone), **link
    )


def test_portal_session_reads_inbox(resident: User, head: Person) -> None:
    _message(head)
    account = _account(
        "+8613900000002",
        person=head,
        user=resident,
        link_method=LinkMethod.ID_MATCH,
        linked_at=timezone.now(),
    )

    response = _portal_client(account).get(INBOX, headers=ENGLISH)

    assert response.status_code == 200
    assert "Q-77" in response.text


def test_unlinked_portal_session_sent_to_link(db: None) -> None:
    account = _account("+8613900000003")

    response = _portal_client(account).get(PREFERENCES)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:link")


def test_preferences_saved_and_audited(resident: User, head: Person) -> None:
    client = signed_in(resident)

    response = client.post(
        PREFERENCES, _valid_form(email="on", email_address="a@example.test")
    )

    assert response.status_code == 302
    saved = Preference.objects.get(person=head)
    assert saved.language == "en"
    assert saved.sms
    assert saved.email
    assert saved.email_address == "a@example.test"
    assert saved.quiet_start == time(22, 0)
    assert saved.quiet_end == time(7, 0)
    entry = AuditEntry.objects.get(object_type="notifications.preference")
    assert entry.actor == resident
    assert "email_address" in entry.detail["fields"]
    assert "a@example.test" not in str(entry.detail)


def test_email_without_address_rejected(resident: User, head: Person) -> None:
    response = signed_in(resident).post(
        PREFERENCES, _valid_form(email="on"), headers=ENGLISH
    )

    assert response.status_code == 200
    assert "Enter an email address to get email." in response.text
    assert not Preference.objects.filter(person=head).exists()


def test_half_quiet_hours_rejected(resident: User) -> None:
    response = signed_in(resident).post(
        PREFERENCES, _valid_form(quiet_end=""), headers=ENGLISH
    )

    assert "Enter both the start and the end of quiet hours." in response.text


def test_wechat_needs_linked_account(resident: User, head: Person) -> None:
    client = signed_in(resident)
    client.post(PREFERENCES, _valid_form(wechat="on"))
    assert not Preference.objects.get(person=head).wechat

    set_preference(head, wechat_openid=OPENID)
    client.post(PREFERENCES, _valid_form(wechat="on"))
    saved = Preference.objects.get(person=head)
    assert saved.wechat
    assert saved.wechat_openid == OPENID


def test_preferences_page_in_chinese(resident: User) -> None:
    response = signed_in(resident).get(
        PREFERENCES, headers={"Accept-Language": "zh-hans"}
    )
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text
