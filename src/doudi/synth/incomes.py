"""Monthly incomes by person and kind, true and declared, in integer fen.

True amounts come first. Declared amounts are then derived from them by the
declaration defects in ``calibration`` (omission and under-reporting), so
that the ground truth never depends on what was declared. All amount
parameters below are ESTIMATES tuned so that the urban median per-capita
income and the dibao share come close to the targets in ``calibration``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from doudi.synth import calibration
from doudi.synth.arrays import FloatArray, IntArray
from doudi.synth.conditions import (
    EMPLOYED,
    INACTIVE,
    RETIRED,
    UNEMPLOYED,
    Conditions,
)
from doudi.synth.households import Member, Skeleton

INCOME_KINDS: Final = ("wages", "business", "property", "transfer", "pension")
WAGES, BUSINESS, PROPERTY, TRANSFER, PENSION = range(len(INCOME_KINDS))
FEN_PER_YUAN: Final = 100

# ESTIMATE: base median monthly wage in yuan, which _wage_factor scales by
# age, sex, registration and place, and the spread of log wages.
WAGE_MEDIAN_YUAN: Final = 14_000.0
WAGE_SIGMA: Final = 0.50
# ESTIMATE: Shanghai's monthly minimum wage, a floor for full-time wages.
MINIMUM_WAGE_YUAN: Final = 2_690.0
SELF_EMPLOYED_SHARE: Final = 0.10

# ESTIMATE: pension medians in yuan per month: urban employees' scheme, the
# residents' scheme of rural-nature locals, and what migrants draw at home.
EMPLOYEE_PENSION_MEDIAN_YUAN: Final = 4_900.0
RESIDENT_PENSION_MEDIAN_YUAN: Final = 1_900.0
RURAL_EMPLOYEE_PENSION_SHARE: Final = 0.70
MIGRANT_PENSION_MEDIAN_YUAN: Final = 2_600.0
MIGRANT_NO_PENSION_SHARE: Final = 0.25

# ESTIMATE: unemployment benefit and the share of unemployed people drawing
# it; most of the others earn from casual work, recorded as wages.
UNEMPLOYMENT_BENEFIT_YUAN: Final = 2_000.0
UNEMPLOYMENT_BENEFIT_SHARE: Final = 0.35
CASUAL_WORK_SHARE: Final = 0.80
CASUAL_WORK_MEDIAN_YUAN: Final = 2_000.0


@dataclass(frozen=True)
class IncomeRows:
    """Income rows as parallel arrays: one row per person and income kind."""

    person: IntArray  # 0-based person index
    kind: IntArray  # index into INCOME_KINDS
    true_fen: IntArray


def draw_incomes(
    rng: np.random.Generator,
    skeleton: Skeleton,
    ages: IntArray,
    conditions: Conditions,
) -> IncomeRows:
    """Draw every income row of every person."""
    parts = [
        _earnings(rng, skeleton, ages, conditions),
        _pensions(rng, skeleton, conditions),
        _unemployment_income(rng, conditions),
        _family_support(rng, skeleton, ages),
    ]
    person = np.concatenate([p.person for p in parts])
    order = np.argsort(person, kind="stable")
    return IncomeRows(
        person[order],
        np.concatenate([p.kind for p in parts])[order],
        np.concatenate([p.true_fen for p in parts])[order],
    )


def add_property_income(
    rng: np.random.Generator,
    rows: IncomeRows,
    head_index: IntArray,
    housing_count: IntArray,
) -> IncomeRows:
    """Add rent for households with a second home and interest for some others."""
    # ESTIMATE: 70 % of households with two or more homes let one; 8 % of the
    # others have interest or dividend income paid monthly.
    lets = (housing_count >= 2) & (rng.random(head_index.size) < 0.70)
    interest = ~lets & (rng.random(head_index.size) < 0.08)
    rent = _lognormal_yuan(rng, 4_500.0, 0.5, head_index.size)
    small = _lognormal_yuan(rng, 600.0, 0.8, head_index.size)
    amount = np.where(lets, rent, small)
    has = lets | interest
    extra = IncomeRows(
        head_index[has], np.full(int(has.sum()), PROPERTY, dtype=np.int64), amount[has]
    )
    person = np.concatenate([rows.person, extra.person])
    order = np.argsort(person, kind="stable")
    return IncomeRows(
        person[order],
        np.concatenate([rows.kind, extra.kind])[order],
        np.concatenate([rows.true_fen, extra.true_fen])[order],
    )


def declare(
    rng: np.random.Generator,
    kind: IntArray,
    true_fen: IntArray,
    kinds: tuple[str, ...],
    omission: dict[str, float],
    under_report: dict[str, float],
) -> IntArray:
    """Derive declared amounts from true ones by omission and under-reporting."""
    omit_share = np.array([omission[k] for k in kinds])[kind]
    under_share = np.array([under_report[k] for k in kinds])[kind]
    draw = rng.random(kind.size)
    low, high = calibration.UNDER_REPORT_FRACTION_RANGE
    fraction = low + rng.random(kind.size) * (high - low)
    under = np.round(true_fen * fraction / FEN_PER_YUAN).astype(np.int64) * FEN_PER_YUAN
    declared = np.where(draw < omit_share + under_share, under, true_fen)
    return np.where(draw < omit_share, 0, declared).astype(np.int64)


def incomes_frame(rng: np.random.Generator, rows: IncomeRows) -> pl.DataFrame:
    """Build the incomes frame in the published schema."""
    declared = declare(
        rng,
        rows.kind,
        rows.true_fen,
        INCOME_KINDS,
        calibration.INCOME_OMISSION_SHARES,
        calibration.INCOME_UNDER_REPORT_SHARES,
    )
    return pl.DataFrame(
        {
            "person_key": rows.person + 1,
            "kind": pl.Series(INCOME_KINDS).gather(rows.kind),
            "monthly_true_fen": rows.true_fen,
            "monthly_declared_fen": declared,
        },
        schema=INCOME_SCHEMA,
    )


def household_totals(
    rows: IncomeRows, household_of: IntArray, households: int
) -> IntArray:
    """Sum true monthly income per household, in fen."""
    return np.bincount(
        household_of[rows.person], weights=rows.true_fen, minlength=households
    ).astype(np.int64)


def _lognormal_yuan(
    rng: np.random.Generator, median: float | FloatArray, sigma: float, count: int
) -> IntArray:
    """Draw lognormal amounts in whole yuan, returned in fen."""
    yuan = np.round(median * np.exp(rng.normal(0.0, sigma, count)))
    return yuan.astype(np.int64) * FEN_PER_YUAN


def _rows(person: IntArray, kind: int, true_fen: IntArray) -> IncomeRows:
    return IncomeRows(
        person.astype(np.int64), np.full(person.size, kind, dtype=np.int64), true_fen
    )


def _earnings(
    rng: np.random.Generator, skeleton: Skeleton, ages: IntArray, conditions: Conditions
) -> IncomeRows:
    employed = np.flatnonzero(conditions.activity == EMPLOYED)
    wages = potential_wages(rng, skeleton, ages)[employed]
    self_employed = rng.random(employed.size) < SELF_EMPLOYED_SHARE
    median = WAGE_MEDIAN_YUAN * _wage_factor(skeleton, ages)[employed]
    business = _lognormal_yuan(rng, median, 0.9, employed.size)
    return IncomeRows(
        employed.astype(np.int64),
        np.where(self_employed, BUSINESS, WAGES).astype(np.int64),
        np.where(self_employed, business, wages),
    )


def potential_wages(
    rng: np.random.Generator, skeleton: Skeleton, ages: IntArray
) -> IntArray:
    """Draw the monthly wage each person would earn in full-time work, in fen."""
    median = WAGE_MEDIAN_YUAN * _wage_factor(skeleton, ages)
    wages = _lognormal_yuan(rng, median, WAGE_SIGMA, ages.size)
    return np.maximum(wages, int(MINIMUM_WAGE_YUAN) * FEN_PER_YUAN)


def forgone_wages(
    rng: np.random.Generator, skeleton: Skeleton, ages: IntArray, conditions: Conditions
) -> IntArray:
    """Return the wages of people who could work but do not, in fen, else 0.

    These are unemployed people, and inactive heads of household, aged 16-59
    without a grade 1-2 disability or a serious illness. Their savings reflect
    what they earned before, so assets are drawn from household income
    including these wages.
    """
    activity = conditions.activity
    inactive_head = (activity == INACTIVE) & (skeleton.member == Member.HEAD)
    idle = ((activity == UNEMPLOYED) | inactive_head) & (ages >= 16) & (ages <= 59)
    severe = (conditions.disability_grade >= 1) & (conditions.disability_grade <= 2)
    able = idle & ~severe & ~conditions.serious_illness
    return np.where(able, potential_wages(rng, skeleton, ages), 0).astype(np.int64)


def _wage_factor(skeleton: Skeleton, ages: IntArray) -> FloatArray:
    # ESTIMATE: relative wage by age, sex, registration and place.
    factor = np.select(
        [ages < 25, ages < 35, ages < 50], [0.6, 0.95, 1.1], default=0.95
    ).astype(np.float64)
    factor = np.where(skeleton.male, factor, factor * 0.85)
    household = skeleton.household_of
    factor = np.where(skeleton.migrant[household], factor * 0.85, factor)
    return np.where(skeleton.rural_nature[household], factor * 0.75, factor)


def _pensions(
    rng: np.random.Generator, skeleton: Skeleton, conditions: Conditions
) -> IncomeRows:
    retired = np.flatnonzero(conditions.activity == RETIRED)
    household = skeleton.household_of[retired]
    migrant = skeleton.migrant[household]
    rural = skeleton.rural_nature[household]
    employee_scheme = ~rural | (rng.random(retired.size) < RURAL_EMPLOYEE_PENSION_SHARE)

    employee = _lognormal_yuan(rng, EMPLOYEE_PENSION_MEDIAN_YUAN, 0.3, retired.size)
    resident = _lognormal_yuan(rng, RESIDENT_PENSION_MEDIAN_YUAN, 0.2, retired.size)
    from_home = _lognormal_yuan(rng, MIGRANT_PENSION_MEDIAN_YUAN, 0.5, retired.size)
    amount = np.where(migrant, from_home, np.where(employee_scheme, employee, resident))
    pension = ~migrant | (rng.random(retired.size) >= MIGRANT_NO_PENSION_SHARE)
    # ESTIMATE: migrants without a pension live on support from their
    # children, recorded as a transfer.
    support = _lognormal_yuan(rng, 2_000.0, 0.5, retired.size)
    return IncomeRows(
        retired.astype(np.int64),
        np.where(pension, PENSION, TRANSFER).astype(np.int64),
        np.where(pension, amount, support),
    )


def _unemployment_income(
    rng: np.random.Generator, conditions: Conditions
) -> IncomeRows:
    unemployed = np.flatnonzero(conditions.activity == UNEMPLOYED)
    draw = rng.random(unemployed.size)
    benefit = draw < UNEMPLOYMENT_BENEFIT_SHARE
    casual = ~benefit & (
        draw
        < UNEMPLOYMENT_BENEFIT_SHARE
        + (1 - UNEMPLOYMENT_BENEFIT_SHARE) * CASUAL_WORK_SHARE
    )
    benefit_fen = np.full(
        unemployed.size, int(UNEMPLOYMENT_BENEFIT_YUAN) * FEN_PER_YUAN
    )
    casual_fen = _lognormal_yuan(rng, CASUAL_WORK_MEDIAN_YUAN, 0.5, unemployed.size)
    paid = benefit | casual
    return IncomeRows(
        unemployed[paid].astype(np.int64),
        np.where(benefit, TRANSFER, WAGES)[paid].astype(np.int64),
        np.where(benefit, benefit_fen, casual_fen)[paid].astype(np.int64),
    )


def _family_support(
    rng: np.random.Generator, skeleton: Skeleton, ages: IntArray
) -> IncomeRows:
    # ESTIMATE: a quarter of heads aged 60+ in one- or two-person households
    # receive regular support from relatives living elsewhere.
    size = np.bincount(skeleton.household_of, minlength=skeleton.template.size)
    candidates = np.flatnonzero(
        (skeleton.member == Member.HEAD)
        & (ages >= 60)
        & (size[skeleton.household_of] <= 2)
    )
    paid = candidates[rng.random(candidates.size) < 0.25]
    return _rows(paid, TRANSFER, _lognormal_yuan(rng, 800.0, 0.6, paid.size))


INCOME_SCHEMA: Final = pl.Schema(
    {
        "person_key": pl.Int64,
        "kind": pl.Utf8,
        "monthly_true_fen": pl.Int64,
        "monthly_declared_fen": pl.Int64,
    }
)
