"""Response shapes of the HSDS read API, after the HSDS 3.0 compiled schemas.

They describe the dicts that `hsds_out` builds, and the API validates each
response against them.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ninja import Field, Schema


class TaxonomyTermOut(Schema):
    id: UUID
    code: str | None
    name: str
    description: str | None
    taxonomy: str | None
    language: str | None


class AttributeOut(Schema):
    id: UUID
    link_id: UUID
    link_type: str | None
    link_entity: str
    taxonomy_term_id: UUID
    value: str | None
    label: str | None
    taxonomy_term: TaxonomyTermOut


class PhoneOut(Schema):
    id: UUID
    location_id: UUID | None
    service_id: UUID | None
    organization_id: UUID | None
    contact_id: UUID | None
    service_at_location_id: UUID | None
    number: str
    extension: int | None
    type: str | None
    description: str | None


class ContactOut(Schema):
    id: UUID
    organization_id: UUID | None
    service_id: UUID | None
    service_at_location_id: UUID | None
    location_id: UUID | None
    name: str | None = Field(description="a desk or role")
    title: str | None
    department: str | None
    email: str | None
    phones: list[PhoneOut]


class ScheduleOut(Schema):
    id: UUID
    service_id: UUID | None
    location_id: UUID | None
    service_at_location_id: UUID | None
    valid_from: date | None
    valid_to: date | None
    dtstart: date | None
    timezone: int | None = Field(description="UTC offset in hours")
    until: date | None
    count: int | None
    wkst: str | None
    freq: str | None
    interval: int | None
    byday: str | None
    bymonthday: str | None
    description: str | None
    opens_at: str | None = Field(description="HH:MM with UTC offset")
    closes_at: str | None = Field(description="HH:MM with UTC offset")
    notes: str | None


class AddressOut(Schema):
    id: UUID
    location_id: UUID
    attention: str | None
    address_1: str
    address_2: str | None
    city: str
    region: str | None
    state_province: str
    postal_code: str
    country: str
    address_type: str


class AccessibilityOut(Schema):
    id: UUID
    location_id: UUID
    description: str


class LocationOut(Schema):
    id: UUID
    location_type: str
    url: str | None
    organization_id: UUID | None
    name: str
    alternate_name: str | None
    description: str | None
    transportation: str | None
    latitude: float | None
    longitude: float | None
    addresses: list[AddressOut]
    phones: list[PhoneOut]
    schedules: list[ScheduleOut]
    contacts: list[ContactOut]
    accessibility: list[AccessibilityOut]
    attributes: list[AttributeOut]


class ServiceAtLocationBasicOut(Schema):
    id: UUID
    service_id: UUID
    location_id: UUID
    description: str | None


class ServiceAtLocationOut(ServiceAtLocationBasicOut):
    contacts: list[ContactOut]
    phones: list[PhoneOut]
    schedules: list[ScheduleOut]
    location: LocationOut


class UnitOut(Schema):
    id: UUID
    name: str
    scheme: str | None
    identifier: str | None


class CapacityOut(Schema):
    id: UUID
    service_id: UUID
    unit: UnitOut
    available: int
    maximum: int | None
    description: str | None
    updated: str = Field(description="date and time (ISO 8601)")


class RequiredDocumentOut(Schema):
    id: UUID
    service_id: UUID
    document: str
    uri: str | None


class OrganizationBasicOut(Schema):
    id: UUID
    name: str
    alternate_name: str | None = Field(description="English name")
    description: str
    email: str | None
    website: str | None
    year_incorporated: int | None
    legal_status: str | None
    attributes: list[AttributeOut] = Field(
        description="organisation type and region, as taxonomy terms"
    )


class ServiceBasicOut(Schema):
    id: UUID
    organization_id: UUID
    name: str
    alternate_name: str | None = Field(description="English name")
    description: str | None
    url: str | None
    email: str | None
    status: str
    application_process: str | None
    fees_description: str | None
    eligibility_description: str | None
    minimum_age: int | None
    maximum_age: int | None
    alert: str | None
    last_modified: str = Field(description="date and time (ISO 8601)")


class ServiceFullOut(ServiceBasicOut):
    phones: list[PhoneOut]
    schedules: list[ScheduleOut]
    service_at_locations: list[ServiceAtLocationOut]
    contacts: list[ContactOut]
    capacities: list[CapacityOut]
    required_documents: list[RequiredDocumentOut]
    attributes: list[AttributeOut] = Field(
        description="kinds of help, as taxonomy terms"
    )


class ServiceOut(ServiceFullOut):
    organization: OrganizationBasicOut


class OrganizationOut(OrganizationBasicOut):
    contacts: list[ContactOut]
    phones: list[PhoneOut]
    locations: list[LocationOut]
    services: list[ServiceFullOut]


class PageFields(Schema):
    total_items: int
    total_pages: int
    page_number: int
    size: int = Field(description="number of items on this page")
    first_page: bool
    last_page: bool
    empty: bool


class ServicePage(PageFields):
    contents: list[ServiceBasicOut]


class OrganizationPage(PageFields):
    contents: list[OrganizationBasicOut]


class ServiceAtLocationPage(PageFields):
    contents: list[ServiceAtLocationBasicOut]


class ApiInfoOut(Schema):
    version: str
    profile: str | None
    openapi_url: str
    description: str


class HsdsErrorOut(Schema):
    detail: str | list[dict[str, object]]
