"""Import a catalogue file (HSDS JSON, or a zip of HSDS CSV files).

An import is all or nothing: when validation finds any problem, nothing is
written and the report lists the problems. Records are matched by id, so
importing the same file again changes nothing and a changed record is
updated in place. Organisations, services and locations missing from the
file stay as they are. When the file lists a record's phones, contacts,
hours, addresses, capacities, documents or places in full, the stored ones
it leaves out are deleted.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final
from uuid import UUID

from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.services import permissions
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
    ServiceCategory,
)
from doudi.services.raw import MAX_PROBLEMS, Problem, RawCatalogue, Source
from doudi.services.reading_csv import read_zip
from doudi.services.reading_json import read_json
from doudi.services.validation import Plan, Row, validate

logger = logging.getLogger(__name__)

ORGANIZATION_OBJECT: Final = "services.organization"
SERVICE_OBJECT: Final = "services.service"
CATALOGUE_OBJECT: Final = "services.catalogue"
MAX_FILE_BYTES: Final = 20 * 1024 * 1024

# Tables in the order they are written, so that every reference exists.
WRITE_ORDER: Final[tuple[tuple[str, type[models.Model]], ...]] = (
    ("organization", Organization),
    ("location", Location),
    ("address", Address),
    ("service", Service),
    ("service_capacity", ServiceCapacity),
    ("required_document", RequiredDocument),
    ("service_at_location", ServiceAtLocation),
    ("contact", Contact),
    ("schedule", Schedule),
    ("phone", Phone),
)
NOT_STORED: Final = frozenset({"id", "legal_status", "categories"})
# (child table, child model, column naming the parent, parent table)
CHILDREN: Final = (
    ("address", Address, "location_id", "location"),
    ("service_capacity", ServiceCapacity, "service_id", "service"),
    ("required_document", RequiredDocument, "service_id", "service"),
    ("service_at_location", ServiceAtLocation, "service_id", "service"),
    *(
        ("schedule", Schedule, f"{parent}_id", parent)
        for parent in ("service", "location", "service_at_location")
    ),
    *(
        ("contact", Contact, f"{parent}_id", parent)
        for parent in ("organization", "service", "location", "service_at_location")
    ),
    *(
        ("phone", Phone, f"{parent}_id", parent)
        for parent in (
            "organization",
            "service",
            "location",
            "service_at_location",
            "contact",
        )
    ),
)


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated or +self.deleted)

    def summary(self) -> str:
        if not self.ok:
            return _("%(count)d problems; nothing was imported.") % {
                "count": self.problem_count
            }
        return _(
            "%(created)d records created, %(updated)d updated, %(unchanged)d "
            "unchanged, %(deleted)d deleted."
        ) % {
            "created": self.created.total(),
            "updated": self.updated.total(),
            "unchanged": self.unchanged.total(),
            "deleted": self.deleted.total(),
        }


def read_catalogue(content: bytes, file_name: str) -> RawCatalogue:
    """Read a zip archive of CSV files or a JSON document, by its first bytes."""
    if content.startswith(b"PK\x03\x04") or file_name.lower().endswith(".zip"):
        return read_zip(content, file_name)
    return read_json(content, file_name)


def import_file(
    actor: User | None,
    content: bytes,
    file_name: str,
    request: HttpRequest | None = None,
) -> ImportReport:
    """Validate and import a catalogue file; `actor=None` is the system (CLI, demo)."""
    if actor is not None:
        permissions.require_city_admin(actor)
    if len(content) > MAX_FILE_BYTES:
        return _rejected(
            [Problem(Source(file_name), "", _too_large(len(content)))], set()
        )
    raw = read_catalogue(content, file_name)
    try:
        with transaction.atomic():
            plan = validate(raw)
            if plan.problems:
                return _rejected(plan.problems, raw.ignored)
            report = _write(plan)
            report.ignored = sorted(raw.ignored)
            _audit(actor, report, plan, content, request)
    except IntegrityError as error:
        logger.warning("catalogue import of %s rejected by the database", file_name)
        message = _("The database rejected the data: %(reason)s.") % {"reason": error}
        return _rejected([Problem(Source(file_name), "", message)], raw.ignored)
    logger.info("catalogue import of %s: %s", file_name, report.summary())
    return report


def _too_large(size: int) -> str:
    return _("The file has %(size)d bytes; the limit is %(limit)d. Split it.") % {
        "size": size,
        "limit": MAX_FILE_BYTES,
    }


def _rejected(problems: list[Problem], ignored: set[str]) -> ImportReport:
    logger.warning("catalogue import rejected with %d problems", len(problems))
    return ImportReport(
        problems=problems[:MAX_PROBLEMS],
        problem_count=len(problems),
        ignored=sorted(ignored),
    )


def _write(plan: Plan) -> ImportReport:
    report = ImportReport()
    for table, model in WRITE_ORDER:
        rows = plan.table(table)
        existing = model._default_manager.in_bulk(list(rows))
        for row_id, row in rows.items():
            row.outcome = _upsert(model, existing.get(row_id), row)
            if table == "service" and _sync_categories(row):
                _touch_service(row_id, row)
            getattr(report, row.outcome)[table] += 1
    _delete_missing_children(plan, report)
    return report


def _model_values(model: type[models.Model], row: Row) -> dict[str, Any]:
    values = {}
    for key, value in row.values.items():
        if key in NOT_STORED:
            continue
        model_field = model._meta.get_field(key)
        assert isinstance(model_field, models.Field)
        if isinstance(value, models.Model):
            value = value.pk
        if value is None and not model_field.null:
            value = model_field.get_default()
        values[model_field.attname] = value
    return values


def _upsert(model: type[models.Model], stored: models.Model | None, row: Row) -> str:
    values = _model_values(model, row)
    stamp = values.pop("last_modified", None) if model is Service else None
    if stored is None:
        if model is Service:
            values["last_modified"] = stamp or timezone.now()
        model._default_manager.create(id=row.id, **values)
        return "created"
    changed = [key for key, value in values.items() if getattr(stored, key) != value]
    if isinstance(stored, Service):
        previous = stored.last_modified
        stamp = stamp or (timezone.now() if changed else previous)
        if stamp != previous:
            values["last_modified"] = stamp
            changed.append("last_modified")
    if not changed:
        return "unchanged"
    for key in changed:
        setattr(stored, key, values[key])
    stored.save()
    row.changed = changed
    return "updated"


def _sync_categories(row: Row) -> bool:
    """Store the service's categories when the file lists them; return if changed."""
    listed = row.values.get("categories")
    if listed is None:
        return False
    stored = set(
        ServiceCategory.objects.filter(service_id=row.id).values_list(
            "category", flat=True
        )
    )
    if stored == listed:
        return False
    ServiceCategory.objects.filter(service_id=row.id).exclude(
        category__in=listed
    ).delete()
    ServiceCategory.objects.bulk_create(
        ServiceCategory(service_id=row.id, category=category)
        for category in sorted(listed - stored)
    )
    return True


