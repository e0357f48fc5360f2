"""Validate imported HSDS rows into a plan the writer can apply in one go.

Validation parses every field, merges copies of a record that nested JSON
repeats, resolves doudi's attributes (organisation type, kinds of help,
regions) and checks every reference. It never writes; any problem found
means the import writes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import models
from django.utils.translation import gettext as _

from doudi.registry.models import Region
from doudi.services import fields, taxonomy
from doudi.services.choices import CapacityUnit, OrganizationType
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
from doudi.services.raw import Problem, RawCatalogue, RawRow, Source
from doudi.services.tables import BY_NAME, Table

# The tables whose rows the writer stores; the rest only feed attributes.
STORED: Final = (
    "organization",
    "location",
    "address",
    "service",
    "service_capacity",
    "required_document",
    "service_at_location",
    "schedule",
    "contact",
    "phone",
)
# Owner columns from the most to the least specific. A row that names several
# owners belongs to the first one named.
OWNERS: Final = {
    "schedule": ("service_at_location_id", "location_id", "service_id"),
    "contact": (
        "service_at_location_id",
        "location_id",
        "service_id",
        "organization_id",
    ),
    "phone": (
        "contact_id",
        "service_at_location_id",
        "location_id",
        "service_id",
        "organization_id",
    ),
}
MODELS: Final[dict[str, type[models.Model]]] = {
    "organization": Organization,
    "location": Location,
    "address": Address,
    "service": Service,
    "service_capacity": ServiceCapacity,
    "required_document": RequiredDocument,
    "service_at_location": ServiceAtLocation,
    "schedule": Schedule,
    "contact": Contact,
    "phone": Phone,
}
REFERENCES: Final = {
    "organization_id": ("organization", Organization),
    "service_id": ("service", Service),
    "location_id": ("location", Location),
    "service_at_location_id": ("service_at_location", ServiceAtLocation),
    "contact_id": ("contact", Contact),
}


@dataclass
class Row:
    """A record's typed fields (only those the file gives) and complete lists."""

    source: Source
    values: dict[str, Any]
    lists: set[str] = field(default_factory=set)
    # The writer's outcome ("created", "updated" or "unchanged") and the
    # fields an update changed.
    outcome: str = ""
    changed: list[str] = field(default_factory=list)
    # Required columns the file leaves out: allowed when the record exists.
    missing: set[str] = field(default_factory=set)

    @property
    def id(self) -> uuid.UUID:
        value = self.values["id"]
        assert isinstance(value, uuid.UUID)
        return value


