"""Exact money arithmetic for the policy engine.

Frames hold money as integer fen (Int64). Parameters hold yuan as Decimal.
Conversion happens here, once per district and parameter, so that no float
ever touches an amount. The only rounding is ``derive_fen``, which applies the
region's named rule (parameter ``rounding.derived``) to a line derived from the
standard, such as 1.5 x the standard.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

FEN_PER_YUAN: Final = 100
_ONE_YUAN: Final = Decimal(1)
_ONE_FEN: Final = Decimal("0.01")


class RoundingRule(StrEnum):
    """Rounding rule of a derived line, as named by ``rounding.derived``.

    CEIL_YUAN rounds up to whole yuan (Shenzhen published 1,365 x 1.5 =
    2,047.5 as 2,048). ROUND_HALF_UP_YUAN rounds to the nearest yuan, halves
    up. NONE keeps the exact value, which must then be a whole number of fen.
    """

    CEIL_YUAN = "ceil_yuan"
    ROUND_HALF_UP_YUAN = "round_half_up_yuan"
    NONE = "none"


def yuan_to_fen(yuan: Decimal | int) -> int:
    """Convert an exact yuan amount to integer fen.

    Raises ValueError when the amount has a fraction of a fen, because
    dropping it would be an unnamed rounding.
    """
    fen = Decimal(yuan) * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError(
            f"{yuan} yuan is not a whole number of fen; give at most two decimals."
        )
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    """Convert integer fen to yuan with two decimal places."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(_ONE_FEN)


def derive_fen(base_fen: int, factor: Decimal, rule: RoundingRule) -> int:
    """Return ``base_fen`` x ``factor`` in fen, rounded by ``rule``.

    Raises ValueError under RoundingRule.NONE when the exact product has a
    fraction of a fen, because no rule names a rounding for it.
    """
    yuan = Decimal(base_fen) * factor / FEN_PER_YUAN
    match rule:
        case RoundingRule.CEIL_YUAN:
            return int(yuan.quantize(_ONE_YUAN, rounding=ROUND_CEILING)) * FEN_PER_YUAN
        case RoundingRule.ROUND_HALF_UP_YUAN:
            return int(yuan.quantize(_ONE_YUAN, rounding=ROUND_HALF_UP)) * FEN_PER_YUAN
        case RoundingRule.NONE:
            try:
                return yuan_to_fen(yuan)
            except ValueError:
                raise ValueError(
                    f"{fen_to_yuan(base_fen)} yuan x {factor} = {yuan} yuan is not a "
                    "whole number of fen, and rounding.derived is 'none'. Set "
                    "rounding.derived to ceil_yuan or round_half_up_yuan."
                ) from None


def ratio_parts(ratio: Decimal) -> tuple[int, int]:
    """Return ``ratio`` as (numerator, denominator), for exact integer tests."""
    numerator, denominator = ratio.as_integer_ratio()
    return numerator, denominator
