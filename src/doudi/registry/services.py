"""Every change to the registry goes through these functions.

Each checks the actor's rights and scope and writes the audit entry. Views,
the admin, the API, commands and tasks call them; none writes the models
directly.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.keys import keyring
from doudi.privacy.models import User
from doudi.registry import facts, resident_id
from doudi.registry.choices import FactKind, FactSource, Relationship
from doudi.registry.models import Household, Membership, Person, PersonFact, Region

WRITER_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.STREET_REVIEWER})
# Kinds where a new fact replaces the open one; the others can hold several
# values at once (a person may have several illnesses or incomes).
SINGLE_VALUED_KINDS = frozenset(
    {
        FactKind.WORK_CAPACITY,
        FactKind.EMPLOYMENT,
        FactKind.SCHOOLING,
        FactKind.LIVING_ALONE,
        FactKind.CARE_LEVEL,
    }
)


def name_index(name: str) -> str:
    return keyring().blind_index(name.strip(), domain="person.name")


def resident_id_index(canonical: str) -> str:
    return keyring().blind_index(canonical, domain="person.resident_id")


def phone_index(phone: str) -> str:
    return keyring().blind_index(phone.strip(), domain="person.phone")


def _require_writer(actor: User, region: Region) -> None:
    if actor.role not in WRITER_ROLES or actor.region is None:
        raise PermissionDenied(_("Your role cannot change registry records."))
    if not region.path.startswith(actor.region.path):
        raise PermissionDenied(_("This record is outside your region."))


def _audit_change(
    actor: User, action: AuditAction, obj: object, fields: list[str]
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type=f"registry.{type(obj).__name__.lower()}",
        object_id=getattr(obj, "pk", ""),
        purpose=Purpose.CASE_WORK,
        detail={"fields": fields},
    )


@transaction.atomic
def create_household(actor: User, *, region: Region, address: str) -> Household:
    _require_writer(actor, region)
    if region.level != "community":
        raise ValidationError(
            _("A household belongs to a community, not to %(region)s.")
            % {"region": region.name}
        )
    household = Household.objects.create(region=region, address=address.strip())
    _audit_change(actor, AuditAction.CREATE, household, ["region", "address"])
    return household


@transaction.atomic
def create_person(
    actor: User,
    *,
    household: Household,
    relationship: Relationship,
    joined: date,
    **fields: Any,
) -> Person:
    """Create a person from validated fields and make them a member."""
    _require_writer(actor, household.region)
    canonical = resident_id.normalize(str(fields.pop("resident_id")))
    resident_id.validate_consistency(
        canonical, sex=resident_id.Sex(fields["sex"]), birth_date=fields["birth_date"]
    )
    index = resident_id_index(canonical)
    if Person.objects.filter(resident_id_index=index).exists():
        raise ValidationError(
            _("A person with resident ID %(masked)s is already registered.")
            % {"masked": resident_id.mask(canonical)}
        )
    phone = (fields.pop("phone", None) or "").strip() or None
    person = Person.objects.create(
        resident_id=canonical,
        resident_id_index=index,
        name_index=name_index(fields["name"]),
        phone=phone,
        phone_index=phone_index(phone) if phone else "",
        **fields,
    )
    _audit_change(actor, AuditAction.CREATE, person, sorted(["resident_id", *fields]))
    add_member(
        actor,
        household=household,
        person=person,
        relationship=relationship,
        start=joined,
    )
    return person


@transaction.atomic
def add_member(
    actor: User,
    *,
    household: Household,
    person: Person,
    relationship: Relationship,
    start: date,
) -> Membership:
    _require_writer(actor, household.region)
    if Membership.objects.filter(person=person, end_date__isnull=True).exists():
        raise ValidationError(
            _(
                "This person is still a member of another household: end that "
                "membership first."
            )
        )
    if relationship == Relationship.HEAD and _open_head(household) is not None:
        raise ValidationError(
            _("The household already has a head: change the head instead.")
        )
    membership = Membership.objects.create(
        household=household, person=person, relationship=relationship, start_date=start
    )
    _audit_change(actor, AuditAction.CREATE, membership, ["relationship", "start_date"])
    return membership


def _open_head(household: Household) -> Membership | None:
    return household.memberships.filter(
        end_date__isnull=True, relationship=Relationship.HEAD
    ).first()


@transaction.atomic
def end_membership(actor: User, *, membership: Membership, end: date) -> Membership:
    """End a membership. The head cannot leave while others remain."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _require_writer(actor, membership.household.region)
    if membership.end_date is not None:
        raise ValidationError(_("This membership has already ended."))
    if end <= membership.start_date:
        raise ValidationError(_("A membership must end after the day it started."))
    others = membership.household.memberships.filter(end_date__isnull=True).exclude(
        pk=membership.pk
    )
    if membership.relationship == Relationship.HEAD and others.exists():
        raise ValidationError(
            _(
                "The head cannot leave while other members remain: make another "
                "member head first."
            )
        )
    membership.end_date = end
    membership.save(update_fields=["end_date"])
    _audit_change(actor, AuditAction.UPDATE, membership, ["end_date"])
    return membership


