"""Write catalogue records as HSDS 3.0 objects (plain JSON-ready dicts).

The same dicts serve the export files and the read API. Empty text is
written as null. Times of day carry the schedule's UTC offset, and
timestamps keep microseconds so that an export imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from django.db.models import Prefetch, QuerySet, TextChoices
from django.utils import translation

from doudi.registry.models import Region
from doudi.services import taxonomy
from doudi.services.choices import CapacityUnit, Category, OrganizationType
from doudi.services.models import (
    Address,
    Contact,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCapacity,
)

Json = dict[str, Any]

HSDS_VERSION: Final = "3.0"
LOCATION_PREFETCH: Final = (
    "addresses",
    "phones",
    "schedules",
    "contacts__phones",
)


def _text(value: str) -> str | None:
    return value or None


def _id(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _stamp(value: datetime) -> str:
    return value.isoformat()


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _clock(value: time | None, offset_hours: int) -> str | None:
    if value is None:
        return None
    sign = "+" if offset_hours >= 0 else "-"
    return f"{value:%H:%M}{sign}{abs(offset_hours):02d}:00"


def term(term: taxonomy.Term, name: str) -> Json:
    return {
        "id": str(term.id),
        "code": term.code,
        "name": name,
        "description": None,
        "taxonomy": term.taxonomy,
        "language": "zh",
    }


def attribute(link_id: UUID, entity: str, link_type: str, found: Json) -> Json:
    chosen = taxonomy.Term(found["taxonomy"], found["code"])
    return {
        "id": str(taxonomy.attribute_id(link_id, chosen)),
        "link_id": str(link_id),
        "link_type": link_type,
        "link_entity": entity,
        "taxonomy_term_id": found["id"],
        "value": None,
        "label": found["name"],
        "taxonomy_term": found,
    }


def choice_name(choices: type[TextChoices], code: str) -> str:
    """Return a choice's Chinese label: term names are Chinese in every export."""
    with translation.override("zh-hans"):
        return str(choices(code).label)


def _region_attribute(link_id: UUID, entity: str, region: Region | None) -> list[Json]:
    if region is None:
        return []
    found = term(taxonomy.Term(taxonomy.REGION_TAXONOMY, region.code), region.name)
    return [attribute(link_id, entity, taxonomy.LINK_REGION, found)]


def phone(item: Phone) -> Json:
    return {
        "id": str(item.id),
        "location_id": _id(item.location_id),
        "service_id": _id(item.service_id),
        "organization_id": _id(item.organization_id),
        "contact_id": _id(item.contact_id),
        "service_at_location_id": _id(item.service_at_location_id),
        "number": item.number,
        "extension": item.extension,
        "type": item.type,
        "description": _text(item.description),
    }


def contact(item: Contact) -> Json:
    return {
        "id": str(item.id),
        "organization_id": _id(item.organization_id),
        "service_id": _id(item.service_id),
        "service_at_location_id": _id(item.service_at_location_id),
        "location_id": _id(item.location_id),
        "name": _text(item.name),
        "title": _text(item.title),
        "department": _text(item.department),
        "email": _text(item.email),
        "phones": [phone(number) for number in item.phones.all()],
    }


def schedule(item: Schedule) -> Json:
    return {
        "id": str(item.id),
        "service_id": _id(item.service_id),
        "location_id": _id(item.location_id),
        "service_at_location_id": _id(item.service_at_location_id),
        "valid_from": _day(item.valid_from),
        "valid_to": _day(item.valid_to),
        "dtstart": _day(item.dtstart),
        "timezone": item.timezone,
        "until": _day(item.until),
        "count": item.count,
        "wkst": _text(item.wkst),
        "freq": _text(item.freq),
        "interval": item.interval,
        "byday": _text(item.byday),
        "bymonthday": _text(item.bymonthday),
        "description": _text(item.description),
        "opens_at": _clock(item.opens_at, item.timezone),
        "closes_at": _clock(item.closes_at, item.timezone),
        "notes": _text(item.notes),
    }


def address(item: Address) -> Json:
    return {
        "id": str(item.id),
        "location_id": str(item.location_id),
        "attention": _text(item.attention),
        "address_1": item.address_1,
        "address_2": _text(item.address_2),
        "city": item.city,
        "region": _text(item.region),
        "state_province": item.state_province,
        "postal_code": item.postal_code,
        "country": item.country,
        "address_type": item.address_type,
    }


def accessibility_id(location_id: UUID) -> UUID:
    return taxonomy.attribute_id(location_id, taxonomy.Term("accessibility", "text"))


def location(item: Location) -> Json:
    access = []
    if item.accessibility:
        access.append(
            {
                "id": str(accessibility_id(item.id)),
                "location_id": str(item.id),
                "description": item.accessibility,
            }
        )
    return {
        "id": str(item.id),
        "location_type": item.location_type,
        "url": _text(item.url),
        "organization_id": _id(item.organization_id),
        "name": item.name,
        "alternate_name": _text(item.alternate_name),
        "description": _text(item.description),
        "transportation": _text(item.transportation),
        "latitude": _number(item.latitude),
        "longitude": _number(item.longitude),
        "addresses": [address(entry) for entry in item.addresses.all()],
        "phones": [phone(entry) for entry in item.phones.all()],
        "schedules": [schedule(entry) for entry in item.schedules.all()],
        "contacts": [contact(entry) for entry in item.contacts.all()],
        "accessibility": access,
        "attributes": _region_attribute(item.id, "location", item.region),
    }


