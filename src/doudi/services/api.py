"""The HSDS 3.0 read API of the service catalogue: public, read-only, throttled.

The catalogue describes organisations and their services and contains no
personal data, so these endpoints need no sign-in. A client address gets
429 after RATE requests (120 a minute). Paths and page fields follow the
HSDS API reference (`/services`, `/organizations`, `/service_at_locations`),
plus `/locations/{id}`.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.throttling import AnonRateThrottle
from pydantic import BeforeValidator

from doudi.registry.models import Region
from doudi.services import hsds_out, queries, taxonomy
from doudi.services.models import Location, Organization, Service, ServiceAtLocation
from doudi.services.schemas import (
    ApiInfoOut,
    HsdsErrorOut,
    LocationOut,
    OrganizationOut,
    OrganizationPage,
    ServiceAtLocationPage,
    ServiceOut,
    ServicePage,
)

# NOTE: a first guess for a public directory read by other systems' batch
# jobs and by browsers; revisit once real traffic is measured.
RATE: Final = "120/min"
MAX_PAGE: Final = 100_000
MAX_PER_PAGE: Final = 100
# PostgreSQL text cannot contain NUL, so a search for one is rejected.
NO_NUL: Final = r"^[^\x00]*$"
# Division codes: 6 digits (GB/T 2260) down to districts, 9 for streets and
# 12 for communities.
REGION_CODE: Final = r"^$|^\d{6}(\d{3}(\d{3})?)?$"
ERRORS: dict[int, type[Schema]] = {
    404: HsdsErrorOut,
    422: HsdsErrorOut,
    429: HsdsErrorOut,
}


def _date_time_text(value: object) -> object:
    """Reject a bare number, which pydantic would read as seconds since 1970."""
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        raise ValueError("expected a date and time such as 2026-01-01T09:00:00+08:00")
    return value


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
Moment = Annotated[datetime, BeforeValidator(_date_time_text)]

router = Router(auth=None, throttle=AnonRateThrottle(RATE), tags=["hsds"])


class Paging(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="page number, from 1")
    per_page: int = Field(25, ge=1, le=MAX_PER_PAGE, description="items per page")


class ServiceQuery(Paging):
    search: str = Field(
        "",
        max_length=queries.MAX_SEARCH_LENGTH,
        pattern=NO_NUL,
        description="words in the name",
    )
    taxonomy_term_id: uuid.UUID | None = Field(
        None, description="id of a kind-of-help term (taxonomy doudi-help-category)"
    )
    category: str = Field(
        "",
        max_length=32,
        pattern=r"^[a-z_]*$",
        description="code of a kind of help, such as housing",
    )
    region: str = Field(
        "",
        pattern=REGION_CODE,
        description="division code; includes the regions below it",
    )
    organization_id: uuid.UUID | None = None
    modified_after: Moment | None = Field(
        None, description="only services changed at or after this time"
    )


class OrganizationQuery(Paging):
    search: str = Field("", max_length=queries.MAX_SEARCH_LENGTH, pattern=NO_NUL)
    taxonomy_term_id: uuid.UUID | None = Field(
        None, description="id of an organisation type term"
    )
    region: str = Field("", pattern=REGION_CODE, description="division code")


def _page(items: QuerySet[Any], paging: Paging) -> tuple[list[Any], dict[str, Any]]:
    total = items.count()
    start = (paging.page - 1) * paging.per_page
    contents = list(items[start : start + paging.per_page])
    pages = math.ceil(total / paging.per_page)
    return contents, {
        "total_items": total,
        "total_pages": pages,
        "page_number": paging.page,
        "size": len(contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= pages,
        "empty": not contents,
    }


def _region(code: str) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise HttpError(
            404,
            _(
                "Region code %(code)s is not in the registry; give a division code "
                "such as 310101."
            )
            % {"code": code},
        )
    return region


def _term_code(term_id: uuid.UUID | None, taxonomy_name: str) -> str | None:
    """Return the code of a known term of `taxonomy_name`; "" matches nothing."""
    if term_id is None:
        return None
    term = taxonomy.known_terms().get(term_id)
    return term.code if term is not None and term.taxonomy == taxonomy_name else ""


def _service_filter(query: ServiceQuery) -> queries.ServiceFilter | None:
    category = _term_code(query.taxonomy_term_id, taxonomy.CATEGORY_TAXONOMY)
    if category == "" or (query.category and category and query.category != category):
        return None
    return queries.ServiceFilter(
        text=query.search,
        category=category or query.category,
        region=_region(query.region),
        organization_id=query.organization_id,
        modified_after=_aware(query.modified_after),
    )


def _aware(moment: datetime | None) -> datetime | None:
    """Return `moment` in UTC, which every database accepts.

    PostgreSQL rejects UTC offsets over about 16 hours, which ISO 8601 text
    may carry. A moment next to year 1 or 9999 that UTC cannot hold becomes
    the earliest or latest datetime.
    """
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        extreme = datetime.min if moment.year < 2 else datetime.max
        return extreme.replace(tzinfo=UTC)


def _openapi_url(request: HttpRequest) -> str:
    match = request.resolver_match
    namespace = match.namespace if match is not None else "api"
    return request.build_absolute_uri(reverse(f"{namespace}:openapi-json"))


def _uuid(value: str, kind: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise HttpError(
            404, _("No %(kind)s has id %(id)s.") % {"kind": kind, "id": value[:64]}
        ) from None


@router.get("/", response={200: ApiInfoOut, 429: HsdsErrorOut})
def api_info(request: HttpRequest) -> dict[str, Any]:
    """Describe this API: the HSDS version it follows."""
    return {
        "version": hsds_out.HSDS_VERSION,
        "profile": None,
        "openapi_url": _openapi_url(request),
        "description": "doudi service catalogue (Open Referral HSDS)",
    }


@router.get("/services", response={200: ServicePage, **ERRORS})
def list_services(request: HttpRequest, query: Query[ServiceQuery]) -> dict[str, Any]:
    """List services, with their one-to-one fields only."""
    criteria = _service_filter(query)
    services = (
        queries.search_services(criteria)
        if criteria is not None
        else Service.objects.none()
    )
    items, page = _page(services, query)
    return {**page, "contents": [hsds_out.service_basic(item) for item in items]}


@router.get("/services/{id}", response={200: ServiceOut, **ERRORS})
def get_service(request: HttpRequest, id: str) -> dict[str, Any]:
    """Return one service fully nested: places, hours, phones, capacity, terms."""
    service = hsds_out.services_for_output().filter(pk=_uuid(id, "service")).first()
    if service is None:
        raise HttpError(404, _("No service has id %(id)s.") % {"id": id})
    return hsds_out.service(service)


@router.get("/organizations", response={200: OrganizationPage, **ERRORS})
def list_organizations(
    request: HttpRequest, query: Query[OrganizationQuery]
) -> dict[str, Any]:
    kind = _term_code(query.taxonomy_term_id, taxonomy.ORGANIZATION_TYPE_TAXONOMY)
    organizations = (
        queries.search_organizations(query.search, kind or "", _region(query.region))
        if kind != ""
        else Organization.objects.none()
    )
    items, page = _page(organizations, query)
    return {
        **page,
        "contents": [hsds_out.organization_basic(item) for item in items],
    }


@router.get("/organizations/{id}", response={200: OrganizationOut, **ERRORS})
def get_organization(request: HttpRequest, id: str) -> dict[str, Any]:
    """Return one organisation with its places and fully nested services."""
    found = hsds_out.organizations_for_output().filter(pk=_uuid(id, "organization"))
    organization = found.first()
    if organization is None:
        raise HttpError(404, _("No organization has id %(id)s.") % {"id": id})
    return hsds_out.organization(organization)


@router.get("/service_at_locations", response={200: ServiceAtLocationPage, **ERRORS})
def list_service_at_locations(
    request: HttpRequest, query: Query[ServiceQuery]
) -> dict[str, Any]:
    """List the links between services and places, filtered like /services."""
    criteria = _service_filter(query)
    links = ServiceAtLocation.objects.none()
    if criteria is not None:
        services = queries.search_services(criteria).values("pk")
        links = ServiceAtLocation.objects.filter(service__in=services)
        if criteria.region is not None:
            region_path = criteria.region.path
            links = links.filter(location__region__path__startswith=region_path)
    items, page = _page(links.order_by("id"), query)
    return {
        **page,
        "contents": [hsds_out.service_at_location_basic(item) for item in items],
    }


@router.get("/locations/{id}", response={200: LocationOut, **ERRORS})
def get_location(request: HttpRequest, id: str) -> dict[str, Any]:
    location: Location | None = (
        hsds_out.locations_for_output().filter(pk=_uuid(id, "location")).first()
    )
    if location is None:
        raise HttpError(404, _("No location has id %(id)s.") % {"id": id})
    return hsds_out.location(location)
