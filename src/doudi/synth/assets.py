"""Household assets by kind, true and declared, in integer fen.

Financial assets scale with household income, so that poor households are
mostly asset-poor too, with a wide spread that leaves some of them above the
asset limit. All parameters are ESTIMATES.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from doudi.synth import calibration
from doudi.synth.arrays import BoolArray, FloatArray, IntArray
from doudi.synth.households import DAYS_PER_YEAR, Member, Skeleton
from doudi.synth.incomes import FEN_PER_YUAN, declare

ASSET_KINDS: Final = ("deposits", "securities", "insurance", "vehicle", "housing")
DEPOSITS, SECURITIES, INSURANCE, VEHICLE, HOUSING = range(len(ASSET_KINDS))

# ESTIMATE: number of homes owned, as shares for 0, 1, 2 and 3 homes.
LOCAL_HOUSING_SHARES: Final = (0.12, 0.73, 0.13, 0.02)
MIGRANT_HOUSING_SHARES: Final = (0.70, 0.27, 0.03, 0.0)
# ESTIMATE: median value of one home in yuan, urban and rural communities.
URBAN_HOME_MEDIAN_YUAN: Final = 4_500_000.0
RURAL_HOME_MEDIAN_YUAN: Final = 1_800_000.0
VEHICLE_MEDIAN_YUAN: Final = 150_000.0


@dataclass(frozen=True)
class AssetRows:
    """Asset rows as parallel arrays: one row per household and asset kind."""

    household: IntArray  # 0-based household index
    kind: IntArray  # index into ASSET_KINDS
    count: IntArray
    true_fen: IntArray


def draw_housing_counts(rng: np.random.Generator, skeleton: Skeleton) -> IntArray:
    """Draw how many homes each household owns."""
    local = rng.choice(4, size=skeleton.migrant.size, p=LOCAL_HOUSING_SHARES)
    migrant = rng.choice(4, size=skeleton.migrant.size, p=MIGRANT_HOUSING_SHARES)
    return np.where(skeleton.migrant, migrant, local).astype(np.int64)


def draw_assets(
    rng: np.random.Generator,
    skeleton: Skeleton,
    monthly_income_fen: IntArray,
    housing_count: IntArray,
    urban: BoolArray,
) -> AssetRows:
    """Draw every asset row of every household."""
    income_rank = _rank(monthly_income_fen)
    head_old = _head_is_old(skeleton)
    parts = [
        _deposits(rng, monthly_income_fen, income_rank, head_old),
        _securities(rng, monthly_income_fen, income_rank),
        _insurance(rng, monthly_income_fen),
        _vehicles(rng, income_rank),
        _housing(rng, housing_count, urban),
    ]
    household = np.concatenate([p.household for p in parts])
    order = np.argsort(household, kind="stable")
    return AssetRows(
        household[order],
        np.concatenate([p.kind for p in parts])[order],
        np.concatenate([p.count for p in parts])[order],
        np.concatenate([p.true_fen for p in parts])[order],
    )


def assets_frame(rng: np.random.Generator, rows: AssetRows) -> pl.DataFrame:
    """Build the assets frame in the published schema."""
    declared = declare(
        rng,
        rows.kind,
        rows.true_fen,
        ASSET_KINDS,
        calibration.ASSET_OMISSION_SHARES,
        calibration.ASSET_UNDER_REPORT_SHARES,
    )
    return pl.DataFrame(
        {
            "hh_key": rows.household + 1,
            "kind": pl.Series(ASSET_KINDS).gather(rows.kind),
            "count": rows.count,
            "value_true_fen": rows.true_fen,
            "value_declared_fen": declared,
        },
        schema=ASSET_SCHEMA,
    )


def _rank(values: IntArray) -> FloatArray:
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[np.argsort(values, kind="stable")] = np.arange(values.size)
    return ranks / max(values.size - 1, 1)


def _head_is_old(skeleton: Skeleton) -> BoolArray:
    head = skeleton.member == Member.HEAD
    old: BoolArray = skeleton.age_days[head] >= 60 * DAYS_PER_YEAR
    return old


def _yuan_to_fen(yuan: FloatArray) -> IntArray:
    return np.round(yuan).astype(np.int64) * FEN_PER_YUAN


def _months_of_income(
    rng: np.random.Generator,
    income_fen: IntArray,
    median_months: float | FloatArray,
    sigma: float,
) -> IntArray:
    """Draw a value of about ``median_months`` months of household income."""
    # ESTIMATE: households with little or no income still hold some savings,
    # as if they earned at least 1,500 yuan a month.
    base_yuan = np.maximum(income_fen / FEN_PER_YUAN, 1_500.0)
    months = median_months * np.exp(rng.normal(0.0, sigma, income_fen.size))
    return _yuan_to_fen(base_yuan * months)


def _rows(
    selected: BoolArray, kind: int, count: IntArray, value: IntArray
) -> AssetRows:
    index = np.flatnonzero(selected)
    return AssetRows(
        index.astype(np.int64),
        np.full(index.size, kind, dtype=np.int64),
        count[selected],
        value[selected],
    )


def _deposits(
    rng: np.random.Generator,
    income_fen: IntArray,
    income_rank: FloatArray,
    head_old: BoolArray,
) -> AssetRows:
    # Everyone has at least one account. Richer households save a larger share
    # of income, and older households have saved for longer.
    median_months = (3.0 + 10.0 * income_rank) * np.where(head_old, 1.8, 1.0)
    value = _months_of_income(rng, income_fen, median_months, 1.1)
    count = 1 + rng.poisson(1.0, income_fen.size)
    selected = np.ones(income_fen.size, dtype=bool)
    return _rows(selected, DEPOSITS, count.astype(np.int64), value)


def _securities(
    rng: np.random.Generator, income_fen: IntArray, income_rank: FloatArray
) -> AssetRows:
    selected = rng.random(income_fen.size) < 0.05 + 0.30 * income_rank
    value = _months_of_income(rng, income_fen, 12.0, 1.0)
    count = 1 + rng.poisson(0.5, income_fen.size)
    return _rows(selected, SECURITIES, count.astype(np.int64), value)


def _insurance(rng: np.random.Generator, income_fen: IntArray) -> AssetRows:
    selected = rng.random(income_fen.size) < 0.25
    value = _months_of_income(rng, income_fen, 6.0, 0.8)
    count = 1 + rng.poisson(0.3, income_fen.size)
    return _rows(selected, INSURANCE, count.astype(np.int64), value)


def _vehicles(rng: np.random.Generator, income_rank: FloatArray) -> AssetRows:
    selected = rng.random(income_rank.size) < 0.05 + 0.45 * income_rank
    count = np.where(rng.random(income_rank.size) < 0.10, 2, 1).astype(np.int64)
    value = VEHICLE_MEDIAN_YUAN * np.exp(rng.normal(0.0, 0.5, income_rank.size))
    return _rows(selected, VEHICLE, count, _yuan_to_fen(value * count))


def _housing(
    rng: np.random.Generator, housing_count: IntArray, urban: BoolArray
) -> AssetRows:
    median = np.where(urban, URBAN_HOME_MEDIAN_YUAN, RURAL_HOME_MEDIAN_YUAN)
    spread = np.exp(rng.normal(0.0, 0.5, housing_count.size))
    value: FloatArray = median * housing_count.astype(np.float64) * spread
    return _rows(housing_count >= 1, HOUSING, housing_count, _yuan_to_fen(value))


ASSET_SCHEMA: Final = pl.Schema(
    {
        "hh_key": pl.Int64,
        "kind": pl.Utf8,
        "count": pl.Int32,
        "value_true_fen": pl.Int64,
        "value_declared_fen": pl.Int64,
    }
)
