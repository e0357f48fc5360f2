"""Find services and organisations: catalogue search and nearby services."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from django.db.models import Q, QuerySet

from doudi.registry.models import Region
from doudi.services.choices import ServiceStatus
from doudi.services.models import Organization, Service, ServiceAtLocation

MAX_SEARCH_LENGTH: Final = 100


@dataclass(frozen=True)
class ServiceFilter:
    text: str = ""
    category: str = ""
    region: Region | None = None
    status: str = ""
    organization_id: UUID | None = None
    modified_after: datetime | None = None


def _in_region(prefix: str, region: Region) -> Q:
    return Q(**{f"{prefix}region__path__startswith": region.path})


def search_services(criteria: ServiceFilter) -> QuerySet[Service]:
    """Return services matching every given filter, by name.

    A region matches a service with a place in it, or whose organisation is
    registered in it.
    """
    services = Service.objects.select_related("organization")
    if criteria.text.strip():
        words = criteria.text.strip()[:MAX_SEARCH_LENGTH]
        services = services.filter(
            Q(name__icontains=words)
            | Q(alternate_name__icontains=words)
            | Q(description__icontains=words)
            | Q(organization__name__icontains=words)
        )
    if criteria.category:
        services = services.filter(categories__category=criteria.category)
    if criteria.region is not None:
        services = services.filter(
            _in_region("service_at_locations__location__", criteria.region)
            | _in_region("organization__", criteria.region)
        )
    if criteria.status:
        services = services.filter(status=criteria.status)
    if criteria.organization_id is not None:
        services = services.filter(organization_id=criteria.organization_id)
    if criteria.modified_after is not None:
        services = services.filter(last_modified__gte=criteria.modified_after)
    return services.distinct().order_by("name", "id")


def search_organizations(
    text: str = "", organization_type: str = "", region: Region | None = None
) -> QuerySet[Organization]:
    organizations = Organization.objects.select_related("region")
    if text.strip():
        words = text.strip()[:MAX_SEARCH_LENGTH]
        organizations = organizations.filter(
            Q(name__icontains=words)
            | Q(alternate_name__icontains=words)
            | Q(description__icontains=words)
        )
    if organization_type:
        organizations = organizations.filter(organization_type=organization_type)
    if region is not None:
        organizations = organizations.filter(_in_region("", region))
    return organizations.order_by("name", "id")


def districts() -> QuerySet[Region]:
    return Region.objects.filter(level="district").order_by("code")


def nearby_services(
    region: Region, categories: Iterable[str] = (), limit: int | None = None
) -> list[Service]:
    """Return active services with a place near `region`, nearest first.

    Services with a place in the same community come first, then those in
    the same street, then those in the same district, each group by name.
    A service with places at several distances counts at its nearest.
    `categories` keeps services that give any of those kinds of help; empty
    keeps all. Places outside the district, and regions above a district,
    are not searched.
    """
    rings = _rings(region)
    if not rings:
        return []
    links = ServiceAtLocation.objects.filter(
        service__status=ServiceStatus.ACTIVE,
        location__region__path__startswith=rings[-1],
    )
    codes = list(categories)
    if codes:
        links = links.filter(service__categories__category__in=codes)
    nearest: dict[UUID, int] = {}
    for service_id, path in links.values_list("service_id", "location__region__path"):
        ring = next(i for i, prefix in enumerate(rings) if path.startswith(prefix))
        nearest[service_id] = min(ring, nearest.get(service_id, ring))
    found = Service.objects.select_related("organization").in_bulk(list(nearest))
    ordered = sorted(found.values(), key=lambda s: (nearest[s.pk], s.name, str(s.pk)))
    return ordered[:limit] if limit is not None else ordered


def _rings(region: Region) -> list[str]:
    """Return the region's path and its ancestors' paths down to the district.

    A path lists the codes from the city down, such as
    "310000/310101/310101002/310101002001/"; the district is the second code.
    """
    codes = [code for code in region.path.split("/") if code]
    return [
        "".join(f"{code}/" for code in codes[:depth])
        for depth in range(len(codes), 1, -1)
    ]
