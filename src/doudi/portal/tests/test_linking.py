"""Linking a phone to a household: ID and name match, mismatch, worker confirmation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from doudi.conftest import BOB_ID, signed_in
from doudi.portal import help as help_requests
from doudi.portal import linking
from doudi.portal.accounts import linked_household
from doudi.portal.choices import LinkMethod
from doudi.portal.models import PortalAccount
from doudi.portal.tests.conftest import ALICE_ID, ALICE_NAME
from doudi.privacy.choices import Role
from doudi.privacy.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def test_match_links_account(resident: Client, household, alice):
    response = resident.post(
        "/portal/link/", {"name": ALICE_NAME, "resident_id": ALICE_ID.lower()}
    )
    assert response.status_code == 302
    account = PortalAccount.objects.get()
    assert account.person == alice
    assert account.link_method == LinkMethod.ID_MATCH
    assert linked_household(account) == household
    assert account.user is not None
    assert account.user.role == Role.RESIDENT
    assert account.user.person == alice
    assert not account.user.has_usable_password()


def test_link_audited(linked_account: PortalAccount, alice):
    entry = AuditEntry.objects.get(object_type="portal.account", action="update")
    assert entry.object_id == str(linked_account.pk)
    assert entry.detail == {"person": str(alice.pk), "method": "id_match"}
    assert ALICE_ID not in str(entry.detail)


def test_wrong_name_does_not_link(resident: Client, household):
    response = resident.post(
        "/portal/link/", {"name": "王别人", "resident_id": ALICE_ID}
    )
    assert response.status_code == 200
    assert b"do not match our records" in response.content
    assert PortalAccount.objects.get().person is None
    assert AuditEntry.objects.filter(
        object_type="portal.account", action="denied"
    ).exists()


def test_unknown_id_answers_like_wrong_name(resident: Client, household):
    wrong_name = resident.post(
        "/portal/link/", {"name": "王别人", "resident_id": ALICE_ID}
    )
    unknown = resident.post(
        "/portal/link/", {"name": ALICE_NAME, "resident_id": BOB_ID}
    )
    assert wrong_name.content.count(b"do not match") == unknown.content.count(
        b"do not match"
    )
    assert PortalAccount.objects.get().person is None


def test_invalid_id_names_fix(resident: Client, household):
    response = resident.post(
        "/portal/link/", {"name": ALICE_NAME, "resident_id": "12345"}
    )
    assert b"not valid: enter the 18 characters" in response.content


def test_link_attempts_limited(resident_account: PortalAccount, household):
    for _ in range(5):
        with pytest.raises(ValidationError, match="do not match"):
            linking.link_by_identity(resident_account, ALICE_ID, "王别人")
    with pytest.raises(ValidationError, match="Too many attempts"):
        linking.link_by_identity(resident_account, ALICE_ID, ALICE_NAME)


def test_worker_confirms_link(resident_account: PortalAccount, household, users, alice):
    account = linking.confirm_link(users["owner"], resident_account, ALICE_ID)
    assert account.person == alice
    assert account.link_method == LinkMethod.WORKER_CONFIRMED
    assert account.linked_by == users["owner"]
    entry = AuditEntry.objects.get(object_type="portal.account", action="update")
    assert entry.actor == users["owner"]


def test_worker_outside_region_cannot_link(resident_account, household, users):
    with pytest.raises(ValidationError, match="No person with this resident ID"):
        linking.confirm_link(users["outsider"], resident_account, ALICE_ID)
    resident_account.refresh_from_db()
    assert resident_account.person is None


def test_street_reviewer_cannot_confirm(resident_account, household, users):
    with pytest.raises(PermissionDenied):
        linking.confirm_link(users["street"], resident_account, ALICE_ID)


def test_worker_confirms_from_request_page(
    resident: Client, resident_account, household, users
):
    request, _sent = help_requests.submit(resident_account, _key(), _form())
    worker = signed_in(users["owner"])
    page = worker.get(f"/portal/staff/requests/{request.pk}/")
    assert page.status_code == 200
    response = worker.post(
        f"/portal/staff/requests/{request.pk}/", {"resident_id": ALICE_ID}
    )
    assert response.status_code == 302
    resident_account.refresh_from_db()
    assert resident_account.link_method == LinkMethod.WORKER_CONFIRMED


def test_two_phones_share_resident_user(household, alice):
    first = PortalAccount.objects.create(phone="+8613900000001", phone_index="a")
    second = PortalAccount.objects.create(phone="+8613900000002", phone_index="b")
    linking.link_by_identity(first, ALICE_ID, ALICE_NAME)
    linking.link_by_identity(second, ALICE_ID, ALICE_NAME)
    assert User.objects.filter(person=alice).count() == 1


def _key():
    import uuid

    return uuid.uuid4()


def _form() -> dict[str, str]:
    return {
        "who": "me",
        "kind": "housing",
        "urgency": "this_week",
        "contact_method": "this_phone",
    }
