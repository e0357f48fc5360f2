"""Nearby services: same community first, then street, then district."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from doudi.services.choices import ServiceStatus
from doudi.services.models import (
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)
from doudi.services.queries import nearby_services

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def organization(db):
    return Organization.objects.create(
        name="测试机构", description="测试", organization_type="charity"
    )


def _service(organization, name, regions, categories=("care",), status="active"):
    service = Service.objects.create(
        organization=organization, name=name, status=status, last_modified=NOW
    )
    for category in categories:
        ServiceCategory.objects.create(service=service, category=category)
    for region in regions:
        place = Location.objects.create(name=f"{name}@{region.code}", region=region)
        ServiceAtLocation.objects.create(service=service, location=place)
    return service


def _names(services):
    return [service.name for service in services]


def test_nearest_ring_first(organization, regions):
    _service(organization, "d-district", [regions["huangpu"]])
    _service(organization, "c-street", [regions["nanjing"]])
    _service(organization, "b-neighbour", [regions["neighbour"]])
    _service(organization, "a-home", [regions["home"]])
    _service(organization, "e-far", [regions["far"]])

    found = nearby_services(regions["home"], [])

    assert _names(found) == ["a-home", "b-neighbour", "c-street", "d-district"]


def test_service_counts_at_its_nearest_place(organization, regions):
    _service(
        organization, "z-both", [regions["far"], regions["huangpu"], regions["home"]]
    )
    _service(organization, "a-street", [regions["nanjing"]])

    found = nearby_services(regions["home"], [])

    assert _names(found) == ["z-both", "a-street"]


def test_categories_and_status_filter(organization, regions):
    _service(organization, "care", [regions["home"]], categories=("care",))
    _service(organization, "housing", [regions["home"]], categories=("housing", "care"))
    _service(organization, "work", [regions["home"]], categories=("work",))
    _service(
        organization,
        "closed",
        [regions["home"]],
        categories=("housing",),
        status=ServiceStatus.TEMPORARILY_CLOSED,
    )

    found = nearby_services(regions["home"], ["housing", "work"])

    assert _names(found) == ["housing", "work"]


def test_street_region_and_limit(organization, regions):
    _service(organization, "b-home", [regions["home"]])
    _service(organization, "a-district", [regions["huangpu"]])

    from_street = nearby_services(regions["nanjing"], [])
    limited = nearby_services(regions["nanjing"], [], limit=1)

    assert _names(from_street) == ["b-home", "a-district"]
    assert _names(limited) == ["b-home"]


def test_city_region_finds_nothing(organization, regions):
    _service(organization, "anywhere", [regions["home"]])

    assert nearby_services(regions["city"], []) == []
