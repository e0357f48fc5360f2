"""Catalogue pages in English: lists, filters, records, forms and downloads."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from doudi.conftest import make_user
from doudi.conftest import signed_in as _signed_in
from doudi.privacy.choices import Role
from doudi.privacy.models import AuditEntry
from doudi.services.models import Organization, Service
from doudi.services.queries import ServiceFilter, search_services


def signed_in(user):
    """A signed-in client that asks for English pages, so texts can be matched."""
    client = _signed_in(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def service(catalogue):
    return Service.objects.filter(capacities__isnull=False).order_by("name").first()


def test_catalogue_lists_services_in_english(catalogue, users):
    response = signed_in(users["owner"]).get(reverse("services:catalogue"))

    assert response.status_code == 200
    assert b"Service catalogue" in response.content
    assert b'lang="en"' in response.content
    count = Service.objects.count()
    assert f"{count} services".encode() in response.content


def test_catalogue_filters_by_category_and_district(catalogue, users, regions):
    client = signed_in(users["owner"])
    url = reverse("services:catalogue")

    housing = client.get(url, {"category": "housing"})
    xuhui = client.get(url, {"district": regions["xuhui"].code})

    in_housing = Service.objects.filter(categories__category="housing").count()
    in_xuhui = search_services(ServiceFilter(region=regions["xuhui"])).count()
    assert 0 < in_xuhui < Service.objects.count()
    assert f">{in_housing} service".encode() in housing.content
    assert f">{in_xuhui} service".encode() in xuhui.content


def test_catalogue_htmx_returns_only_the_table(catalogue, users):
    response = signed_in(users["owner"]).get(
        reverse("services:catalogue"),
        {"q": "助餐"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert "老年助餐".encode() in response.content


def test_invalid_filter_is_ignored_with_a_message(catalogue, users):
    response = signed_in(users["owner"]).get(
        reverse("services:catalogue"), {"category": "bogus"}
    )

    assert response.status_code == 200
    assert b"A filter value is invalid" in response.content


def test_service_page_shows_hours_places_and_capacity(service, users):
    response = signed_in(users["owner"]).get(
        reverse("services:service_detail", args=[service.pk])
    )

    assert response.status_code == 200
    assert service.name.encode() in response.content
    assert b"Opening hours" in response.content
    assert b"09:00" in response.content
    assert b"Places available" in response.content
    assert b"Edit the service" not in response.content


def test_organization_pages(catalogue, users):
    organization = Organization.objects.order_by("name").first()
    assert organization is not None
    client = signed_in(users["owner"])

    listing = client.get(reverse("services:organization_list"), {"q": "演示"})
    page = client.get(reverse("services:organization_detail", args=[organization.pk]))

    assert listing.status_code == 200
    assert b"Organisations" in listing.content
    assert page.status_code == 200
    assert organization.name.encode() in page.content
    assert b"Places" in page.content


def test_unknown_record_is_404(db, users):
    missing = "00000000-0000-0000-0000-000000000000"
    client = signed_in(users["owner"])

    assert client.get(f"/services/{missing}/").status_code == 404
    assert client.get(f"/services/organizations/{missing}/").status_code == 404


def test_pages_need_sign_in(catalogue):
    response = Client().get(reverse("services:catalogue"))

    assert response.status_code == 302
    assert "/account/" in response["Location"]


def test_residents_get_403(catalogue, household):
    person = household.memberships.first().person
    resident = make_user("resident", Role.RESIDENT, None, person=person)

    response = signed_in(resident).get(reverse("services:catalogue"))

    assert response.status_code == 403


def test_export_downloads_are_audited(catalogue, users):
    client = signed_in(users["analyst"])

    as_json = client.get(reverse("services:export_json"))
    as_zip = client.get(reverse("services:export_csv"))

    assert as_json.status_code == 200
    assert len(json.loads(as_json.content)) == Organization.objects.count()
    names = zipfile.ZipFile(io.BytesIO(as_zip.content)).namelist()
    assert "organizations.csv" in names
    assert "service_at_location.csv" in names
    exports = AuditEntry.objects.filter(
        object_type="services.catalogue", action="export"
    )
    assert exports.count() == 2
    assert set(exports.values_list("actor__username", flat=True)) == {"analyst"}
