"""The HSDS 3.0 tables that doudi reads and writes, with their columns.

A table's columns are the HSDS fields that doudi stores, in HSDS order. CSV
export writes them as the header of the table's file, and import parses
each with the column's parser. Other HSDS fields are ignored on import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from doudi.services import fields
from doudi.services.choices import (
    CapacityUnit,
    Frequency,
    LocationType,
    PhoneType,
    ServiceStatus,
    Weekday,
)


@dataclass(frozen=True)
class Column:
    name: str
    parse: fields.Parser
    required: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    file_name: str
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


def _id(name: str = "id", required: bool = False) -> Column:
    return Column(name, fields.identifier, required)


def _text(name: str, max_length: int = 200, required: bool = False) -> Column:
    return Column(name, fields.text(max_length), required)


LONG: Final = 5000

ORGANIZATION = Table(
    "organization",
    "organizations.csv",
    (
        _id(required=True),
        _text("name", required=True),
        _text("alternate_name"),
        _text("description", LONG, required=True),
        Column("email", fields.email),
        Column("website", fields.web_address),
        Column("year_incorporated", fields.integer(1800, 2200)),
        _text("legal_status"),
    ),
)
SERVICE = Table(
    "service",
    "services.csv",
    (
        _id(required=True),
        _id("organization_id", required=True),
        _text("name", required=True),
        _text("alternate_name"),
        _text("description", LONG),
        Column("url", fields.web_address),
        Column("email", fields.email),
        Column("status", fields.choice(ServiceStatus), required=True),
        _text("application_process", LONG),
        _text("fees_description", LONG),
        _text("eligibility_description", LONG),
        Column("minimum_age", fields.integer(0, 150)),
        Column("maximum_age", fields.integer(0, 150)),
        _text("alert", LONG),
        Column("last_modified", fields.moment),
    ),
)
LOCATION = Table(
    "location",
    "locations.csv",
    (
        _id(required=True),
        Column("location_type", fields.choice(LocationType), required=True),
        Column("url", fields.web_address),
        _id("organization_id"),
        _text("name", required=True),
        _text("alternate_name"),
        _text("description", LONG),
        _text("transportation", LONG),
        Column("latitude", fields.coordinate(90)),
        Column("longitude", fields.coordinate(180)),
    ),
)
ACCESSIBILITY = Table(
    "accessibility",
    "accessibility.csv",
    (
        _id(required=True),
        _id("location_id", required=True),
        _text("description", LONG, required=True),
    ),
)
ADDRESS = Table(
    "address",
    "addresses.csv",
    (
        _id(required=True),
        _id("location_id", required=True),
        _text("attention"),
        _text("address_1", 300, required=True),
        _text("address_2", 300),
        _text("city", 100, required=True),
        _text("region", 100),
        _text("state_province", 100, required=True),
        _text("postal_code", 20, required=True),
        Column("country", fields.country, required=True),
        Column("address_type", fields.choice(LocationType), required=True),
    ),
)
SERVICE_AT_LOCATION = Table(
    "service_at_location",
    "service_at_location.csv",
    (
        _id(required=True),
        _id("service_id", required=True),
        _id("location_id", required=True),
        _text("description", LONG),
    ),
)
SCHEDULE = Table(
    "schedule",
    "schedules.csv",
    (
        _id(required=True),
        _id("service_id"),
        _id("location_id"),
        _id("service_at_location_id"),
        Column("valid_from", fields.day),
        Column("valid_to", fields.day),
        Column("dtstart", fields.day),
        Column("timezone", fields.integer(-12, 14)),
        Column("until", fields.day),
        Column("count", fields.integer(1, 10_000)),
        Column("wkst", fields.choice(Weekday)),
        Column("freq", fields.choice(Frequency)),
        Column("interval", fields.integer(1, 366)),
        Column("byday", fields.weekdays),
        Column("bymonthday", fields.month_days),
        _text("description", LONG),
        Column("opens_at", fields.clock),
        Column("closes_at", fields.clock),
        _text("notes", LONG),
    ),
)
PHONE = Table(
    "phone",
    "phones.csv",
    (
        _id(required=True),
        _id("location_id"),
        _id("service_id"),
        _id("organization_id"),
        _id("contact_id"),
        _id("service_at_location_id"),
        _text("number", 40, required=True),
        Column("extension", fields.integer(0, 999_999)),
        Column("type", fields.choice(PhoneType)),
        _text("description", 500),
    ),
)
CONTACT = Table(
    "contact",
    "contacts.csv",
    (
        _id(required=True),
        _id("organization_id"),
        _id("service_id"),
        _id("service_at_location_id"),
        _id("location_id"),
        _text("name"),
        _text("title"),
        _text("department"),
        Column("email", fields.email),
    ),
)
REQUIRED_DOCUMENT = Table(
    "required_document",
    "required_documents.csv",
    (
        _id(required=True),
        _id("service_id", required=True),
        _text("document", 500, required=True),
        Column("uri", fields.web_address),
    ),
)
SERVICE_CAPACITY = Table(
    "service_capacity",
    "service_capacity.csv",
    (
        _id(required=True),
        _id("service_id", required=True),
        _id("unit_id", required=True),
        Column("available", fields.integer(0, 1_000_000), required=True),
        Column("maximum", fields.integer(0, 1_000_000)),
        _text("description", 500),
        Column("updated", fields.moment, required=True),
    ),
)
UNIT = Table(
    "unit",
    "units.csv",
    (
        _id(required=True),
        _text("name", required=True),
        _text("scheme"),
        Column("identifier", fields.choice(CapacityUnit)),
        Column("uri", fields.web_address),
    ),
)
ATTRIBUTE = Table(
    "attribute",
    "attributes.csv",
    (
        _id(required=True),
        _id("link_id", required=True),
        _id("taxonomy_term_id", required=True),
        _text("link_type", 100),
        _text("link_entity", 100, required=True),
        _text("value", 500),
        _text("label", 200),
    ),
)
TAXONOMY_TERM = Table(
    "taxonomy_term",
    "taxonomy_terms.csv",
    (
        _id(required=True),
        _text("code", 100),
        _text("name", 200, required=True),
        _text("description", LONG),
        _id("parent_id"),
        _text("taxonomy", 200),
        _text("language", 10),
        _id("taxonomy_id"),
        Column("term_uri", fields.web_address),
    ),
)

TABLES: Final = (
    ORGANIZATION,
    SERVICE,
    LOCATION,
    ACCESSIBILITY,
    ADDRESS,
    SERVICE_AT_LOCATION,
    SCHEDULE,
    PHONE,
    CONTACT,
    REQUIRED_DOCUMENT,
    SERVICE_CAPACITY,
    UNIT,
    ATTRIBUTE,
    TAXONOMY_TERM,
)
BY_NAME: Final = {table.name: table for table in TABLES}
BY_FILE: Final = {table.file_name: table for table in TABLES}
