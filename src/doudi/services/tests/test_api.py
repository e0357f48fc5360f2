"""The HSDS read API: pages, nested records, filters and errors."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from doudi.services import taxonomy
from doudi.services.choices import Category
from doudi.services.models import Organization, Service, ServiceCategory
from doudi.services.tests.urls import PREFIX

pytestmark = pytest.mark.urls("doudi.services.tests.urls")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _get(path, **params):
    return Client().get(PREFIX + path, params)


def test_info_names_hsds_version(db):
    response = _get("/")

    assert response.status_code == 200
    assert response.json()["version"] == "3.0"
    assert response.json()["openapi_url"].endswith("/hsds-test/openapi.json")


def test_services_page_fields(catalogue):
    total = Service.objects.count()

    body = _get("/services", per_page=5, page=2).json()

    assert body["total_items"] == total
    assert body["total_pages"] == -(-total // 5)
    assert body["page_number"] == 2
    assert body["size"] == 5
    assert body["first_page"] is False
    assert body["last_page"] is (body["total_pages"] <= 2)
    assert body["empty"] is False
    assert len(body["contents"]) == 5
    assert "service_at_locations" not in body["contents"][0]


def test_services_page_past_the_end_is_empty(catalogue):
    body = _get("/services", page=999).json()

    assert body["empty"] is True
    assert body["size"] == 0
    assert body["contents"] == []
    assert body["last_page"] is True


def test_service_is_fully_nested(catalogue):
    service = Service.objects.filter(capacities__isnull=False).first()
    assert service is not None

    body = _get(f"/services/{service.id}").json()

    assert body["id"] == str(service.id)
    assert body["organization"]["id"] == str(service.organization_id)
    assert body["service_at_locations"][0]["location"]["addresses"]
    assert body["schedules"][0]["opens_at"].endswith("+08:00")
    assert body["capacities"][0]["unit"]["identifier"]
    codes = {a["taxonomy_term"]["code"] for a in body["attributes"]}
    stored = set(service.categories.values_list("category", flat=True))
    assert codes == stored


def test_unknown_and_malformed_ids_are_404(catalogue):
    missing = "00000000-0000-0000-0000-000000000000"

    assert _get(f"/services/{missing}").status_code == 404
    assert _get("/services/not-a-uuid").status_code == 404
    assert _get(f"/organizations/{missing}").status_code == 404
    assert _get(f"/locations/{missing}").status_code == 404


def test_filter_by_category_code_and_term_id(catalogue):
    housing = set(
        ServiceCategory.objects.filter(category=Category.HOUSING).values_list(
            "service_id", flat=True
        )
    )
    term_id = taxonomy.term_id(taxonomy.CATEGORY_TAXONOMY, Category.HOUSING)

    by_code = _get("/services", category="housing", per_page=100).json()
    by_term = _get("/services", taxonomy_term_id=str(term_id), per_page=100).json()

    assert {item["id"] for item in by_code["contents"]} == {str(i) for i in housing}
    assert by_term["contents"] == by_code["contents"]


def test_filter_by_region_and_search(catalogue, regions):
    xuhui = _get("/services", region=regions["xuhui"].code, per_page=100).json()
    everything = _get("/services", per_page=100).json()
    named = _get("/services", search="助餐", per_page=100).json()

    assert 0 < xuhui["total_items"] < everything["total_items"]
    assert named["total_items"] >= 1
    assert all("助餐" in item["name"] for item in named["contents"])


def test_unknown_region_is_not_found(db):
    response = _get("/services", region="999999")

    assert response.status_code == 404
    assert "999999" in response.json()["detail"]


def test_modified_after_filters_by_last_change(catalogue):
    later = _get("/services", modified_after="2026-01-06T00:00:00+08:00").json()
    earlier = _get("/services", modified_after="2026-01-05").json()

    assert later["total_items"] == 0
    assert earlier["total_items"] == Service.objects.count()


def test_malformed_filters_are_rejected(db):
    assert _get("/services", region="31x").status_code == 422
    assert _get("/services", modified_after="yesterday").status_code == 422
    assert _get("/services", modified_after="2026-02-30").status_code == 422
    assert _get("/services", per_page=101).status_code == 422


def test_organizations_and_their_full_record(catalogue):
    body = _get("/organizations", per_page=100).json()
    first = Organization.objects.order_by("name", "id").first()
    assert first is not None

    full = _get(f"/organizations/{first.id}").json()

    assert body["total_items"] == Organization.objects.count()
    assert full["locations"]
    assert full["services"]
    assert "organization" not in full["services"][0]


def test_organizations_filtered_by_type_term(catalogue):
    term_id = taxonomy.term_id(taxonomy.ORGANIZATION_TYPE_TAXONOMY, "charity")

    body = _get("/organizations", taxonomy_term_id=str(term_id), per_page=100).json()

    expected = Organization.objects.filter(organization_type="charity").count()
    assert body["total_items"] == expected
    assert expected > 0


def test_service_at_locations_and_location(catalogue):
    body = _get("/service_at_locations", per_page=100).json()
    link = body["contents"][0]

    place = _get(f"/locations/{link['location_id']}").json()

    assert body["total_items"] > 0
    assert place["id"] == link["location_id"]
    assert place["attributes"][0]["taxonomy_term"]["taxonomy"] == "doudi-region"


def test_no_sign_in_needed_and_no_write_methods(catalogue):
    assert _get("/services").status_code == 200
    assert Client().post(PREFIX + "/services").status_code == 405


def test_too_many_requests_get_429(db, settings):
    statuses = [_get("/").status_code for _ in range(121)]

    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429


def test_nul_in_search_is_rejected(db):
    assert _get("/services", search="a\x00b").status_code == 422
    assert _get("/organizations", search="\x00").status_code == 422


@pytest.mark.parametrize(
    "moment",
    [
        "2026-01-05T09:00:00+21:23",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:00-05:00",
    ],
)
def test_modified_after_with_extreme_offsets(catalogue, moment):
    assert _get("/services", modified_after=moment).status_code == 200
