"""Rules for reading and changing the service catalogue.

Every staff role reads and exports the catalogue. City administrators
change any organisation and import files. District approvers change the
organisations whose region lies in their district, with their services,
places and hours.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from doudi.privacy import access
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Region
from doudi.services.models import Organization


class NotAllowed(PermissionDenied):
    """The user's role or region does not allow the change; the message names why."""


def _active(user: object) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def can_view(user: object) -> bool:
    return isinstance(user, User) and access.is_staff_role(user)


def is_city_admin(user: object) -> bool:
    active = _active(user)
    return active is not None and active.role == Role.CITY_ADMIN


def can_edit_in(user: object, region: Region | None) -> bool:
    """Return whether `user` may edit an organisation whose region is `region`."""
    active = _active(user)
    if active is None:
        return False
    if active.role == Role.CITY_ADMIN:
        return True
    if active.role != Role.DISTRICT_APPROVER or active.region is None:
        return False
    return region is not None and region.path.startswith(active.region.path)


def can_edit(user: object, organization: Organization) -> bool:
    return can_edit_in(user, organization.region)


def can_add_organization(user: object) -> bool:
    active = _active(user)
    return active is not None and active.role in (
        Role.CITY_ADMIN,
        Role.DISTRICT_APPROVER,
    )


def require_viewer(user: object) -> User:
    if not can_view(user):
        raise NotAllowed(_("Only staff read the service catalogue."))
    assert isinstance(user, User)
    return user


def require_editor(user: object, region: Region | None) -> User:
    if not can_edit_in(user, region):
        raise NotAllowed(
            _(
                "Only city administrators, and district approvers for "
                "organisations in their district, change the catalogue."
            )
        )
    assert isinstance(user, User)
    return user


def require_city_admin(user: object) -> User:
    if not is_city_admin(user):
        raise NotAllowed(_("Only city administrators import the catalogue."))
    assert isinstance(user, User)
    return user
