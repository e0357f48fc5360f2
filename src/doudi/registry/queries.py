"""Scoped, masked and audited reads of the registry for pages, exports and the API."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.privacy import access, audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.masking import mask_address, mask_name, mask_phone, mask_resident_id
from doudi.privacy.models import User
from doudi.registry import resident_id
from doudi.registry.choices import FactKind, Relationship, fact_value_label
from doudi.registry.models import Household, Membership, Person, PersonFact
from doudi.registry.services import name_index, phone_index, resident_id_index

# Resident IDs, mobile numbers and full names are far shorter than this limit.
# Longer input is a mistake or an attack, so it is rejected before any look-up.
MAX_QUERY_LENGTH = 64
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


@dataclass(frozen=True)
class MemberView:
    person_id: int
    name: str
    resident_id: str
    phone: str
    sex: str
    age: int
    relationship: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class HouseholdRow:
    pk: int
    community: str
    street: str
    head_name: str
    size: int
    address: str


@dataclass(frozen=True)
class FactView:
    person_name: str
    kind: str
    value: str
    grade: int | None
    valid_from: date
    valid_to: date | None
    source: str


@dataclass(frozen=True)
class HouseholdView:
    row: HouseholdRow
    single_parent: bool
    lost_only_child: bool
    members: list[MemberView]
    former_members: list[MemberView]
    facts: list[FactView] = field(default_factory=list)


def _purpose_for(user: User) -> Purpose:
    return Purpose.OWN_RECORD if user.role == Role.RESIDENT else Purpose.CASE_WORK


def _shows_full(user: User) -> bool:
    """Residents see their own household unmasked; staff see masked values."""
    return user.role == Role.RESIDENT


def scoped_households(user: User) -> QuerySet[Household]:
    return access.scope_households(
        Household.objects.select_related("region__parent"), user
    ).annotate(size=Count("memberships", filter=Q(memberships__end_date__isnull=True)))


def _heads(households: list[Household]) -> dict[int, str]:
    memberships = Membership.objects.filter(
        household_id__in=[h.pk for h in households],
        end_date__isnull=True,
        relationship=Relationship.HEAD,
    ).select_related("person")
    return {m.household_id: m.person.name for m in memberships}


def _row(household: Household, head: str, full: bool) -> HouseholdRow:
    street = household.region.parent
    return HouseholdRow(
        pk=household.pk,
        community=household.region.name,
        street=street.name if street else "",
        head_name=head if full else mask_name(head),
        size=getattr(household, "size", 0),
        address=household.address if full else mask_address(household.address),
    )


def household_rows(
    user: User, households: list[Household], request: HttpRequest | None
) -> list[HouseholdRow]:
    """Mask and audit one page of households (one audit entry for the page)."""
    heads = _heads(households)
    full = _shows_full(user)
    rows = [_row(h, heads.get(h.pk, ""), full) for h in households]
    if rows:
        audit.record(
            actor=user,
            action=AuditAction.READ,
            object_type="registry.household",
            purpose=_purpose_for(user),
            request=request,
            record_count=len(rows),
            detail={"ids": [row.pk for row in rows]},
        )
    return rows


def search_households(user: User, query: str) -> tuple[QuerySet[Household], str]:
    """Find households by a member's resident ID, mobile number or exact name."""
    query = query.strip()
    households = scoped_households(user)
    if not query:
        return households.order_by("pk"), "all"
    kind, persons = _persons_matching(query)
    matching = Membership.objects.filter(person__in=persons, end_date__isnull=True)
    return households.filter(pk__in=matching.values("household_id")).order_by(
        "pk"
    ), kind


def _persons_matching(query: str) -> tuple[str, QuerySet[Person]]:
    try:
        canonical = resident_id.normalize(query)
    except resident_id.InvalidResidentId:
        canonical = ""
    if canonical:
        return "resident_id", Person.objects.filter(
            resident_id_index=resident_id_index(canonical)
        )
    if MOBILE.match(query):
        return "phone", Person.objects.filter(phone_index=phone_index(query))
    return "name", Person.objects.filter(name_index=name_index(query))


def audit_search(
    user: User, kind: str, matches: int, request: HttpRequest | None
) -> None:
    audit.record(
        actor=user,
        action=AuditAction.SEARCH,
        object_type="registry.household",
        purpose=_purpose_for(user),
        request=request,
        record_count=matches,
        detail={"by": kind},
    )


def _audit_denied(
    user: User,
    object_type: str,
    object_id: int,
    purpose: Purpose,
    request: HttpRequest | None,
) -> None:
    audit.record(
        actor=user,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        request=request,
    )


