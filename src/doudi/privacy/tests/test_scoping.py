"""Region scoping on every entry point that shows registry records.

The owner works in the household's community and the outsider in the
neighbouring one of the same street. Every page, search, export, reveal,
admin view and API endpoint must show the owner the household and hide it
from the outsider.
"""

from __future__ import annotations

import pytest
from django.test import Client

from doudi.conftest import ALICE_ID, BOB_ID, make_user, signed_in
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Household, Person, Region
from doudi.registry.services import resident_id_index

LIST_URL = "/registry/households/"
API_LIST_URL = "/api/v1/households"
EXPORT_URL = "/registry/households/export.csv"
ADMIN_LIST_URL = "/admin/registry/household/"
SEARCHES = [ALICE_ID, "王测试", "13800000000"]
NON_REGISTRY_ROLES = ["analyst", "auditor", "provider"]


def _detail_url(household: Household) -> str:
    return f"/registry/households/{household.pk}/"


def _api_detail_url(household: Household) -> str:
    return f"/api/v1/households/{household.pk}"


def _admin_change_url(household: Household) -> str:
    return f"/admin/registry/household/{household.pk}/change/"


def _page_ids(client: Client, query: str = "") -> list[int]:
    response = client.get(LIST_URL, {"q": query})
    assert response.status_code == 200
    return [row.pk for row in response.context["rows"]]


def _api_ids(client: Client, query: str = "") -> list[int]:
    response = client.get(API_LIST_URL, {"q": query})
    assert response.status_code == 200
    return [item["id"] for item in response.json()["items"]]


def _alice(household: Household) -> Person:
    return Person.objects.get(
        memberships__household=household, resident_id_index=resident_id_index(ALICE_ID)
    )


def _street_reviewer_elsewhere(regions: dict[str, Region]) -> User:
    return make_user("far_street", Role.STREET_REVIEWER, regions["tianping"])


def _resident(household: Household) -> User:
    return make_user("resident", Role.RESIDENT, None, person=_alice(household))


# Lists


def test_list_page_owner_sees(users, household):
    assert _page_ids(signed_in(users["owner"])) == [household.pk]


def test_list_page_outsider_sees_nothing(users, household):
    assert _page_ids(signed_in(users["outsider"])) == []


def test_api_list_owner_sees(users, household):
    assert _api_ids(signed_in(users["owner"])) == [household.pk]


def test_api_list_outsider_sees_nothing(users, household):
    assert _api_ids(signed_in(users["outsider"])) == []


def test_list_street_sees_communities_below(users, household, far_household):
    assert _page_ids(signed_in(users["street"])) == [household.pk]


def test_list_other_district_sees_own(users, household, far_household):
    assert _page_ids(signed_in(users["other_district"])) == [far_household.pk]


# Searches by resident ID, name and mobile number


@pytest.mark.parametrize("query", SEARCHES)
def test_search_page_owner_finds(users, household, query):
    assert _page_ids(signed_in(users["owner"]), query) == [household.pk]


@pytest.mark.parametrize("query", SEARCHES)
def test_search_page_outsider_finds_nothing(users, household, query):
    assert _page_ids(signed_in(users["outsider"]), query) == []


@pytest.mark.parametrize("query", SEARCHES)
def test_search_api_owner_finds(users, household, query):
    assert _api_ids(signed_in(users["owner"]), query) == [household.pk]


@pytest.mark.parametrize("query", SEARCHES)
def test_search_api_outsider_finds_nothing(users, household, query):
    assert _api_ids(signed_in(users["outsider"]), query) == []


def test_search_outsider_count_is_zero(users, household):
    response = signed_in(users["outsider"]).get(API_LIST_URL, {"q": ALICE_ID})
    assert response.json()["count"] == 0


# Detail pages and the API detail


def test_detail_page_owner_opens(users, household):
    response = signed_in(users["owner"]).get(_detail_url(household))
    assert response.status_code == 200


def test_detail_page_outsider_gets_404(users, household):
    response = signed_in(users["outsider"]).get(_detail_url(household))
    assert response.status_code == 404


