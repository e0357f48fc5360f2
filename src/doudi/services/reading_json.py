"""Read HSDS JSON: nested organizations or services, flattened into tables.

The file contains one object or a list of objects in the HSDS `organization`
or `service` shape, either bare, in an API page's `contents`, or under an
`organizations` or `services` key. A nested child gets its parent's id (an
address its `location_id`, for example), and a nested parent gives its id to
the object that contains it (a service's `organization`).
"""

from __future__ import annotations

import json
from typing import Any, Final

from django.utils.translation import gettext as _

from doudi.services.raw import RawCatalogue, RawRow, Source
from doudi.services.tables import BY_NAME

# For each table: list key → (child table, the child's column naming the parent).
CHILD_LISTS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "organization": {
        "services": ("service", "organization_id"),
        "locations": ("location", "organization_id"),
        "phones": ("phone", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "attributes": ("attribute", "link_id"),
    },
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "contacts": ("contact", "service_id"),
        "capacities": ("service_capacity", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "attributes": ("attribute", "link_id"),
    },
    "service_at_location": {
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
        "contacts": ("contact", "service_at_location_id"),
    },
    "location": {
        "addresses": ("address", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "attributes": ("attribute", "link_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
}
# For each table: object key → (nested table, this table's column naming it).
CHILD_OBJECTS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "service": {"organization": ("organization", "organization_id")},
    "service_at_location": {"location": ("location", "location_id")},
    "service_capacity": {"unit": ("unit", "unit_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
}
CONTAINER_KEYS: Final = ("contents", "organizations", "services")


def read_json(content: bytes, file_name: str) -> RawCatalogue:
    catalogue = RawCatalogue()
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        catalogue.problem(Source(file_name), "", _("The file is not UTF-8 text."))
        return catalogue
    except RecursionError:
        catalogue.problem(
            Source(file_name), "", _("The JSON is nested too deeply to read.")
        )
        return catalogue
    except json.JSONDecodeError as error:
        catalogue.problem(
            Source(file_name, line=error.lineno),
            "",
            _("The file is not valid JSON: %(reason)s at column %(column)d.")
            % {"reason": error.msg, "column": error.colno},
        )
        return catalogue
    for path, item in _top_level(document):
        _read_top(catalogue, item, Source(file_name, path=path))
    return catalogue


def _top_level(document: Any) -> list[tuple[str, Any]]:
    if isinstance(document, dict):
        for key in CONTAINER_KEYS:
            if isinstance(document.get(key), list):
                return [(f"{key}[{i}]", item) for i, item in enumerate(document[key])]
        return [("", document)]
    if isinstance(document, list):
        return [(f"[{i}]", item) for i, item in enumerate(document)]
    return [("", document)]


def _read_top(catalogue: RawCatalogue, item: Any, source: Source) -> None:
    if not isinstance(item, dict):
        catalogue.problem(
            source,
            "",
            _("Expected an organization or a service object; remove this value."),
        )
        return
    is_service = "status" in item or "organization" in item or "organization_id" in item
    _walk(catalogue, "service" if is_service else "organization", item, source)


def _walk(
    catalogue: RawCatalogue, table: str, item: dict[str, Any], source: Source
) -> None:
    columns = set(BY_NAME[table].header)
    values = {}
    for key, value in item.items():
        if key in columns and not isinstance(value, dict | list):
            values[key] = value
        elif key not in CHILD_LISTS.get(table, {}) and key not in CHILD_OBJECTS.get(
            table, {}
        ):
            catalogue.ignored.add(f"{table}.{key}")
    for key, (child_table, column) in CHILD_OBJECTS.get(table, {}).items():
        _nested_parent(
            catalogue, item.get(key), values, child_table, column, source, key
        )
    lists = {
        child_table
        for key, (child_table, _column) in CHILD_LISTS.get(table, {}).items()
        if isinstance(item.get(key), list)
    }
    catalogue.add(table, RawRow(source, values, lists))
    for key, (child_table, column) in CHILD_LISTS.get(table, {}).items():
        parent = (table, values.get("id"))
        _children(catalogue, item.get(key), parent, child_table, column, source, key)


def _nested_parent(
    catalogue: RawCatalogue,
    nested: Any,
    values: dict[str, Any],
    table: str,
    column: str,
    source: Source,
    key: str,
) -> None:
    if nested is None:
        return
    where = Source(source.file, path=f"{source.path}.{key}".lstrip("."))
    if not isinstance(nested, dict):
        catalogue.problem(where, key, _("Expected an object; remove this value."))
        return
    nested_id = nested.get("id")
    if column in values and values[column] not in (None, "", nested_id):
        catalogue.problem(
            source,
            column,
            _(
                "%(column)s is %(given)s but the nested %(key)s has id %(nested)s; "
                "make them the same."
            )
            % {
                "column": column,
                "given": values[column],
                "key": key,
                "nested": nested_id,
            },
        )
    values[column] = nested_id
    _walk(catalogue, table, nested, where)


def _children(
    catalogue: RawCatalogue,
    children: Any,
    parent: tuple[str, Any],
    table: str,
    column: str,
    source: Source,
    key: str,
) -> None:
    if children is None:
        return
    parent_table, parent_id = parent
    base = f"{source.path}.{key}".lstrip(".")
    if not isinstance(children, list):
        catalogue.problem(Source(source.file, path=base), key, _("Expected a list."))
        return
    for index, child in enumerate(children):
        where = Source(source.file, path=f"{base}[{index}]")
        if not isinstance(child, dict):
            catalogue.problem(where, "", _("Expected an object; remove this value."))
            continue
        given = child.get(column)
        if given not in (None, "") and given != parent_id:
            catalogue.problem(
                where,
                column,
                _(
                    "%(column)s is %(given)s but the record is nested in %(parent)s; "
                    "remove the field or make it the same."
                )
                % {"column": column, "given": given, "parent": parent_id},
            )
        defaults = {"link_entity": parent_table} if table == "attribute" else {}
        _walk(catalogue, table, {**defaults, **child, column: parent_id}, where)
