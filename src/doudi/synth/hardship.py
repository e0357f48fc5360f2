"""Households in difficulty: a designed share of households with low pay.

The structural income model (wages, pensions, benefits) leaves too few
households just above the dibao line compared with those below it, because
the households below it are mostly people without any earnings. This module
lowers the true incomes of a small share of households (HARDSHIP_SHARE) to a
per-capita level between 1 and 1.5 times the dibao standard, to represent
part-time or low-paid work. HARDSHIP_SHARE is a design value tuned to the
low-income target in ``calibration``. Households with a disabled or ill member
are chosen more often.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from doudi.synth.arrays import FloatArray
from doudi.synth.conditions import Conditions
from doudi.synth.households import Skeleton
from doudi.synth.incomes import FEN_PER_YUAN, IncomeRows, household_totals

HARDSHIP_SHARE: Final = 0.020
# Target per-capita income of a household in difficulty, as multiples of the
# dibao standard.
HARDSHIP_RANGE: Final = (1.0, 1.5)
# Relative chance of a household with a disabled or ill member.
HEALTH_RISK_WEIGHT: Final = 3.0


def apply_hardship(
    rng: np.random.Generator,
    rows: IncomeRows,
    skeleton: Skeleton,
    conditions: Conditions,
    standard_fen: int,
) -> IncomeRows:
    """Scale down the incomes of the households chosen to be in difficulty."""
    households = skeleton.template.size
    sizes = np.bincount(skeleton.household_of, minlength=households)
    totals = household_totals(rows, skeleton.household_of, households)

    low, high = HARDSHIP_RANGE
    target = (low + rng.random(households) * (high - low)) * standard_fen * sizes
    chosen = rng.random(households) < _selection_probability(skeleton, conditions)
    chosen &= totals > target
    factor = np.where(chosen, target / np.maximum(totals, 1), 1.0)

    scaled = rows.true_fen * factor[skeleton.household_of[rows.person]]
    # Round down to whole yuan so that the household stays below its target.
    scaled_fen = (np.floor(scaled / FEN_PER_YUAN) * FEN_PER_YUAN).astype(np.int64)
    return IncomeRows(rows.person, rows.kind, scaled_fen)


def _selection_probability(skeleton: Skeleton, conditions: Conditions) -> FloatArray:
    unwell = (
        (conditions.disability_grade > 0)
        | conditions.serious_illness
        | conditions.chronic_illness
    )
    households = skeleton.template.size
    any_unwell = np.bincount(
        skeleton.household_of, weights=unwell, minlength=households
    )
    weight = np.where(any_unwell > 0, HEALTH_RISK_WEIGHT, 1.0)
    probability: FloatArray = np.clip(HARDSHIP_SHARE * weight / weight.mean(), 0.0, 1.0)
    return probability
