"""For generated catalogues, export then import into an empty database is lossless.

Text is drawn from all of Unicode except control characters and surrogates,
including quotes, commas and CJK, and with no leading or trailing spaces,
because import strips those.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doudi.services import exporting
from doudi.services.choices import (
    CapacityUnit,
    Category,
    OrganizationType,
    PhoneType,
    ServiceStatus,
)
from doudi.services.loading import import_file
from doudi.services.models import (
    Address,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceCategory,
)

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda text: text == text.strip() and text)
MAYBE_TEXT = st.one_of(st.just(""), TEXT)
MOMENT = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
)
CLOCK = st.times().map(lambda t: time(t.hour, t.minute))


@st.composite
def catalogues(draw):
    organizations = []
    for _ in range(draw(st.integers(1, 3))):
        services = []
        for _ in range(draw(st.integers(0, 2))):
            services.append(
                {
                    "name": draw(TEXT),
                    "alternate_name": draw(MAYBE_TEXT),
                    "description": draw(MAYBE_TEXT),
                    "status": draw(st.sampled_from(ServiceStatus.values)),
                    "minimum_age": draw(st.one_of(st.none(), st.integers(0, 60))),
                    "last_modified": draw(MOMENT),
                    "categories": draw(
                        st.sets(st.sampled_from(Category.values), max_size=3)
                    ),
                    "capacity": draw(
                        st.one_of(
                            st.none(),
                            st.tuples(
                                st.sampled_from(CapacityUnit.values),
                                st.integers(0, 500),
                                MOMENT,
                            ),
                        )
                    ),
                    "hours": draw(st.one_of(st.none(), st.tuples(CLOCK, CLOCK))),
                }
            )
        organizations.append(
            {
                "name": draw(TEXT),
                "description": draw(TEXT),
                "type": draw(st.sampled_from(OrganizationType.values)),
                "phone": draw(st.one_of(st.none(), TEXT.map(lambda t: t[:40]))),
                "place": draw(
                    st.one_of(
                        st.none(),
                        st.tuples(
                            TEXT,
                            st.decimals(min_value=-90, max_value=90, places=6),
                            TEXT,
                        ),
                    )
                ),
                "services": services,
            }
        )
    return organizations


def _store(organizations, region):
    for plan in organizations:
        organization = Organization.objects.create(
            name=plan["name"],
            description=plan["description"],
            organization_type=plan["type"],
            region=region,
        )
        if plan["phone"]:
            Phone.objects.create(
                organization=organization, number=plan["phone"], type=PhoneType.VOICE
            )
        place = None
        if plan["place"]:
            name, latitude, street = plan["place"]
            place = Location.objects.create(
                organization=organization,
                name=name,
                latitude=Decimal(latitude),
                region=region,
            )
            Address.objects.create(
                location=place,
                address_1=street,
                city="上海市",
                state_province="上海市",
                postal_code="200000",
            )
        for item in plan["services"]:
            _store_service(organization, place, item)


def _store_service(organization, place, item):
    service = Service.objects.create(
        organization=organization,
        name=item["name"],
        alternate_name=item["alternate_name"],
        description=item["description"],
        status=item["status"],
        minimum_age=item["minimum_age"],
        last_modified=item["last_modified"],
    )
    for category in item["categories"]:
        ServiceCategory.objects.create(service=service, category=category)
    if item["capacity"]:
        unit, available, updated = item["capacity"]
        ServiceCapacity.objects.create(
            service=service, unit=unit, available=available, updated=updated
        )
    if item["hours"]:
        opens, closes = item["hours"]
        Schedule.objects.create(
            service=service, byday="MO,FR", opens_at=opens, closes_at=closes
        )
    if place is not None:
        ServiceAtLocation.objects.create(
            id=uuid.uuid4(), service=service, location=place
        )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(organizations=catalogues())
def test_export_import_export_is_identical(regions, organizations):
    Organization.objects.all().delete()
    _store(organizations, regions["home"])
    as_json = exporting.export_json()
    as_csv = exporting.export_csv_zip()

    for content, name in ((as_json, "c.json"), (as_csv, "c.zip")):
        Organization.objects.all().delete()
        report = import_file(None, content, name)
        assert report.ok, [str(problem) for problem in report.problems]
        assert exporting.export_json() == as_json
