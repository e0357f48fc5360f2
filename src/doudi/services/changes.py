"""Staff changes to the catalogue: one function per change, checked and audited.

Pages, the CLI and imports all change the catalogue through these
functions or through `loading.import_file`. A create takes the new record's
id from the form that was shown, so submitting the same form twice creates
one record.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.services.loading import ORGANIZATION_OBJECT, SERVICE_OBJECT
from doudi.services.models import (
    Address,
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
from doudi.services.permissions import require_editor

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ServiceParts:
    """The parts of a service that its form sets besides the service's fields."""

    categories: frozenset[str]
    locations: tuple[Location, ...]
    documents: tuple[str, ...]
    capacity: tuple[str, int, int | None] | None  # unit, available, maximum


def _locked(records: QuerySet[M], pk: uuid.UUID | None) -> M | None:
    """Return the record with `pk`, locked for this transaction, or None."""
    if pk is None:
        return None
    return records.select_for_update().filter(pk=pk).first()


def _assign(record: models.Model, values: dict[str, Any]) -> list[str]:
    changed = []
    for key, value in values.items():
        if getattr(record, key) != value:
            setattr(record, key, value)
            changed.append(key)
    return changed


def _record(
    actor: User,
    action: AuditAction,
    object_type: str,
    object_id: uuid.UUID,
    detail: dict[str, Any],
    request: HttpRequest | None,
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        purpose=Purpose.SYSTEM,
        request=request,
        detail=detail,
    )


