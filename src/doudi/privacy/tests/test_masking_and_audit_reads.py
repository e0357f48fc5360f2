"""Masked personal values on every read, and one audit entry per read.

Staff see names and addresses masked in lists and exports, resident IDs and
phone numbers masked on detail pages, and the full resident ID only through
the reveal endpoint with a purpose. Every read records who, why, from where
and which records, but no audit entry stores a personal value.
"""

from __future__ import annotations

import json

import pytest

from doudi.conftest import ALICE_ID, CAROL_ID, make_user, signed_in
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.masking import mask_address, mask_name
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Household, Person
from doudi.registry.services import resident_id_index

LIST_URL = "/registry/households/"
API_LIST_URL = "/api/v1/households"
EXPORT_URL = "/registry/households/export.csv"
ADDRESS = "测试路1号101室"
HEAD_NAME = "王测试"
CHILD_NAME = "王小测"
PHONE = "13800000000"
ALICE_MASKED = "310101********0018"
PHONE_MASKED = "138****0000"
PERSONAL_VALUES = [ALICE_ID, CAROL_ID, HEAD_NAME, CHILD_NAME, PHONE, ADDRESS]
REVEAL_ROLES = ["owner", "street", "district"]
CLIENT_IP = "127.0.0.1"


def _alice(household: Household) -> Person:
    return Person.objects.get(
        memberships__household=household, resident_id_index=resident_id_index(ALICE_ID)
    )


def _resident(household: Household) -> User:
    return make_user("resident", Role.RESIDENT, None, person=_alice(household))


def _detail_url(household: Household) -> str:
    return f"/registry/households/{household.pk}/"


def _reveal_url(person: Person) -> str:
    return f"/registry/persons/{person.pk}/resident-id"


def _only_entry(**filters: object) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(**filters))
    assert len(entries) == 1, entries
    return entries[0]


# Masking in lists, exports and the API


def test_list_page_masks_head_name(users, household):
    response = signed_in(users["owner"]).get(LIST_URL)
    assert response.context["rows"][0].head_name == mask_name(HEAD_NAME)


def test_list_page_masks_address(users, household):
    response = signed_in(users["owner"]).get(LIST_URL)
    assert response.context["rows"][0].address == mask_address(ADDRESS)


def test_list_page_shows_no_plain_values(users, household):
    content = signed_in(users["owner"]).get(LIST_URL).content.decode()
    assert HEAD_NAME not in content
    assert ADDRESS not in content


def test_api_list_masks_values(users, household):
    item = signed_in(users["owner"]).get(API_LIST_URL).json()["items"][0]
    assert item["head_name"] == mask_name(HEAD_NAME)
    assert item["address"] == mask_address(ADDRESS)


def test_export_masks_values(users, household):
    response = signed_in(users["street"]).get(EXPORT_URL)
    content = response.getvalue().decode("utf-8-sig")
    assert mask_name(HEAD_NAME) in content
    assert HEAD_NAME not in content
    assert ADDRESS not in content


# Masking on detail pages


def test_detail_masks_resident_id(users, household):
    content = signed_in(users["owner"]).get(_detail_url(household)).content.decode()
    assert ALICE_MASKED in content
    assert ALICE_ID not in content


def test_detail_masks_phone(users, household):
    content = signed_in(users["owner"]).get(_detail_url(household)).content.decode()
    assert PHONE_MASKED in content
    assert PHONE not in content


def test_detail_city_admin_masks_names(users, household):
    response = signed_in(users["city"]).get(_detail_url(household))
    names = [member.name for member in response.context["household"].members]
    assert names == [mask_name(HEAD_NAME), mask_name(CHILD_NAME)]


def test_api_detail_masks_resident_id(users, household):
    response = signed_in(users["owner"]).get(f"/api/v1/households/{household.pk}")
    ids = [member["resident_id"] for member in response.json()["members"]]
    assert ALICE_MASKED in ids
    assert ALICE_ID not in ids


def test_resident_sees_own_values(users, household):
    resident = _resident(household)
    content = signed_in(resident).get(_detail_url(household)).content.decode()
    assert ALICE_ID in content


# Revealing the full resident ID


@pytest.mark.parametrize("name", REVEAL_ROLES)
def test_reveal_returns_full_id(users, household, name):
    response = signed_in(users[name]).post(
        _reveal_url(_alice(household)), {"purpose": Purpose.VERIFICATION}
    )
    assert response.status_code == 200
    assert ALICE_ID in response.content.decode()


def test_reveal_city_admin_forbidden(users, household):
    response = signed_in(users["city"]).post(
        _reveal_url(_alice(household)), {"purpose": Purpose.VERIFICATION}
    )
    assert response.status_code == 403
    assert ALICE_ID not in response.content.decode()


def test_reveal_without_purpose_rejected(users, household):
    response = signed_in(users["owner"]).post(_reveal_url(_alice(household)))
    assert response.status_code == 400
    assert ALICE_ID not in response.content.decode()


def test_reveal_system_purpose_rejected(users, household):
    response = signed_in(users["owner"]).post(
        _reveal_url(_alice(household)), {"purpose": Purpose.SYSTEM}
    )
    assert response.status_code == 400


def test_reveal_without_purpose_not_audited(users, household):
    signed_in(users["owner"]).post(_reveal_url(_alice(household)))
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_reveal_get_not_allowed(users, household):
    response = signed_in(users["owner"]).get(_reveal_url(_alice(household)))
    assert response.status_code == 405