def service_at_location(item: ServiceAtLocation) -> Json:
    return {
        **service_at_location_basic(item),
        "contacts": [contact(entry) for entry in item.contacts.all()],
        "phones": [phone(entry) for entry in item.phones.all()],
        "schedules": [schedule(entry) for entry in item.schedules.all()],
        "location": location(item.location),
    }


def service_at_location_basic(item: ServiceAtLocation) -> Json:
    return {
        "id": str(item.id),
        "service_id": str(item.service_id),
        "location_id": str(item.location_id),
        "description": _text(item.description),
    }


def capacity(item: ServiceCapacity) -> Json:
    return {
        "id": str(item.id),
        "service_id": str(item.service_id),
        "unit": unit(item.unit),
        "available": item.available,
        "maximum": item.maximum,
        "description": _text(item.description),
        "updated": _stamp(item.updated),
    }


def unit(code: str) -> Json:
    return {
        "id": str(taxonomy.unit_id(code)),
        "name": choice_name(CapacityUnit, code),
        "scheme": taxonomy.UNIT_SCHEME,
        "identifier": code,
    }


def document(item: RequiredDocument) -> Json:
    return {
        "id": str(item.id),
        "service_id": str(item.service_id),
        "document": item.document,
        "uri": _text(item.uri),
    }


def service_basic(item: Service) -> Json:
    return {
        "id": str(item.id),
        "organization_id": str(item.organization_id),
        "name": item.name,
        "alternate_name": _text(item.alternate_name),
        "description": _text(item.description),
        "url": _text(item.url),
        "email": _text(item.email),
        "status": item.status,
        "application_process": _text(item.application_process),
        "fees_description": _text(item.fees_description),
        "eligibility_description": _text(item.eligibility_description),
        "minimum_age": item.minimum_age,
        "maximum_age": item.maximum_age,
        "alert": _text(item.alert),
        "last_modified": _stamp(item.last_modified),
    }


def _categories(item: Service) -> list[Json]:
    codes = sorted(entry.category for entry in item.categories.all())
    return [
        attribute(
            item.id,
            "service",
            taxonomy.LINK_CATEGORY,
            term(
                taxonomy.Term(taxonomy.CATEGORY_TAXONOMY, code),
                choice_name(Category, code),
            ),
        )
        for code in codes
    ]


def service(item: Service, *, with_organization: bool = True) -> Json:
    full = {
        **service_basic(item),
        "phones": [phone(entry) for entry in item.phones.all()],
        "schedules": [schedule(entry) for entry in item.schedules.all()],
        "service_at_locations": [
            service_at_location(entry) for entry in item.service_at_locations.all()
        ],
        "contacts": [contact(entry) for entry in item.contacts.all()],
        "capacities": [capacity(entry) for entry in item.capacities.all()],
        "required_documents": [
            document(entry) for entry in item.required_documents.all()
        ],
        "attributes": _categories(item),
    }
    if with_organization:
        full["organization"] = organization_basic(item.organization)
    return full


def organization_basic(item: Organization) -> Json:
    return {
        "id": str(item.id),
        "name": item.name,
        "alternate_name": _text(item.alternate_name),
        "description": item.description,
        "email": _text(item.email),
        "website": _text(item.website),
        "year_incorporated": item.year_incorporated,
        "legal_status": None,
        "attributes": _organization_attributes(item),
    }


def _organization_attributes(item: Organization) -> list[Json]:
    kind = taxonomy.Term(taxonomy.ORGANIZATION_TYPE_TAXONOMY, item.organization_type)
    found = term(kind, choice_name(OrganizationType, item.organization_type))
    return [
        attribute(item.id, "organization", taxonomy.LINK_ORGANIZATION_TYPE, found),
        *_region_attribute(item.id, "organization", item.region),
    ]


def organization(item: Organization) -> Json:
    return {
        **organization_basic(item),
        "contacts": [contact(entry) for entry in item.contacts.all()],
        "phones": [phone(entry) for entry in item.phones.all()],
        "locations": [location(entry) for entry in item.locations.all()],
        "services": [
            service(entry, with_organization=False) for entry in item.services.all()
        ],
    }


def _nested(prefix: str, names: Iterable[str]) -> list[str]:
    return [f"{prefix}__{name}" for name in names]


def service_prefetch(prefix: str = "") -> list[str | Prefetch[Any]]:
    start = f"{prefix}__" if prefix else ""
    at_location = f"{start}service_at_locations"
    place = f"{at_location}__location"
    return [
        f"{start}phones",
        f"{start}schedules",
        f"{start}contacts__phones",
        f"{start}capacities",
        f"{start}required_documents",
        f"{start}categories",
        f"{at_location}__phones",
        f"{at_location}__schedules",
        f"{at_location}__contacts__phones",
        Prefetch(place, queryset=Location.objects.select_related("region")),
        *_nested(place, LOCATION_PREFETCH),
    ]


def services_for_output() -> QuerySet[Service]:
    return Service.objects.select_related("organization__region").prefetch_related(
        *service_prefetch()
    )


def organizations_for_output() -> QuerySet[Organization]:
    return Organization.objects.select_related("region").prefetch_related(
        "contacts__phones",
        "phones",
        Prefetch("locations", queryset=Location.objects.select_related("region")),
        *_nested("locations", LOCATION_PREFETCH),
        "services",
        *service_prefetch("services"),
    )


def locations_for_output() -> QuerySet[Location]:
    return Location.objects.select_related("region").prefetch_related(
        *LOCATION_PREFETCH
    )