def _touch_service(service_id: UUID, row: Row) -> None:
    if row.outcome == "created":
        return
    if row.values.get("last_modified") is None:
        Service.objects.filter(pk=service_id).update(last_modified=timezone.now())
    row.changed.append("categories")
    row.outcome = "updated"


def _delete_missing_children(plan: Plan, report: ImportReport) -> None:
    for table, model, column, parent_table in CHILDREN:
        parents = [
            row_id
            for row_id, row in plan.table(parent_table).items()
            if table in row.lists
        ]
        if not parents:
            continue
        listed_ids = list(plan.table(table))
        stale = model._default_manager.filter(**{f"{column}__in": parents}).exclude(
            pk__in=listed_ids
        )
        deleted, _by_model = stale.delete()
        report.deleted[table] += deleted


def _audit(
    actor: User | None,
    report: ImportReport,
    plan: Plan,
    content: bytes,
    request: HttpRequest | None,
) -> None:
    for table, object_type in (
        ("organization", ORGANIZATION_OBJECT),
        ("service", SERVICE_OBJECT),
    ):
        for row_id, row in plan.table(table).items():
            _audit_row(actor, object_type, row_id, row, request)
    audit.record(
        actor=actor,
        action=AuditAction.BATCH,
        object_type=CATALOGUE_OBJECT,
        purpose=Purpose.SYSTEM,
        request=request,
        record_count=sum(len(rows) for rows in plan.tables.values()),
        checksum=hashlib.sha256(content).hexdigest(),
        detail={
            "created": dict(report.created),
            "updated": dict(report.updated),
            "deleted": dict(report.deleted),
        },
    )


def _audit_row(
    actor: User | None,
    object_type: str,
    row_id: UUID,
    row: Row,
    request: HttpRequest | None,
) -> None:
    if row.outcome == "unchanged":
        return
    created = row.outcome == "created"
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        object_type=object_type,
        object_id=row_id,
        purpose=Purpose.SYSTEM,
        request=request,
        detail={"via": "import", "fields": sorted(row.changed)},
    )