def test_detail_page_other_district_gets_404(users, household):
    response = signed_in(users["other_district"]).get(_detail_url(household))
    assert response.status_code == 404


def test_api_detail_owner_opens(users, household):
    response = signed_in(users["owner"]).get(_api_detail_url(household))
    assert response.status_code == 200
    assert response.json()["id"] == household.pk


def test_api_detail_outsider_gets_404(users, household):
    response = signed_in(users["outsider"]).get(_api_detail_url(household))
    assert response.status_code == 404


def test_detail_denied_is_audited(users, household):
    signed_in(users["outsider"]).get(_detail_url(household))
    denied = AuditEntry.objects.filter(action=AuditAction.DENIED)
    assert denied.count() == 1
    entry = denied.get()
    assert entry.actor == users["outsider"]
    assert entry.object_type == "registry.household"
    assert entry.object_id == str(household.pk)


def test_api_detail_denied_is_audited(users, household):
    signed_in(users["outsider"]).get(_api_detail_url(household))
    entry = AuditEntry.objects.get(action=AuditAction.DENIED)
    assert entry.actor == users["outsider"]
    assert entry.object_id == str(household.pk)


def test_missing_household_is_not_denied(users, household):
    response = signed_in(users["outsider"]).get("/registry/households/999999/")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.DENIED).exists()


# Export


def test_export_community_worker_forbidden(users, household):
    response = signed_in(users["owner"]).get(EXPORT_URL)
    assert response.status_code == 403


def test_export_outsider_forbidden(users, household):
    response = signed_in(users["outsider"]).get(EXPORT_URL)
    assert response.status_code == 403


def _export_ids(client: Client) -> list[int]:
    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    lines = response.getvalue().decode("utf-8-sig").splitlines()
    return [int(line.split(",", 1)[0]) for line in lines[1:]]


def test_export_street_includes_household(users, household, far_household):
    assert _export_ids(signed_in(users["street"])) == [household.pk]


def test_export_other_street_excludes_household(
    users, regions, household, far_household
):
    reviewer = _street_reviewer_elsewhere(regions)
    assert _export_ids(signed_in(reviewer)) == [far_household.pk]


def test_export_other_district_excludes_household(users, household, far_household):
    assert _export_ids(signed_in(users["other_district"])) == [far_household.pk]


# Revealing the full resident ID


def _reveal(client: Client, person: Person):
    return client.post(
        f"/registry/persons/{person.pk}/resident-id", {"purpose": Purpose.VERIFICATION}
    )


def test_reveal_owner_gets_full_id(users, household):
    response = _reveal(signed_in(users["owner"]), _alice(household))
    assert response.status_code == 200
    assert ALICE_ID in response.content.decode()


def test_reveal_outsider_gets_404(users, household):
    response = _reveal(signed_in(users["outsider"]), _alice(household))
    assert response.status_code == 404
    assert ALICE_ID not in response.content.decode()


def test_reveal_outsider_is_audited_denied(users, household):
    person = _alice(household)
    _reveal(signed_in(users["outsider"]), person)
    entry = AuditEntry.objects.get(action=AuditAction.DENIED)
    assert entry.actor == users["outsider"]
    assert entry.object_type == "registry.person"
    assert entry.object_id == str(person.pk)


def test_reveal_other_street_gets_404(users, regions, household):
    reviewer = _street_reviewer_elsewhere(regions)
    response = _reveal(signed_in(reviewer), _alice(household))
    assert response.status_code == 404


# The Django admin


def _admin_ids(client: Client) -> list[int]:
    response = client.get(ADMIN_LIST_URL)
    assert response.status_code == 200
    return [row.pk for row in response.context["cl"].result_list]


def test_admin_list_owner_sees(users, household, far_household):
    assert _admin_ids(signed_in(users["owner"])) == [household.pk]


def test_admin_list_outsider_sees_nothing(users, household):
    assert _admin_ids(signed_in(users["outsider"])) == []


def test_admin_change_owner_opens(users, household):
    response = signed_in(users["owner"]).get(_admin_change_url(household))
    assert response.status_code == 200


