"""Permission checks for awards and rolls: the actor's role and region scope."""

from __future__ import annotations

from typing import Final

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from doudi.privacy.access import scope_households, scope_regions
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Household, Region

# Community and street staff take a household's report of a change and
# carry out reviews; only the district approver changes what is paid.
REPORTING_ROLES: Final = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_APPROVER}
)
DECIDING_ROLES: Final = frozenset({Role.DISTRICT_APPROVER})
# Where the district delegated approval, the street office grants the award.
DELEGATED_DECIDING_ROLES: Final = frozenset({Role.STREET_REVIEWER})
# Roles that read awards and rolls; the city administrator reads them city-wide.
READING_ROLES: Final = REPORTING_ROLES | {Role.CITY_ADMIN}


def require_household_role(
    actor: User, household: Household, roles: frozenset[Role]
) -> None:
    """Raise PermissionDenied unless the actor has one of `roles` over the household."""
    if not actor.is_active or actor.role not in roles:
        raise PermissionDenied(_("Your role cannot do this."))
    in_scope = scope_households(Household.objects.filter(pk=household.pk), actor)
    if not in_scope.exists():
        raise PermissionDenied(_("This household is outside your region."))


def require_district_approver(actor: User, household: Household) -> None:
    require_household_role(actor, household, DECIDING_ROLES)


def require_district_role(
    actor: User, district_code: str, roles: frozenset[Role]
) -> None:
    """Raise PermissionDenied unless the actor has one of `roles` in the district."""
    if not actor.is_active or actor.role not in roles:
        raise PermissionDenied(_("Your role cannot do this."))
    district = scope_regions(Region.objects.filter(code=district_code), actor)
    if not district.exists():
        raise PermissionDenied(_("This district is outside your region."))