def open_household(user: User, pk: int, request: HttpRequest | None) -> HouseholdView:
    """Return one household in the user's scope, audited; 404 outside scope."""
    household = scoped_households(user).filter(pk=pk).first()
    if household is None:
        if Household.objects.filter(pk=pk).exists():
            _audit_denied(user, "registry.household", pk, _purpose_for(user), request)
        raise Http404(_("No household %(pk)s in your region.") % {"pk": pk})
    audit.record(
        actor=user,
        action=AuditAction.READ,
        object_type="registry.household",
        object_id=pk,
        purpose=_purpose_for(user),
        request=request,
    )
    return _household_view(user, household)


def _household_view(user: User, household: Household) -> HouseholdView:
    # Caseworkers visit the home, so they see names and the address; resident
    # IDs and phone numbers stay masked for staff until revealed with a purpose.
    full = _shows_full(user)
    named = full or access.can_reveal_full_id(user)
    today = timezone.localdate()

    memberships = list(
        household.memberships.select_related("person").order_by("start_date", "pk")
    )
    current = [
        _member(m, full, named, today) for m in memberships if m.end_date is None
    ]
    former = [
        _member(m, full, named, today) for m in memberships if m.end_date is not None
    ]
    head_label = str(Relationship.HEAD.label)
    head = next((m.name for m in current if m.relationship == head_label), "")
    names = {m.person_id: m.person.name for m in memberships}
    facts = [
        _fact(
            fact, names[fact.person_id] if named else mask_name(names[fact.person_id])
        )
        for fact in PersonFact.objects.filter(person_id__in=list(names))
        .exclude(kind=FactKind.INCOME)
        .order_by("person_id", "kind", "valid_from")
    ]
    return HouseholdView(
        row=_row(household, head, named),
        single_parent=household.single_parent,
        lost_only_child=household.lost_only_child,
        members=current,
        former_members=former,
        facts=facts,
    )


def _fact(fact: PersonFact, person_name: str) -> FactView:
    return FactView(
        person_name=person_name,
        kind=fact.get_kind_display(),
        value=fact_value_label(fact.kind, fact.code),
        grade=fact.grade,
        valid_from=fact.valid_from,
        valid_to=fact.valid_to,
        source=fact.get_source_display(),
    )


def _member(membership: Membership, full: bool, named: bool, today: date) -> MemberView:
    person = membership.person
    return MemberView(
        person_id=person.pk,
        name=person.name if named else mask_name(person.name),
        resident_id=person.resident_id
        if full
        else mask_resident_id(person.resident_id),
        phone=(person.phone or "") if full else mask_phone(person.phone),
        sex=person.get_sex_display(),
        age=person.age_on(today),
        relationship=membership.get_relationship_display(),
        start_date=membership.start_date,
        end_date=membership.end_date,
    )


def reveal_resident_id(
    user: User, person_pk: int, purpose: Purpose, request: HttpRequest | None
) -> str:
    """Return the full resident ID to a role that needs it, audited as a reveal."""
    if not access.can_reveal_full_id(user):
        _audit_denied(user, "registry.person", person_pk, purpose, request)
        raise PermissionDenied(_("Your role sees resident IDs masked."))
    person = (
        access.scope_persons(Person.objects.all(), user).filter(pk=person_pk).first()
    )
    if person is None:
        if Person.objects.filter(pk=person_pk).exists():
            _audit_denied(user, "registry.person", person_pk, purpose, request)
        raise Http404(_("No such person in your region."))
    audit.record(
        actor=user,
        action=AuditAction.REVEAL,
        object_type="registry.person",
        object_id=person_pk,
        purpose=purpose,
        request=request,
        detail={"field": "resident_id"},
    )
    return str(person.resident_id)


EXPORT_HEADER = ["household", "community", "street", "head", "members", "address"]


def export_households(user: User, request: HttpRequest | None) -> list[list[str]]:
    """Return the scoped households as masked CSV rows; one audit entry per export."""
    if not access.can_export(user):
        raise PermissionDenied(_("Your role cannot export registry records."))
    digest = hashlib.sha256()
    lines = [EXPORT_HEADER]
    households = scoped_households(user).order_by("pk")
    for chunk in _chunks(households, 2000):
        heads = _heads(chunk)
        for household in chunk:
            row = _row(household, heads.get(household.pk, ""), False)
            line = [
                str(row.pk),
                row.community,
                row.street,
                row.head_name,
                str(row.size),
                row.address,
            ]
            digest.update("\t".join(line).encode())
            lines.append(line)
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="registry.household",
        purpose=Purpose.CASE_WORK,
        request=request,
        record_count=len(lines) - 1,
        checksum=digest.hexdigest(),
    )
    return lines


def _chunks(households: QuerySet[Household], size: int) -> Iterator[list[Household]]:
    last_pk = 0
    while True:
        chunk = list(households.filter(pk__gt=last_pk)[:size])
        if not chunk:
            return
        yield chunk
        last_pk = chunk[-1].pk
