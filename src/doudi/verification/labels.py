"""Readable names of the items a report compares."""

from __future__ import annotations

from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ITEM_LABELS: Final[dict[str, Promise]] = {
    # Income kinds of the policy engine.
    "wages": _("Wages"),
    "business": _("Net business income"),
    "property": _("Net property income"),
    "transfer": _("Net transfer income"),
    "pension": _("Pension"),
    "benefit": _("Social insurance benefit"),
    "youfu": _("Special care payment (优抚)"),
    "family_planning_award": _("Family planning award"),
    "scholarship": _("Scholarship"),
    "brave_deed_award": _("Award for a brave deed"),
    "assistance": _("Assistance payment"),
    "residents_basic_pension_central": _("Central basic pension for residents"),
    "old_age_allowance": _("Old-age allowance"),
    "social_insurance": _("Social insurance payment"),
    # Asset kinds.
    "deposits": _("Bank deposits"),
    "securities": _("Securities and funds"),
    "insurance": _("Insurance"),
    "debts_owed": _("Debts owed to the household"),
    "internet_finance": _("Internet financial assets"),
    "vehicle": _("Vehicle"),
    "housing": _("Housing"),
    "housing_fund": _("Housing provident fund"),
    # Spending kinds.
    "basic_living": _("Basic living costs"),
    "medical_out_of_pocket": _("Out-of-pocket medical costs"),
    "education": _("Education costs"),
    "disability_rehab": _("Disability rehabilitation costs"),
    "employment_cost": _("Necessary employment costs"),
    "other": _("Other rigid spending"),
}
# "business" is both an income kind and an asset kind; assets get their own name.
ASSET_LABELS: Final[dict[str, Promise]] = {"business": _("Business assets")}


def item_label(category: str, item: str) -> str:
    """Return the translated name of an item, or its code when unknown."""
    if category == "asset" and item in ASSET_LABELS:
        return str(ASSET_LABELS[item])
    label = ITEM_LABELS.get(item)
    return str(label) if label is not None else item


def yuan(fen: int | None) -> str:
    """Format fen as yuan with two decimals and thousands separators, exactly."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"
