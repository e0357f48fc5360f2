"""Database rules of the catalogue: one owner, age and date ranges, uniqueness."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, transaction

from doudi.services.models import (
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def service(db):
    organization = Organization.objects.create(
        name="测试机构", description="测试", organization_type="charity"
    )
    return Service.objects.create(
        organization=organization, name="测试", last_modified=NOW
    )


def _rejected(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_ids_are_uuids(service):
    assert service.id.version == 4
    assert service.organization.id.version == 4


def test_phone_needs_exactly_one_owner(service):
    _rejected(lambda: Phone.objects.create(number="021-0000 0000"))
    _rejected(
        lambda: Phone.objects.create(
            number="021-0000 0000", service=service, organization=service.organization
        )
    )
    assert Phone.objects.create(number="021-0000 0000", service=service).pk


def test_schedule_needs_one_owner_and_ordered_dates(service):
    _rejected(lambda: Schedule.objects.create(byday="MO"))
    _rejected(
        lambda: Schedule.objects.create(
            service=service, valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)
        )
    )


def test_age_range_is_ordered(service):
    service.minimum_age, service.maximum_age = 60, 18
    _rejected(service.save)


def test_category_and_place_once_per_service(service):
    ServiceCategory.objects.create(service=service, category="care")
    place = Location.objects.create(name="服务点")
    ServiceAtLocation.objects.create(service=service, location=place)

    _rejected(lambda: ServiceCategory.objects.create(service=service, category="care"))
    _rejected(lambda: ServiceAtLocation.objects.create(service=service, location=place))


def test_deleting_an_organization_removes_its_records(service):
    Phone.objects.create(number="021-0000 0000", service=service)

    service.organization.delete()

    assert not Service.objects.exists()
    assert not Phone.objects.exists()
