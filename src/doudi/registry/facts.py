"""Checks and derivations for person facts before they are stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from doudi.registry.choices import CareLevel, DisabilityCategory, FactKind

# The six activities of daily living assessed for 特困 care levels.
ADL_ITEMS = (
    "eating",
    "dressing",
    "bathing",
    "toileting",
    "moving_indoors",
    "continence",
)
# Failing this many items or more means fully dependent (特困人员认定办法).
FULLY_DEPENDENT_FAILURES = 4


def care_level_from_adl(items: Mapping[str, Any]) -> CareLevel:
    """Derive the care level from the six ADL items (True = needs help)."""
    missing = [item for item in ADL_ITEMS if item not in items]
    unknown = sorted(set(items) - set(ADL_ITEMS))
    if missing or unknown:
        raise ValidationError(
            _(
                "Care level needs exactly the six ADL items; missing: %(missing)s; "
                "unknown: %(unknown)s."
            )
            % {
                "missing": ", ".join(missing) or "-",
                "unknown": ", ".join(unknown) or "-",
            }
        )
    failures = sum(1 for item in ADL_ITEMS if items[item] is True)
    if failures >= FULLY_DEPENDENT_FAILURES:
        return CareLevel.FULLY_DEPENDENT
    return CareLevel.PARTLY_DEPENDENT if failures else CareLevel.SELF_CARE


def prepare_values(kind: FactKind, values: dict[str, Any]) -> dict[str, Any]:
    """Validate the values of a new fact and fill in what derives from them."""
    if kind == FactKind.DISABILITY:
        _check_disability(values)
    elif kind == FactKind.CARE_LEVEL:
        adl = values.get("detail") or {}
        values = {**values, "code": care_level_from_adl(adl).value}
    elif kind == FactKind.INCOME and (values.get("amount_fen") or 0) < 0:
        raise ValidationError(
            _("Income %(amount)s fen is negative: record a loss as net income 0.")
            % {"amount": values["amount_fen"]}
        )
    return values


def _check_disability(values: Mapping[str, Any]) -> None:
    if values.get("code") not in DisabilityCategory.values:
        raise ValidationError(
            _("Disability category %(code)r is invalid: use one of %(allowed)s.")
            % {
                "code": values.get("code"),
                "allowed": ", ".join(DisabilityCategory.values),
            }
        )
    if values.get("grade") not in (1, 2, 3, 4):
        raise ValidationError(
            _("Disability grade %(grade)r is invalid: use 1 (most severe) to 4.")
            % {"grade": values.get("grade")}
        )
