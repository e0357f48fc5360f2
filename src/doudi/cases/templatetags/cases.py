"""Template filters of the case pages: money in yuan and the labels of codes."""

from __future__ import annotations

from decimal import Decimal

from django import template

from doudi.registry.choices import AssetKind, IncomeKind

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Format integer fen as yuan with two places: 123456 → 1,234.56."""
    if fen is None:
        return ""
    return f"{Decimal(fen) / 100:,.2f}"


@register.filter
def income_kind(code: str) -> str:
    return str(IncomeKind(code).label) if code in IncomeKind.values else code


@register.filter
def asset_kind(code: str) -> str:
    return str(AssetKind(code).label) if code in AssetKind.values else code