def test_admin_change_outsider_is_refused(users, household):
    response = signed_in(users["outsider"]).get(_admin_change_url(household))
    assert response.status_code != 200
    assert "测试路" not in response.content.decode()


def test_admin_change_outsider_is_audited(users, household):
    signed_in(users["outsider"]).get(_admin_change_url(household))
    entry = AuditEntry.objects.get(action=AuditAction.DENIED)
    assert entry.actor == users["outsider"]
    assert entry.object_id == str(household.pk)


def test_admin_person_outsider_sees_nothing(users, household):
    response = signed_in(users["outsider"]).get("/admin/registry/person/")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


# Residents


def test_resident_list_shows_own_household(users, household, far_household):
    assert _page_ids(signed_in(_resident(household))) == [household.pk]


def test_resident_api_list_shows_own_household(users, household, far_household):
    assert _api_ids(signed_in(_resident(household))) == [household.pk]


def test_resident_row_counts_all_members(users, household):
    response = signed_in(_resident(household)).get(API_LIST_URL)
    assert response.json()["items"][0]["size"] == 2


def test_resident_opens_own_household(users, household):
    response = signed_in(_resident(household)).get(_detail_url(household))
    assert response.status_code == 200


def test_resident_other_household_gets_404(users, household, far_household):
    response = signed_in(_resident(household)).get(_detail_url(far_household))
    assert response.status_code == 404


def test_resident_search_finds_no_other(users, household, far_household):
    assert _page_ids(signed_in(_resident(household)), BOB_ID) == []


def test_resident_cannot_export(users, household):
    response = signed_in(_resident(household)).get(EXPORT_URL)
    assert response.status_code == 403


def test_resident_cannot_reveal(users, household):
    response = _reveal(signed_in(_resident(household)), _alice(household))
    assert response.status_code == 403


def test_resident_has_no_admin(users, household):
    response = signed_in(_resident(household)).get(ADMIN_LIST_URL)
    assert response.status_code == 302


# Roles without registry rights


@pytest.mark.parametrize("name", NON_REGISTRY_ROLES)
def test_role_list_page_forbidden(users, household, name):
    assert signed_in(users[name]).get(LIST_URL).status_code == 403


@pytest.mark.parametrize("name", NON_REGISTRY_ROLES)
def test_role_api_list_forbidden(users, household, name):
    assert signed_in(users[name]).get(API_LIST_URL).status_code == 403


@pytest.mark.parametrize("name", NON_REGISTRY_ROLES)
def test_role_detail_forbidden(users, household, name):
    assert signed_in(users[name]).get(_detail_url(household)).status_code == 403


@pytest.mark.parametrize("name", NON_REGISTRY_ROLES)
def test_role_api_detail_forbidden(users, household, name):
    assert signed_in(users[name]).get(_api_detail_url(household)).status_code == 403


@pytest.mark.parametrize("name", NON_REGISTRY_ROLES)
def test_role_export_forbidden(users, household, name):
    assert signed_in(users[name]).get(EXPORT_URL).status_code == 403


@pytest.mark.parametrize("name", NON_REGISTRY_ROLES)
def test_role_reveal_forbidden(users, household, name):
    assert _reveal(signed_in(users[name]), _alice(household)).status_code == 403


@pytest.mark.parametrize("name", NON_REGISTRY_ROLES)
def test_role_admin_list_forbidden(users, household, name):
    assert signed_in(users[name]).get(ADMIN_LIST_URL).status_code == 403


@pytest.mark.parametrize("name", NON_REGISTRY_ROLES)
def test_role_reads_write_no_record_ids(users, household, name):
    client = signed_in(users[name])
    client.get(LIST_URL)
    client.get(API_LIST_URL)
    reads = AuditEntry.objects.filter(actor=users[name], action=AuditAction.READ)
    assert not reads.exists()


def test_anonymous_list_redirects(household):
    response = Client().get(LIST_URL)
    assert response.status_code == 302


def test_anonymous_api_list_unauthorized(household):
    assert Client().get(API_LIST_URL).status_code == 401
