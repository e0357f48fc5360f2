"""Asset tests (最低生活保障审核确认办法, 民发〔2021〕57号, Art. 14; limits are local).

- Financial assets (deposits, securities, insurance, debts owed to the
  family, internet financial assets) may not exceed
  ``assets.financial_months`` x the standard per counted member.
- A vehicle disqualifies unless ``assets.vehicle_allowed``, or unless
  ``assets.vehicle_allowed_if_seriously_ill`` and the household owns one
  vehicle, marked as carrying a seriously ill member who is counted.
- More than ``assets.max_homes`` homes disqualify unless the per-capita floor
  area is below ``assets.floor_area_exception_m2``.

A rule whose parameter the city does not set is not checked: its outcome is
null in the trace and does not block eligibility.
"""

from __future__ import annotations

import polars as pl

from doudi.policy.inputs import FINANCIAL_ASSET_KINDS
from doudi.policy.schemes import sum_where


def household_assets(assets: pl.LazyFrame) -> pl.LazyFrame:
    """Sum financial assets, vehicles, homes and floor area per household."""
    kind = pl.col("kind")
    vehicle = kind == "vehicle"
    housing = kind == "housing"
    count = pl.col("count")
    # One housing row without a recorded area leaves the total unknown.
    area_missing = (housing & pl.col("floor_area_m2").is_null()).any()
    area = sum_where(housing, pl.col("floor_area_m2"))
    return assets.group_by("household_id").agg(
        financial_assets_fen=sum_where(
            kind.is_in(FINANCIAL_ASSET_KINDS), pl.col("value_fen")
        ),
        vehicles=sum_where(vehicle, count),
        vehicles_for_seriously_ill=sum_where(
            vehicle & pl.col("for_seriously_ill").fill_null(False), count
        ),
        homes=sum_where(housing, count),
        floor_area_m2=pl.when(area_missing).then(None).otherwise(area),
    )


def financial_assets_ok() -> pl.Expr:
    """Test financial assets <= members x limit; null when no limit is set."""
    limit = pl.col("counted_members").cast(pl.Int64) * pl.col("asset_limit_fen")
    return pl.col("financial_assets_fen") <= limit


def vehicle_ok() -> pl.Expr:
    """Test the vehicle rule; null when the city sets no vehicle rule."""
    vehicles = pl.col("vehicles")
    for_ill = (
        pl.col("vehicle_allowed_if_seriously_ill").fill_null(False)
        & (vehicles == 1)
        & (pl.col("vehicles_for_seriously_ill") == 1)
        & (pl.col("seriously_ill_members") > 0)
    )
    allowed = pl.col("vehicle_allowed")
    return (
        pl.when(allowed.is_null())
        .then(None)
        .otherwise((vehicles == 0) | allowed | for_ill)
    )


def floor_area_per_person() -> pl.Expr:
    """Floor area per counted member in square metres; null without members."""
    members = pl.col("counted_members")
    return pl.when(members > 0).then(pl.col("floor_area_m2") / members)


def housing_ok() -> pl.Expr:
    """Test the housing rule; null when the city sets no limit on homes.

    A household with homes but no recorded floor area gets no floor-area
    exception.
    """
    max_homes = pl.col("max_homes")
    exception = (
        pl.col("floor_area_per_person_m2") < pl.col("floor_area_exception_m2")
    ).fill_null(False)
    return (
        pl.when(max_homes.is_null())
        .then(None)
        .otherwise((pl.col("homes") <= max_homes) | exception)
    )


def assets_ok() -> pl.Expr:
    """Combine the three asset rules; an unchecked rule does not block."""
    return (
        pl.col("financial_assets_ok").fill_null(True)
        & pl.col("vehicle_ok").fill_null(True)
        & pl.col("housing_ok").fill_null(True)
    )