def test_reveal_is_audited_with_purpose(users, household):
    person = _alice(household)
    signed_in(users["owner"]).post(
        _reveal_url(person), {"purpose": Purpose.VERIFICATION}
    )
    entry = _only_entry(action=AuditAction.REVEAL)
    assert entry.actor == users["owner"]
    assert entry.purpose == Purpose.VERIFICATION
    assert entry.object_type == "registry.person"
    assert entry.object_id == str(person.pk)
    assert entry.ip_address == CLIENT_IP


# One audit entry per read


def _assert_read_by(entry: AuditEntry, user: User) -> None:
    assert entry.actor == user
    assert entry.actor_label == user.username
    assert entry.role == user.role
    assert entry.purpose == Purpose.CASE_WORK
    assert entry.ip_address == CLIENT_IP


def test_list_read_is_audited(users, household):
    signed_in(users["owner"]).get(LIST_URL)
    entry = _only_entry(action=AuditAction.READ, actor=users["owner"])
    _assert_read_by(entry, users["owner"])
    assert entry.record_count == 1
    assert entry.detail["ids"] == [household.pk]


def test_detail_read_is_audited(users, household):
    signed_in(users["owner"]).get(_detail_url(household))
    entry = _only_entry(action=AuditAction.READ, actor=users["owner"])
    _assert_read_by(entry, users["owner"])
    assert entry.object_type == "registry.household"
    assert entry.object_id == str(household.pk)


@pytest.mark.parametrize(
    ("query", "kind"),
    [(ALICE_ID, "resident_id"), (HEAD_NAME, "name"), (PHONE, "phone")],
)
def test_search_is_audited(users, household, query, kind):
    signed_in(users["owner"]).get(LIST_URL, {"q": query})
    entry = _only_entry(action=AuditAction.SEARCH, actor=users["owner"])
    _assert_read_by(entry, users["owner"])
    assert entry.record_count == 1
    assert entry.detail == {"by": kind}


def test_search_rows_are_audited(users, household):
    signed_in(users["owner"]).get(LIST_URL, {"q": ALICE_ID})
    entry = _only_entry(action=AuditAction.READ, actor=users["owner"])
    assert entry.detail["ids"] == [household.pk]


def test_export_is_audited(users, household):
    signed_in(users["street"]).get(EXPORT_URL)
    entry = _only_entry(action=AuditAction.EXPORT, actor=users["street"])
    _assert_read_by(entry, users["street"])
    assert entry.record_count == 1
    assert len(entry.checksum) == 64


def test_api_list_is_audited(users, household):
    signed_in(users["owner"]).get(API_LIST_URL)
    entry = _only_entry(action=AuditAction.READ, actor=users["owner"])
    _assert_read_by(entry, users["owner"])
    assert entry.record_count == 1
    assert entry.detail["ids"] == [household.pk]


def test_api_search_is_audited(users, household):
    signed_in(users["owner"]).get(API_LIST_URL, {"q": PHONE})
    entry = _only_entry(action=AuditAction.SEARCH, actor=users["owner"])
    _assert_read_by(entry, users["owner"])
    assert entry.record_count == 1


def test_api_detail_is_audited(users, household):
    signed_in(users["owner"]).get(f"/api/v1/households/{household.pk}")
    entry = _only_entry(action=AuditAction.READ, actor=users["owner"])
    _assert_read_by(entry, users["owner"])
    assert entry.object_id == str(household.pk)


def test_admin_list_is_audited(users, household):
    signed_in(users["owner"]).get("/admin/registry/household/")
    entry = _only_entry(action=AuditAction.READ, actor=users["owner"])
    _assert_read_by(entry, users["owner"])
    assert entry.detail == {"via": "admin", "ids": [household.pk]}


def test_admin_change_is_audited(users, household):
    signed_in(users["owner"]).get(f"/admin/registry/household/{household.pk}/change/")
    entry = _only_entry(action=AuditAction.READ, actor=users["owner"])
    assert entry.object_id == str(household.pk)


def test_resident_read_purpose_is_own_record(users, household):
    resident = _resident(household)
    signed_in(resident).get(_detail_url(household))
    entry = _only_entry(action=AuditAction.READ, actor=resident)
    assert entry.purpose == Purpose.OWN_RECORD


# No personal value in any audit entry


def test_audit_entries_hold_no_personal_values(users, household):
    owner, street = signed_in(users["owner"]), signed_in(users["street"])
    person = _alice(household)
    for query in [ALICE_ID, HEAD_NAME, PHONE]:
        owner.get(LIST_URL, {"q": query})
        owner.get(API_LIST_URL, {"q": query})
    owner.get(_detail_url(household))
    owner.get(f"/api/v1/households/{household.pk}")
    owner.post(_reveal_url(person), {"purpose": Purpose.CASE_WORK})
    signed_in(users["outsider"]).post(
        _reveal_url(person), {"purpose": Purpose.CASE_WORK}
    )
    street.get(EXPORT_URL)
    owner.get("/admin/registry/person/")
    owner.get(f"/admin/registry/person/{person.pk}/change/")

    rows = list(AuditEntry.objects.values())
    assert len(rows) > 20
    text = json.dumps(rows, ensure_ascii=False, default=str)
    for value in PERSONAL_VALUES:
        assert value not in text, value
