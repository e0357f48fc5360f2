"""Who may see what: role rights and the one region scope for every entry point.

Every list, search, detail page, export, admin page and API endpoint that
shows registry records narrows its query through `scope_households` or
`scope_persons`. Staff therefore get only records inside their region, and a
resident gets only their own household.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Household, Membership, Person, Region

REGISTRY_ROLES = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.STREET_REVIEWER,
        Role.DISTRICT_APPROVER,
        Role.CITY_ADMIN,
    }
)
# Roles whose work needs the full resident ID: they take applications,
# survey households and sign decisions. Every other role gets it masked.
FULL_ID_ROLES = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_APPROVER}
)
EXPORT_ROLES = frozenset(
    {Role.STREET_REVIEWER, Role.DISTRICT_APPROVER, Role.CITY_ADMIN}
)
AUDIT_ROLES = frozenset({Role.AUDITOR})
# Roles that open the data exchange pages, city-wide. Data operators see raw
# rows, correct them and confirm matches; city administrators read the lists.
EXCHANGE_ROLES = frozenset({Role.DATA_OPERATOR, Role.CITY_ADMIN})

AnyUser = User | AnonymousUser


def _active(user: AnyUser) -> User | None:
    if isinstance(user, User) and user.is_active:
        return user
    return None


def is_staff_role(user: AnyUser) -> bool:
    active = _active(user)
    return active is not None and active.role != Role.RESIDENT


def can_read_registry(user: AnyUser) -> bool:
    active = _active(user)
    return active is not None and (
        active.role in REGISTRY_ROLES or active.role == Role.RESIDENT
    )


def can_reveal_full_id(user: AnyUser) -> bool:
    active = _active(user)
    return active is not None and active.role in FULL_ID_ROLES


def can_export(user: AnyUser) -> bool:
    active = _active(user)
    return active is not None and active.role in EXPORT_ROLES


def can_read_audit(user: AnyUser) -> bool:
    active = _active(user)
    return active is not None and active.role in AUDIT_ROLES


def can_operate_exchange(user: AnyUser) -> bool:
    active = _active(user)
    return active is not None and active.role in EXCHANGE_ROLES


def scope_regions(queryset: QuerySet[Region], user: AnyUser) -> QuerySet[Region]:
    active = _active(user)
    if active is None or active.region is None:
        return queryset.none()
    return queryset.filter(path__startswith=active.region.path)


def scope_households(
    queryset: QuerySet[Household], user: AnyUser
) -> QuerySet[Household]:
    active = _active(user)
    if active is None or not can_read_registry(active):
        return queryset.none()
    if active.role == Role.RESIDENT:
        if active.person_id is None:
            return queryset.none()
        # Filter by a subquery rather than a join on memberships, because a join
        # would also narrow later annotations (the member count) to this person.
        own = Membership.objects.filter(
            person_id=active.person_id, end_date__isnull=True
        ).values("household_id")
        return queryset.filter(pk__in=own)
    if active.region is None:
        return queryset.none()
    return queryset.filter(region__path__startswith=active.region.path)


def scope_persons(queryset: QuerySet[Person], user: AnyUser) -> QuerySet[Person]:
    """Persons whose current household is in scope."""
    households = scope_households(Household.objects.all(), user)
    return queryset.filter(
        memberships__end_date__isnull=True,
        memberships__household__in=households.values("pk"),
    )
