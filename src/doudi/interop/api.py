"""The HTTP API (OpenAPI at /api/docs): scoped, masked and audited like the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from doudi.exchange.api import router as exchange_router
from doudi.privacy import access
from doudi.privacy.models import User
from doudi.registry import queries
from doudi.services.api import router as services_router

api = NinjaAPI(
    title="doudi",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url="/docs",
)
api.add_router("/v1/exchange/", exchange_router)
api.add_router("/v1/hsds/", services_router)


class HouseholdOut(Schema):
    id: int
    community: str
    street: str
    head_name: str
    size: int
    address: str


class MemberOut(Schema):
    person_id: int
    name: str
    resident_id: str
    sex: str
    age: int
    relationship: str
    start_date: date
    end_date: date | None


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]


class HouseholdPage(Schema):
    count: int
    offset: int
    items: list[HouseholdOut]


class ErrorOut(Schema):
    """An error: a message, or for invalid input a list of the fields at fault."""

    detail: str | list[dict[str, Any]]


class HouseholdFilter(Schema):
    q: str = Field(
        "",
        max_length=queries.MAX_QUERY_LENGTH,
        description="resident ID, mobile or full name",
    )
    offset: int = Field(0, ge=0, le=100_000_000)
    limit: int = Field(25, ge=1, le=100)


ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not access.can_read_registry(user):
        raise HttpError(403, "Your role has no access to the registry.")
    return user


def _out(row: queries.HouseholdRow) -> HouseholdOut:
    return HouseholdOut(
        id=row.pk,
        community=row.community,
        street=row.street,
        head_name=row.head_name,
        size=row.size,
        address=row.address,
    )


@api.get("/v1/households", response={200: HouseholdPage, **ERRORS}, tags=["registry"])
def list_households(
    request: HttpRequest, filters: Query[HouseholdFilter]
) -> HouseholdPage:
    """List households in the caller's region; `q` is a resident ID, mobile or name."""
    user = _user(request)
    q, offset, limit = filters.q, filters.offset, filters.limit
    households, kind = queries.search_households(user, q)
    page = list(households[offset : offset + limit])
    rows = queries.household_rows(user, page, request)
    count = households.count()
    if q.strip():
        queries.audit_search(user, kind, count, request)
    return HouseholdPage(count=count, offset=offset, items=[_out(row) for row in rows])


@api.get(
    "/v1/households/{household_id}",
    response={200: HouseholdDetailOut, 404: ErrorOut, **ERRORS},
    tags=["registry"],
)
def get_household(request: HttpRequest, household_id: int) -> HouseholdDetailOut:
    user = _user(request)
    view = queries.open_household(user, household_id, request)
    base = _out(view.row)
    members = [MemberOut(**member.__dict__) for member in view.members]
    return HouseholdDetailOut(**base.dict(), members=members)
