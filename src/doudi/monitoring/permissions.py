"""Read rights on warnings, and the action each role may take at each status.

A warning belongs to the community workers of the household's community.
Once its response deadline has passed and it is escalated, the street
office reviewers of the parent street see it too and may hand it to a
worker. `PERMITS` is the state table: services check it before they act,
and the warning page offers the same actions.
"""

from __future__ import annotations

from typing import Final

from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from doudi.monitoring.models import Warning, WarningStatus
from doudi.privacy import audit
from doudi.privacy.access import AnyUser
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User

OBJECT_TYPE: Final = "monitoring.warning"


class WarningAction(models.TextChoices):
    """The steps of a warning's life, as its timeline names them."""

    RAISE = "raise", _("Raised by a scan")
    ASSIGN = "assign", _("Assigned")
    VISIT = "visit", _("Visit recorded")
    RESOLVE = "resolve", _("Resolved")
    CLOSE = "close", _("Closed: no need")
    CONVERT = "convert", _("Case opened from the warning")
    ESCALATE = "escalate", _("Escalated to the street office")
    NOTIFY = "notify", _("Community workers notified")


WORKER: Final = frozenset({Role.COMMUNITY_WORKER})
WORKER_OR_STREET: Final = frozenset({Role.COMMUNITY_WORKER, Role.STREET_REVIEWER})
# Roles with a warning work list: the community worker, and the street
# office reviewer for escalated warnings.
LIST_ROLES: Final = WORKER_OR_STREET

_A = WarningAction
PERMITS: Final[dict[str, dict[WarningAction, frozenset[Role]]]] = {
    WarningStatus.NEW: {
        _A.ASSIGN: WORKER_OR_STREET,
        _A.CLOSE: WORKER,
        _A.CONVERT: WORKER,
    },
    WarningStatus.ASSIGNED: {
        _A.VISIT: WORKER,
        _A.ASSIGN: WORKER_OR_STREET,
        _A.CLOSE: WORKER,
        _A.CONVERT: WORKER,
    },
    WarningStatus.VISITED: {
        _A.RESOLVE: WORKER,
        _A.CONVERT: WORKER,
        _A.ASSIGN: WORKER_OR_STREET,
        _A.CLOSE: WORKER,
    },
}


def _active(user: AnyUser) -> User | None:
    if isinstance(user, User) and user.is_active and user.region is not None:
        return user
    return None


def has_work_list(user: AnyUser) -> bool:
    active = _active(user)
    return active is not None and active.role in LIST_ROLES


def scope_warnings(queryset: QuerySet[Warning], user: AnyUser) -> QuerySet[Warning]:
    """Narrow warnings to those the user may read: none for other roles."""
    active = _active(user)
    if active is None or active.region is None or active.role not in LIST_ROLES:
        return queryset.none()
    inside = queryset.filter(region_path__startswith=active.region.path)
    if active.role == Role.STREET_REVIEWER:
        return inside.filter(escalated_at__isnull=False)
    return inside


def can_read(user: AnyUser, warning: Warning) -> bool:
    active = _active(user)
    if active is None or active.region is None or active.role not in LIST_ROLES:
        return False
    if not warning.region_path.startswith(active.region.path):
        return False
    return active.role != Role.STREET_REVIEWER or warning.escalated_at is not None


def allowed_actions(user: AnyUser, warning: Warning) -> list[WarningAction]:
    """Return the actions `user` may take on `warning` now, in the table's order."""
    active = _active(user)
    if active is None or not can_read(active, warning):
        return []
    permits = PERMITS.get(warning.status, {})
    return [action for action, roles in permits.items() if active.role in roles]


def is_worker_of(user: User, warning: Warning) -> bool:
    """Return whether `user` is an active community worker of the warning's area."""
    return (
        user.is_active
        and user.role == Role.COMMUNITY_WORKER
        and user.region is not None
        and warning.region_path.startswith(user.region.path)
    )


def workers_of(warning: Warning) -> QuerySet[User]:
    """Return the active community workers whose region contains the warning's."""
    return _staff_above(warning.region_path, Role.COMMUNITY_WORKER)


def street_reviewers_of(warning: Warning) -> QuerySet[User]:
    """Return the active street office reviewers of the warning's street."""
    return _staff_above(warning.region_path, Role.STREET_REVIEWER)


def _staff_above(region_path: str, role: Role) -> QuerySet[User]:
    # A region's path is the codes from the city down, each followed by "/",
    # so the regions containing the warning's are its path's prefixes.
    parts = region_path.strip("/").split("/")
    prefixes = ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]
    return User.objects.filter(
        Q(region__path__in=prefixes), role=role, is_active=True
    ).order_by("username")


def audit_denied(
    actor: User,
    warning: Warning,
    action: WarningAction | None,
    request: HttpRequest | None,
) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.DENIED,
        object_type=OBJECT_TYPE,
        object_id=warning.pk,
        purpose=Purpose.MONITORING,
        request=request,
        detail={"action": action.value} if action else {},
    )
