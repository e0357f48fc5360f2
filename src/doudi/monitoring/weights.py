"""Signal weights: the city file's defaults, the policy officer's changes, a preview.

A weight the policy officer sets is stored as a SignalWeight and replaces
the file's default in every later scan. Before saving, the officer sees
how many warnings the next scan would raise per signal under the current
and under the proposed weights, from two dry runs of the scan.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.monitoring.models import SignalWeight
from doudi.monitoring.reasons import reason_text
from doudi.monitoring.scan import run_scan, weights_in_force
from doudi.monitoring.signals import signal_set
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

OBJECT_TYPE: Final = "monitoring.signalweight"
# SignalWeight.weight has 6 digits with 2 decimal places.
MAX_WEIGHT: Final = Decimal("9999.99")
CENT: Final = Decimal("0.01")


def can_set_weights(user: object) -> bool:
    return isinstance(user, User) and user.is_active and user.role == Role.CITY_ADMIN


def _require_officer(user: User) -> None:
    if not can_set_weights(user):
        raise PermissionDenied(_("Only the city's policy officer sets signal weights."))


def default_weights() -> dict[str, Decimal]:
    """Return each signal's and check's weight as the city's signal file sets it."""
    found = signal_set()
    weights = {signal.code: signal.weight for signal in found.signals}
    weights.update({check.code: check.weight for check in found.checks})
    return weights


def current_weights() -> dict[str, Decimal]:
    """Return the weights the next scan uses: the file's, with saved changes."""
    return weights_in_force(signal_set())


def clean_weights(proposed: Mapping[str, object]) -> dict[str, Decimal]:
    """Return the proposed weights as Decimals, or raise naming the bad value."""
    known = default_weights()
    cleaned = {}
    for code, value in proposed.items():
        if code not in known:
            raise ValidationError(
                _("%(code)s is not a signal of this city; use one of: %(allowed)s.")
                % {"code": code, "allowed": ", ".join(sorted(known))}
            )
        cleaned[code] = _weight(code, value)
    return cleaned


def _weight(code: str, value: object) -> Decimal:
    try:
        weight = Decimal(str(value))
    except InvalidOperation:
        weight = Decimal("NaN")
    if not weight.is_finite() or not 0 <= weight <= MAX_WEIGHT:
        raise ValidationError(
            _("The weight %(value)s of “%(code)s” is invalid: enter 0 to %(max)s.")
            % {"value": value, "code": code, "max": MAX_WEIGHT}
        )
    if weight != weight.quantize(CENT):
        raise ValidationError(
            _("The weight %(value)s of “%(code)s” has more than 2 decimal places.")
            % {"value": value, "code": code}
        )
    return weight.quantize(CENT)


@dataclass(frozen=True)
class PreviewRow:
    code: str
    reason: str
    current_weight: Decimal
    proposed_weight: Decimal
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class WeightPreview:
    rows: list[PreviewRow]
    total_before: int
    total_after: int


def preview(actor: User, proposed: Mapping[str, object]) -> WeightPreview:
    """Count per signal the warnings the next scan would raise, before and after.

    Two dry runs of the scan: one with the weights in use, one with the
    proposed weights. Nothing is written.
    """
    _require_officer(actor)
    current = current_weights()
    changed = {**current, **clean_weights(proposed)}
    before = _dry_run_counts(current)
    after = _dry_run_counts(changed)
    rows = [
        PreviewRow(
            code,
            reason_text(code),
            current[code],
            changed[code],
            before.get(code, 0),
            after.get(code, 0),
        )
        for code in sorted(set(current) | set(before) | set(after))
        if code in current
    ]
    logger.info("weights previewed by user %s", actor.pk)
    return WeightPreview(rows, sum(before.values()), sum(after.values()))


def _dry_run_counts(weights: Mapping[str, Decimal]) -> dict[str, int]:
    """Return the warnings per code that a full scan would raise or confirm."""
    result = run_scan(incremental=False, weights=dict(weights), dry_run=True)
    return dict(result.warnings)


def save_weights(
    actor: User,
    proposed: Mapping[str, object],
    request: HttpRequest | None = None,
) -> list[str]:
    """Store the weights that differ from those in use; return their codes.

    Sending the same weights again changes nothing and writes no audit entry.
    """
    _require_officer(actor)
    cleaned = clean_weights(proposed)
    current = current_weights()
    changes = {code: w for code, w in cleaned.items() if current.get(code) != w}
    if not changes:
        return []
    now = timezone.now()
    with transaction.atomic():
        for code, weight in changes.items():
            SignalWeight.objects.update_or_create(
                code=code,
                defaults={"weight": weight, "changed_by": actor, "changed_at": now},
            )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=OBJECT_TYPE,
            purpose=Purpose.MONITORING,
            request=request,
            record_count=len(changes),
            detail={
                code: [str(current.get(code)), str(weight)]
                for code, weight in sorted(changes.items())
            },
        )
    logger.info("user %s changed %d signal weights", actor.pk, len(changes))
    return sorted(changes)