@transaction.atomic
def save_organization(
    actor: User,
    values: dict[str, Any],
    *,
    organization: Organization | None = None,
    new_id: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Organization:
    """Create an organisation (with `new_id`) or update `organization`."""
    if organization is None or "region" in values:
        require_editor(actor, values.get("region"))
    # Read the stored row again: a model form has already copied its values
    # onto the instance it was given.
    pk = organization.pk if organization is not None else new_id
    organization = _locked(Organization.objects.all(), pk)
    if organization is None:
        return _create_organization(actor, values, new_id, request)
    require_editor(actor, organization.region)
    changed = _assign(organization, values)
    if changed:
        organization.full_clean()
        organization.save()
        _record(
            actor,
            AuditAction.UPDATE,
            ORGANIZATION_OBJECT,
            organization.id,
            {"fields": sorted(changed)},
            request,
        )
    return organization


def _create_organization(
    actor: User,
    values: dict[str, Any],
    new_id: uuid.UUID | None,
    request: HttpRequest | None,
) -> Organization:
    organization = Organization(id=new_id or uuid.uuid4(), **values)
    organization.full_clean()
    organization.save(force_insert=True)
    _record(
        actor,
        AuditAction.CREATE,
        ORGANIZATION_OBJECT,
        organization.id,
        {"fields": sorted(values)},
        request,
    )
    logger.info("user %s created organisation %s", actor.pk, organization.id)
    return organization


@transaction.atomic
def save_service(
    actor: User,
    organization: Organization,
    values: dict[str, Any],
    parts: ServiceParts,
    *,
    service: Service | None = None,
    new_id: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Service:
    """Create a service of `organization` (with `new_id`) or update `service`."""
    require_editor(actor, organization.region)
    pk = service.pk if service is not None else new_id
    service = _locked(organization.services.all(), pk)
    if service is None:
        return _create_service(actor, organization, values, parts, new_id, request)
    changed = _assign(service, values)
    if changed:
        service.full_clean()
        service.save()
    changed += _set_parts(service, parts)
    if changed:
        detail = {"fields": sorted(changed)}
        _touch(actor, service, detail, request)
    return service


def _create_service(
    actor: User,
    organization: Organization,
    values: dict[str, Any],
    parts: ServiceParts,
    new_id: uuid.UUID | None,
    request: HttpRequest | None,
) -> Service:
    service = Service(
        id=new_id or uuid.uuid4(),
        organization=organization,
        last_modified=timezone.now(),
        **values,
    )
    service.full_clean()
    service.save(force_insert=True)
    _set_parts(service, parts)
    detail = {"fields": sorted([*values, "categories", "locations"])}
    _record(actor, AuditAction.CREATE, SERVICE_OBJECT, service.id, detail, request)
    logger.info("user %s created service %s", actor.pk, service.id)
    return service


def _set_parts(service: Service, parts: ServiceParts) -> list[str]:
    """Store the parts of a saved service that differ; return their names."""
    return [
        name
        for name, setter in (
            ("categories", _set_categories),
            ("locations", _set_locations),
            ("documents", _set_documents),
            ("capacity", _set_capacity),
        )
        if setter(service, parts)
    ]


def _set_categories(service: Service, parts: ServiceParts) -> bool:
    stored = set(service.categories.values_list("category", flat=True))
    if stored == parts.categories:
        return False
    service.categories.exclude(category__in=parts.categories).delete()
    ServiceCategory.objects.bulk_create(
        ServiceCategory(service=service, category=category)
        for category in sorted(parts.categories - stored)
    )
    return True


def _set_locations(service: Service, parts: ServiceParts) -> bool:
    chosen = {location.id for location in parts.locations}
    stored = set(service.service_at_locations.values_list("location_id", flat=True))
    if stored == chosen:
        return False
    service.service_at_locations.exclude(location_id__in=chosen).delete()
    ServiceAtLocation.objects.bulk_create(
        ServiceAtLocation(service=service, location_id=location_id)
        for location_id in sorted(chosen - stored)
    )
    return True


def _set_documents(service: Service, parts: ServiceParts) -> bool:
    stored = list(service.required_documents.values_list("document", flat=True))
    if sorted(stored) == sorted(parts.documents):
        return False
    service.required_documents.exclude(document__in=parts.documents).delete()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(service=service, document=text)
        for text in parts.documents
        if text not in stored
    )
    return True


def _set_capacity(service: Service, parts: ServiceParts) -> bool:
    stored = service.capacities.first()
    if parts.capacity is None:
        return service.capacities.all().delete()[0] > 0
    unit, available, maximum = parts.capacity
    values = {"unit": unit, "available": available, "maximum": maximum}
    if stored is None:
        ServiceCapacity.objects.create(
            service=service, updated=timezone.now(), **values
        )
        return True
    if not _assign(stored, values):
        return False
    stored.updated = timezone.now()
    stored.save()
    return True


@transaction.atomic
def save_location(
    actor: User,
    organization: Organization,
    values: dict[str, Any],
    address: dict[str, Any] | None,
    *,
    location: Location | None = None,
    new_id: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Location:
    """Create or update a place of `organization`, with its one street address."""
    require_editor(actor, organization.region)
    pk = location.pk if location is not None else new_id
    location = _locked(organization.locations.all(), pk)
    created = location is None
    if location is None:
        location = Location(id=new_id or uuid.uuid4(), organization=organization)
    changed = _assign(location, values)
    if created or changed:
        location.full_clean()
        location.save()
    changed += _set_address(location, address)
    if created or changed:
        detail = {"location": str(location.id), "fields": sorted(changed)}
        action = AuditAction.UPDATE
        _record(actor, action, ORGANIZATION_OBJECT, organization.id, detail, request)
    return location


def _set_address(location: Location, values: dict[str, Any] | None) -> list[str]:
    stored = location.addresses.first()
    if values is None:
        return ["address"] if location.addresses.all().delete()[0] else []
    if stored is not None and not _assign(stored, values):
        return []
    if stored is None:
        stored = Address(location=location, **values)
    stored.full_clean()
    stored.save()
    return ["address"]


@transaction.atomic
def add_schedule(
    actor: User,
    service: Service,
    values: dict[str, Any],
    *,
    new_id: uuid.UUID,
    request: HttpRequest | None = None,
) -> Schedule:
    """Add opening hours to a service, or to one of its places."""
    require_editor(actor, service.organization.region)
    existing = Schedule.objects.filter(pk=new_id).first()
    if existing is not None:
        return existing
    schedule = Schedule(id=new_id, **values)
    if schedule.service_at_location_id is None:
        schedule.service = service
    schedule.full_clean()
    schedule.save(force_insert=True)
    _touch(actor, service, {"schedule_added": str(schedule.id)}, request)
    return schedule


@transaction.atomic
def delete_schedule(
    actor: User,
    schedule: Schedule,
    service: Service,
    request: HttpRequest | None = None,
) -> None:
    require_editor(actor, service.organization.region)
    schedule_id = schedule.id
    schedule.delete()
    _touch(actor, service, {"schedule_deleted": str(schedule_id)}, request)


@transaction.atomic
def add_phone(
    actor: User,
    owner: Organization | Service,
    values: dict[str, Any],
    *,
    new_id: uuid.UUID,
    request: HttpRequest | None = None,
) -> Phone:
    organization = owner if isinstance(owner, Organization) else owner.organization
    require_editor(actor, organization.region)
    existing = Phone.objects.filter(pk=new_id).first()
    if existing is not None:
        return existing
    phone = Phone(id=new_id, **values)
    if isinstance(owner, Organization):
        phone.organization = owner
    else:
        phone.service = owner
    phone.full_clean()
    phone.save(force_insert=True)
    _phone_changed(actor, owner, {"phone_added": str(phone.id)}, request)
    return phone


@transaction.atomic
def delete_phone(
    actor: User,
    phone: Phone,
    owner: Organization | Service,
    request: HttpRequest | None = None,
) -> None:
    organization = owner if isinstance(owner, Organization) else owner.organization
    require_editor(actor, organization.region)
    phone_id = phone.id
    phone.delete()
    _phone_changed(actor, owner, {"phone_deleted": str(phone_id)}, request)


def _phone_changed(
    actor: User,
    owner: Organization | Service,
    detail: dict[str, Any],
    request: HttpRequest | None,
) -> None:
    if isinstance(owner, Service):
        _touch(actor, owner, detail, request)
        return
    _record(actor, AuditAction.UPDATE, ORGANIZATION_OBJECT, owner.id, detail, request)


def _touch(
    actor: User, service: Service, detail: dict[str, Any], request: HttpRequest | None
) -> None:
    Service.objects.filter(pk=service.pk).update(last_modified=timezone.now())
    _record(actor, AuditAction.UPDATE, SERVICE_OBJECT, service.id, detail, request)
