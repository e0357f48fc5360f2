"""Template filters of the payment pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()

FEN_PER_YUAN = Decimal(100)


@register.filter
def yuan(amount_fen: int | None) -> str:
    """Format integer fen as yuan with two decimal places, grouped by thousands."""
    if amount_fen is None:
        return ""
    return number_format(
        Decimal(amount_fen) / FEN_PER_YUAN, decimal_pos=2, force_grouping=True
    )
