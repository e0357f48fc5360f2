"""The review queue: who sees which pairs, and the decisions on them.

District approvers and the city administrator see the pairs that touch a
household in their region. Only a district approver decides, and a
confirmation suspends the award to stop through the payments lifecycle,
which checks that the approver's district holds that award's household.
"""

from __future__ import annotations

import logging
from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.monitoring.duplicates.models import DuplicatePair, PairStatus
from doudi.payments.lifecycle import suspend_award, terminate_award
from doudi.payments.models import Award, AwardStatus
from doudi.privacy import audit
from doudi.privacy.access import AnyUser
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

READING_ROLES: Final = frozenset({Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
DECIDING_ROLES: Final = frozenset({Role.DISTRICT_APPROVER})


def can_read_queue(user: AnyUser) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and user.role in READING_ROLES
        and user.region is not None
    )


def visible_pairs(user: AnyUser) -> QuerySet[DuplicatePair]:
    """Pairs with at least one household inside the user's region."""
    if not isinstance(user, User) or user.region is None or not can_read_queue(user):
        return DuplicatePair.objects.none()
    prefix = user.region.path
    return DuplicatePair.objects.filter(
        Q(left_region_path__startswith=prefix) | Q(right_region_path__startswith=prefix)
    )


def confirm_pair(
    pair: DuplicatePair, *, version: int, note: str, actor: User
) -> DuplicatePair:
    """Confirm the duplicate and suspend its second award, if it has one."""
    with transaction.atomic():
        locked = _lock_pending(pair, version, actor)
        if locked.award_to_stop is not None:
            _stop(locked.award_to_stop, locked.pk, actor)
        _decide(locked, PairStatus.CONFIRMED, note, actor)
    return locked


def reject_pair(
    pair: DuplicatePair, *, version: int, note: str, actor: User
) -> DuplicatePair:
    """Record that the two records are different persons; nothing else changes."""
    with transaction.atomic():
        locked = _lock_pending(pair, version, actor)
        _decide(locked, PairStatus.REJECTED, note, actor)
    return locked


def _stop(award: Award, pair_pk: int, actor: User) -> None:
    """Suspend an award in payment; an award in gradual exit can only end."""
    reason = _("Confirmed duplicate assistance (pair %(pk)s).") % {"pk": pair_pk}
    today = timezone.localdate()
    if award.status == AwardStatus.ACTIVE:
        suspend_award(award, on=today, reason=reason, actor=actor)
    elif award.status == AwardStatus.GRADUAL_EXIT:
        terminate_award(award, on=today, reason=reason, actor=actor)


def _lock_pending(pair: DuplicatePair, version: int, actor: User) -> DuplicatePair:
    if not actor.is_active or actor.role not in DECIDING_ROLES:
        raise PermissionDenied(_("Your role cannot decide on possible duplicates."))
    if not visible_pairs(actor).filter(pk=pair.pk).exists():
        raise PermissionDenied(_("This pair is outside your region."))
    locked = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if locked.version != version:
        raise ValidationError(
            _(
                "Someone changed this pair after you opened it (version %(seen)s, "
                "now %(now)s). Reload the page and decide again."
            )
            % {"seen": version, "now": locked.version}
        )
    if locked.status != PairStatus.PENDING:
        raise ValidationError(
            _("This pair was already decided: %(status)s.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _decide(pair: DuplicatePair, status: PairStatus, note: str, actor: User) -> None:
    pair.status, pair.decision_note = status, note.strip()
    pair.decided_by, pair.decided_at = actor, timezone.now()
    pair.version += 1
    pair.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="duplicates.pair",
        object_id=pair.pk,
        purpose=Purpose.MONITORING,
        detail={"status": status.value, "award_stopped": pair.award_to_stop_id},
    )
    logger.info("duplicate pair %s: %s", pair.pk, status.value)
