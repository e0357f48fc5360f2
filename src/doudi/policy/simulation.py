"""Compare a reform with the current rules over the same households.

A reform is a set of parameter overrides from a date
(`PolicyParameters.with_overrides`). Both runs use the same input tables,
so every difference comes from the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from doudi.policy.engine import SCHEME_ORDER, Assessment, assess
from doudi.policy.inputs import InputTables
from doudi.policy.parameters import PolicyParameters


@dataclass(frozen=True)
class Simulation:
    """Per district and scheme, and per affected household, reform minus baseline."""

    summary: pl.DataFrame
    affected: pl.DataFrame


def simulate(
    inputs: InputTables,
    baseline: PolicyParameters,
    reform: PolicyParameters,
    *,
    city: str,
    on: date,
) -> Simulation:
    before = assess(inputs, baseline, city=city, on=on)
    after = assess(inputs, reform, city=city, on=on)
    changes = _changes(before, after)
    return Simulation(summary=_summary(changes), affected=_affected(changes))


def _long(result: Assessment, suffix: str) -> pl.DataFrame:
    frames = [
        result.schemes[scheme].select(
            "household_id", "scheme", "eligible", "amount_fen"
        )
        for scheme in SCHEME_ORDER
    ]
    members = result.households.select(
        "household_id", "district_code", "counted_members"
    )
    return (
        pl.concat(frames)
        .join(members, on="household_id", how="left")
        .with_columns(pl.col("amount_fen").fill_null(0))
        .rename(
            {"eligible": f"eligible_{suffix}", "amount_fen": f"amount_fen_{suffix}"}
        )
    )


def _changes(before: Assessment, after: Assessment) -> pl.DataFrame:
    reform = _long(after, "reform").select(
        "household_id", "scheme", "eligible_reform", "amount_fen_reform"
    )
    return _long(before, "baseline").join(
        reform, on=["household_id", "scheme"], how="inner"
    )


def _summary(changes: pl.DataFrame) -> pl.DataFrame:
    gained = pl.col("eligible_reform") & ~pl.col("eligible_baseline")
    lost = pl.col("eligible_baseline") & ~pl.col("eligible_reform")
    members = pl.col("counted_members").fill_null(0)
    return (
        changes.group_by("district_code", "scheme")
        .agg(
            households_gained=gained.sum(),
            households_lost=lost.sum(),
            persons_gained=pl.when(gained).then(members).otherwise(0).sum(),
            persons_lost=pl.when(lost).then(members).otherwise(0).sum(),
            monthly_cost_change_fen=(
                pl.col("amount_fen_reform") - pl.col("amount_fen_baseline")
            ).sum(),
        )
        .sort("district_code", "scheme")
    )


def _affected(changes: pl.DataFrame) -> pl.DataFrame:
    differs = (pl.col("eligible_reform") != pl.col("eligible_baseline")) | (
        pl.col("amount_fen_reform") != pl.col("amount_fen_baseline")
    )
    return changes.filter(differs).sort("district_code", "household_id", "scheme")