@transaction.atomic
def change_head(
    actor: User,
    *,
    household: Household,
    new_head: Person,
    on: date,
    former_head_relationship: Relationship,
) -> Membership:
    """Make `new_head` the head from `on`, keeping both old memberships as history."""
    _require_writer(actor, household.region)
    current = _open_head(household)
    incoming = household.memberships.filter(
        person=new_head, end_date__isnull=True
    ).first()
    if incoming is None:
        raise ValidationError(
            _("The new head must be a current member of the household.")
        )
    if current is not None and current.person_id == new_head.pk:
        raise ValidationError(_("This person is already the head."))
    if former_head_relationship == Relationship.HEAD:
        raise ValidationError(_("Choose the former head's new relationship."))
    for old in filter(None, [current, incoming]):
        old.end_date = on
        old.save(update_fields=["end_date"])
    if current is not None:
        Membership.objects.create(
            household=household,
            person_id=current.person_id,
            relationship=former_head_relationship,
            start_date=on,
        )
    head = Membership.objects.create(
        household=household,
        person=new_head,
        relationship=Relationship.HEAD,
        start_date=on,
    )
    _audit_change(actor, AuditAction.UPDATE, household, ["head"])
    return head


@transaction.atomic
def record_fact(
    actor: User,
    *,
    person: Person,
    kind: FactKind,
    valid_from: date,
    source: FactSource = FactSource.CASEWORKER,
    **values: Any,
) -> PersonFact:
    """Add a dated fact; for single-valued kinds the open one ends where it starts.

    Disability facts need a category and grade 1-4; a care-level fact takes
    the six ADL items in `detail` and its level is derived from them.
    """
    household = _current_household(person)
    _require_writer(actor, household.region)
    values = facts.prepare_values(kind, values)
    if kind in SINGLE_VALUED_KINDS:
        for old in person.facts.select_for_update().filter(
            kind=kind, valid_to__isnull=True
        ):
            if old.valid_from >= valid_from:
                raise ValidationError(
                    _("A newer %(kind)s fact already starts on %(day)s.")
                    % {"kind": kind.label, "day": old.valid_from}
                )
            old.valid_to = valid_from
            old.save(update_fields=["valid_to"])
    fact = PersonFact.objects.create(
        person=person, kind=kind, valid_from=valid_from, source=source, **values
    )
    _audit_change(actor, AuditAction.CREATE, fact, ["kind", *sorted(values)])
    return fact


def _current_household(person: Person) -> Household:
    membership = (
        person.memberships.filter(end_date__isnull=True)
        .select_related("household__region")
        .first()
    )
    if membership is None:
        raise ValidationError(_("This person is not a member of any household."))
    return membership.household