@dataclass
class Plan:
    """Typed rows by table and id, ready to write, and the problems found."""

    tables: dict[str, dict[uuid.UUID, Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def table(self, name: str) -> dict[uuid.UUID, Row]:
        return self.tables.setdefault(name, {})

    def problem(self, source: Source, field_name: str, message: str) -> None:
        self.problems.append(Problem(source, field_name, message))


def validate(raw: RawCatalogue) -> Plan:
    plan = Plan(problems=list(raw.problems))
    for name, rows in raw.rows.items():
        for raw_row in rows:
            row = _parse_row(plan, BY_NAME[name], raw_row)
            if row is not None:
                _merge(plan, name, row)
    _check_missing(plan)
    _finish_schedules(plan)
    _resolve_units(plan)
    _resolve_accessibility(plan)
    _resolve_attributes(plan)
    _require_organization_types(plan)
    _resolve_owners(plan)
    _check_references(plan)
    _check_ranges(plan)
    return plan


def _parse_row(plan: Plan, table: Table, raw: RawRow) -> Row | None:
    values: dict[str, Any] = {}
    missing = set()
    for column in table.columns:
        if column.name not in raw.values:
            if column.required:
                missing.add(column.name)
            continue
        value = raw.values[column.name]
        if fields.is_empty(value):
            values[column.name] = None
            if column.required:
                plan.problem(raw.source, column.name, _missing(column.name))
            continue
        try:
            values[column.name] = column.parse(value)
        except fields.FieldError as error:
            values[column.name] = None
            plan.problem(raw.source, column.name, str(error))
    if values.get("id") is None:
        if "id" in missing:
            plan.problem(raw.source, "id", _missing("id"))
        return None
    return Row(raw.source, values, set(raw.lists), missing=missing)


def _missing(column: str) -> str:
    return _("The value is missing; fill in %(column)s.") % {"column": column}


def _merge(plan: Plan, table: str, row: Row) -> None:
    rows = plan.table(table)
    earlier = rows.get(row.id)
    if earlier is None:
        rows[row.id] = row
        return
    earlier.lists |= row.lists
    earlier.missing = (
        (earlier.missing | row.missing) - set(row.values) - set(earlier.values)
    )
    for key, value in row.values.items():
        known = earlier.values.get(key)
        if value is not None and known is not None and value != known:
            plan.problem(
                row.source,
                key,
                _(
                    "The same %(table)s %(id)s at %(earlier)s has a different value; "
                    "make the copies the same or give one a new id."
                )
                % {"table": table, "id": row.id, "earlier": earlier.source},
            )
        elif key not in earlier.values or known is None:
            earlier.values[key] = value


def _check_missing(plan: Plan) -> None:
    """Report required columns left out, unless the record is already stored."""
    for name, rows in plan.tables.items():
        incomplete = [row for row in rows.values() if row.missing]
        model = MODELS.get(name)
        stored: set[Any] = set()
        if model is not None and incomplete:
            ids = [row.id for row in incomplete]
            stored = set(
                model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
            )
        for row in incomplete:
            if row.id not in stored:
                for column in sorted(row.missing):
                    plan.problem(row.source, column, _missing(column))


def _finish_schedules(plan: Plan) -> None:
    """Store opening times at the schedule's own UTC offset (hours)."""
    for row in plan.table("schedule").values():
        values = row.values
        opens, closes = values.get("opens_at"), values.get("closes_at")
        offsets = [
            clock[1] for clock in (opens, closes) if clock and clock[1] is not None
        ]
        if values.get("timezone") is None and (offsets or "timezone" in values):
            values["timezone"] = _default_zone(plan, row, offsets)
        for key in ("opens_at", "closes_at"):
            clock = values.get(key)
            if clock is not None:
                moment_of_day, offset = clock
                zone = values.get("timezone", 8)
                shift = 0 if offset is None else zone * 60 - offset
                values[key] = fields.shift(moment_of_day, shift)


def _default_zone(plan: Plan, row: Row, offsets: list[int]) -> int:
    if not offsets:
        return 8
    if offsets[0] % 60:
        plan.problem(
            row.source,
            "timezone",
            _(
                "The opening times have an offset that is not whole hours; add a "
                "timezone column with the UTC offset in hours."
            ),
        )
        return 8
    return offsets[0] // 60


def _resolve_units(plan: Plan) -> None:
    units = taxonomy.known_units()
    for row in plan.table("unit").values():
        if row.values.get("identifier"):
            units[row.id] = row.values["identifier"]
    for row in plan.table("service_capacity").values():
        unit_id = row.values.pop("unit_id", None)
        if unit_id is None:
            continue
        if unit_id in units:
            row.values["unit"] = units[unit_id]
            continue
        plan.problem(
            row.source,
            "unit_id",
            _(
                "Unit %(id)s is not known; give a unit whose identifier is one "
                "of: %(allowed)s."
            )
            % {"id": unit_id, "allowed": ", ".join(CapacityUnit.values)},
        )


def _resolve_accessibility(plan: Plan) -> None:
    texts: dict[uuid.UUID, list[str]] = {}
    for row in sorted(plan.table("accessibility").values(), key=lambda r: str(r.id)):
        location_id = row.values.get("location_id")
        if location_id is not None and row.values.get("description"):
            texts.setdefault(location_id, []).append(row.values["description"])
    for location_id, row in plan.table("location").items():
        if "accessibility" in row.lists:
            row.values["accessibility"] = "\n".join(texts.get(location_id, []))


def _resolve_attributes(plan: Plan) -> None:
    terms = _terms(plan)
    for row in plan.table("service").values():
        if "attribute" in row.lists:
            row.values["categories"] = set()
    for row in plan.table("attribute").values():
        term_id = row.values.get("taxonomy_term_id")
        term = terms.get(term_id) if isinstance(term_id, uuid.UUID) else None
        if term is not None:
            _apply_attribute(plan, row, term)


def _terms(plan: Plan) -> dict[uuid.UUID, taxonomy.Term]:
    terms = taxonomy.known_terms()
    for row in plan.table("taxonomy_term").values():
        name, code = row.values.get("taxonomy"), row.values.get("code")
        if name and code:
            terms[row.id] = taxonomy.Term(name, code)
    return terms


def _apply_attribute(plan: Plan, row: Row, term: taxonomy.Term) -> None:
    entity = str(row.values.get("link_entity") or "")
    link_id = row.values.get("link_id")
    target = None
    if entity in BY_NAME and isinstance(link_id, uuid.UUID):
        target = plan.table(entity).get(link_id)
    if term.taxonomy not in (
        taxonomy.CATEGORY_TAXONOMY,
        taxonomy.ORGANIZATION_TYPE_TAXONOMY,
        taxonomy.REGION_TAXONOMY,
    ):
        return
    if target is None:
        plan.problem(
            row.source,
            "link_id",
            _(
                "The attribute links to %(entity)s %(id)s, which is not in the file; "
                "add that record or remove the attribute."
            )
            % {"entity": entity, "id": link_id},
        )
        return
    _set_from_term(plan, row, entity, target, term)


def _set_from_term(
    plan: Plan, row: Row, entity: str, target: Row, term: taxonomy.Term
) -> None:
    allowed = {
        taxonomy.CATEGORY_TAXONOMY: ("service",),
        taxonomy.ORGANIZATION_TYPE_TAXONOMY: ("organization",),
        taxonomy.REGION_TAXONOMY: ("organization", "location"),
    }[term.taxonomy]
    if entity not in allowed:
        plan.problem(
            row.source,
            "link_entity",
            _("Terms of %(taxonomy)s describe %(allowed)s, not %(entity)s.")
            % {
                "taxonomy": term.taxonomy,
                "allowed": ", ".join(allowed),
                "entity": entity,
            },
        )
        return
    choices = taxonomy.CHOICE_TAXONOMIES.get(term.taxonomy)
    if choices is not None and term.code not in choices.values:
        plan.problem(
            row.source,
            "taxonomy_term",
            _("%(code)s is not a term of %(taxonomy)s; use one of: %(allowed)s.")
            % {
                "code": term.code,
                "taxonomy": term.taxonomy,
                "allowed": ", ".join(choices.values),
            },
        )
        return
    if term.taxonomy == taxonomy.CATEGORY_TAXONOMY:
        target.values.setdefault("categories", set()).add(term.code)
    elif term.taxonomy == taxonomy.ORGANIZATION_TYPE_TAXONOMY:
        target.values["organization_type"] = term.code
    else:
        target.values["region_code"] = (term.code, row.source)


def _require_organization_types(plan: Plan) -> None:
    for row in plan.table("organization").values():
        if row.values.get("organization_type"):
            continue
        legal_status = row.values.get("legal_status") or ""
        if legal_status in OrganizationType.values:
            row.values["organization_type"] = legal_status
            continue
        if Organization.objects.filter(pk=row.id).exists():
            continue
        plan.problem(
            row.source,
            "attributes",
            _(
                "The organisation has no type. Add an attribute whose taxonomy term "
                "is of taxonomy %(taxonomy)s with a code from: %(allowed)s."
            )
            % {
                "taxonomy": taxonomy.ORGANIZATION_TYPE_TAXONOMY,
                "allowed": ", ".join(OrganizationType.values),
            },
        )


def _resolve_owners(plan: Plan) -> None:
    for table, owners in OWNERS.items():
        for row in plan.table(table).values():
            named = [column for column in owners if row.values.get(column)]
            if not named:
                plan.problem(
                    row.source,
                    owners[-1],
                    _("The record belongs to nothing; fill in one of: %(columns)s.")
                    % {"columns": ", ".join(owners)},
                )
            for column in named[1:]:
                row.values[column] = None


def _check_references(plan: Plan) -> None:
    regions = _regions(plan)
    for table in STORED:
        for row in plan.table(table).values():
            _check_row_references(plan, row)
            if table in ("organization", "location"):
                _set_region(plan, row, regions)


def _check_row_references(plan: Plan, row: Row) -> None:
    for column, (table, model) in REFERENCES.items():
        target = row.values.get(column)
        if target is None or target in plan.table(table):
            continue
        if model._default_manager.filter(pk=target).exists():
            continue
        plan.problem(
            row.source,
            column,
            _(
                "No %(table)s has id %(id)s in the file or the catalogue; add it or "
                "correct the id."
            )
            % {"table": table, "id": target},
        )


def _regions(plan: Plan) -> dict[str, Region]:
    codes = {
        row.values["region_code"][0]
        for name in ("organization", "location")
        for row in plan.table(name).values()
        if row.values.get("region_code")
    }
    return {region.code: region for region in Region.objects.filter(code__in=codes)}


def _set_region(plan: Plan, row: Row, regions: dict[str, Region]) -> None:
    code_and_source = row.values.pop("region_code", None)
    if code_and_source is None:
        if "attribute" in row.lists:
            row.values["region"] = None
        return
    code, source = code_and_source
    row.values["region"] = regions.get(code)
    if row.values["region"] is None:
        plan.problem(
            source,
            "taxonomy_term",
            _(
                "Region code %(code)s is not in the registry; correct the code or "
                "load the region tree first."
            )
            % {"code": code},
        )


def _check_ranges(plan: Plan) -> None:
    for row in plan.table("service").values():
        low, high = row.values.get("minimum_age"), row.values.get("maximum_age")
        if low is not None and high is not None and low > high:
            plan.problem(
                row.source,
                "maximum_age",
                _("The maximum age %(high)d is below the minimum age %(low)d.")
                % {"high": high, "low": low},
            )
    for row in plan.table("schedule").values():
        start, end = row.values.get("valid_from"), row.values.get("valid_to")
        if start is not None and end is not None and start > end:
            plan.problem(
                row.source,
                "valid_to",
                _("valid_to %(end)s is before valid_from %(start)s.")
                % {"end": end.isoformat(), "start": start.isoformat()},
            )
