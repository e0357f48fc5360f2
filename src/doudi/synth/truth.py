"""Ground truth: which synthetic households qualify, by a deliberately simple rule set.

This is not the policy engine. It is a short, independent reading of the main
rules, computed from TRUE incomes and assets, so that the engine (which reads
only declared and verified data) and this module can check each other.

Rules, per household, on the as-of date:

- Per-capita income is the sum of all true monthly incomes of the members,
  divided by the household size and rounded down to the fen. No income kind
  is disregarded. NOTE: the national rules disregard some items (for example
  the central basic pension of the residents' scheme), so this
  over-counts income for some elderly households on purpose.
- Financial assets are deposits, securities and insurance (true values).
  ASSUMPTION: the limit is FINANCIAL_ASSET_LIMIT_MONTHS times the monthly
  dibao standard per person; Shanghai's own limit is not encoded here.
- dibao: per-capita income below the standard and financial assets per person
  below the limit. The amount is the per-capita gap (standard minus
  per-capita income), rounded half up to whole yuan, times household size.
- 特困 persons: aged 60 or over, under 16, or with a grade 1-2 disability,
  in a household whose per-capita income is below the standard and that has
  no member aged 16-59 with full or partial work capacity. NOTE: assets and
  supporters outside the household are not checked.
- edge (低保边缘): not dibao, per-capita income below 1.5 times the standard
  (exact, not rounded), and financial assets per person below the limit.

Local household registration is not required by these rules. The flags are
independent: a household can be dibao and contain 特困 persons.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

if TYPE_CHECKING:
    from doudi.synth.city import SynthCity

# Shanghai dibao standard, yuan per person per month, by start date: 1,650
# from 2025-07-01, replacing 1,595. NOTE: both values come from a secondary
# report of Shanghai's 2025 statistical bulletin, not from the civil affairs
# notice. The start date of 1,595 is an ASSUMPTION (Shanghai has usually
# adjusted the standard on 1 July), so earlier dates are rejected.
SHANGHAI_DIBAO_STANDARDS_YUAN: Final = (
    (date(2025, 7, 1), 1_650),
    (date(2024, 7, 1), 1_595),
)
FINANCIAL_ASSET_LIMIT_MONTHS: Final = 24
FINANCIAL_ASSET_KINDS: Final = ("deposits", "securities", "insurance")
WORKING_AGE: Final = (16, 59)
TEKUN_MIN_OLD_AGE: Final = 60
TEKUN_MAX_CHILD_AGE: Final = 15
FEN_PER_YUAN: Final = 100

TRUTH_SCHEMA: Final = pl.Schema(
    {
        "hh_key": pl.Int64,
        "as_of": pl.Date,
        "size": pl.Int32,
        "per_capita_income_fen": pl.Int64,
        "dibao": pl.Boolean,
        "dibao_amount_fen": pl.Int64,
        "tekun_persons": pl.Int32,
        "edge": pl.Boolean,
    }
)


def dibao_standard_fen(as_of: date) -> int:
    """Return Shanghai's monthly dibao standard in force on ``as_of``, in fen.

    Raises ValueError for dates before the earliest recorded standard.
    """
    for start, yuan in SHANGHAI_DIBAO_STANDARDS_YUAN:
        if as_of >= start:
            return yuan * FEN_PER_YUAN
    earliest = SHANGHAI_DIBAO_STANDARDS_YUAN[-1][0]
    raise ValueError(
        f"No Shanghai dibao standard is recorded for {as_of.isoformat()}; "
        f"use an as-of date on or after {earliest.isoformat()}."
    )


def compute_truth(
    persons: pl.DataFrame,
    facts: pl.DataFrame,
    incomes: pl.DataFrame,
    assets: pl.DataFrame,
    as_of: date,
) -> pl.DataFrame:
    """Compute the truth frame (one row per household) from true values."""
    standard = dibao_standard_fen(as_of)
    asset_limit = FINANCIAL_ASSET_LIMIT_MONTHS * standard
    ages = _ages(persons.lazy(), as_of)
    facts_lazy = facts.lazy()

    households = (
        persons.lazy()
        .group_by("hh_key")
        .agg(pl.len().cast(pl.Int32).alias("size"))
        .join(_income_totals(persons.lazy(), incomes.lazy()), on="hh_key", how="left")
        .join(_financial_assets(assets.lazy()), on="hh_key", how="left")
        .join(_work_capable_households(ages, facts_lazy), on="hh_key", how="left")
        .with_columns(
            pl.col("income_fen").fill_null(0),
            pl.col("financial_fen").fill_null(0),
            pl.col("work_capable").fill_null(False),
        )
        .with_columns(
            (pl.col("income_fen") // pl.col("size")).alias("per_capita_income_fen")
        )
        .with_columns(
            (pl.col("per_capita_income_fen") < standard).alias("below_standard"),
            (pl.col("financial_fen") < asset_limit * pl.col("size")).alias("assets_ok"),
        )
    )
    return _decide(households, ages, facts_lazy, standard, as_of).collect()


def write_truth(city: SynthCity, path: str | Path) -> None:
    """Write the city's truth frame to a Parquet file at ``path``."""
    city.truth.write_parquet(path)


def _ages(persons: pl.LazyFrame, as_of: date) -> pl.LazyFrame:
    born = pl.col("birth_date")
    had_birthday = (born.dt.month() < as_of.month) | (
        (born.dt.month() == as_of.month) & (born.dt.day() <= as_of.day)
    )
    age = pl.lit(as_of.year) - born.dt.year() - (~had_birthday).cast(pl.Int32)
    return persons.select("person_key", "hh_key", age.alias("age"))


def _income_totals(persons: pl.LazyFrame, incomes: pl.LazyFrame) -> pl.LazyFrame:
    return (
        incomes.join(persons.select("person_key", "hh_key"), on="person_key")
        .group_by("hh_key")
        .agg(pl.col("monthly_true_fen").sum().alias("income_fen"))
    )


def _financial_assets(assets: pl.LazyFrame) -> pl.LazyFrame:
    return (
        assets.filter(pl.col("kind").is_in(FINANCIAL_ASSET_KINDS))
        .group_by("hh_key")
        .agg(pl.col("value_true_fen").sum().alias("financial_fen"))
    )


def _work_capable_households(ages: pl.LazyFrame, facts: pl.LazyFrame) -> pl.LazyFrame:
    capable = facts.filter(
        (pl.col("kind") == "work_capacity") & pl.col("code").is_in(["full", "partial"])
    ).select("person_key")
    low, high = WORKING_AGE
    return (
        ages.filter(pl.col("age").is_between(low, high))
        .join(capable, on="person_key", how="semi")
        .select("hh_key")
        .unique()
        .with_columns(pl.lit(True).alias("work_capable"))
    )


def _tekun_counts(ages: pl.LazyFrame, facts: pl.LazyFrame) -> pl.LazyFrame:
    severe = facts.filter(
        (pl.col("kind") == "disability") & (pl.col("grade") <= 2)
    ).select("person_key")
    by_age = ages.filter(
        (pl.col("age") >= TEKUN_MIN_OLD_AGE) | (pl.col("age") <= TEKUN_MAX_CHILD_AGE)
    ).select("person_key")
    eligible = pl.concat([severe, by_age]).unique()
    return (
        ages.join(eligible, on="person_key", how="semi")
        .group_by("hh_key")
        .agg(pl.len().cast(pl.Int32).alias("tekun_candidates"))
    )


def _decide(
    households: pl.LazyFrame,
    ages: pl.LazyFrame,
    facts: pl.LazyFrame,
    standard: int,
    as_of: date,
) -> pl.LazyFrame:
    gap = pl.lit(standard) - pl.col("per_capita_income_fen")
    gap_yuan_rounded = (gap + FEN_PER_YUAN // 2) // FEN_PER_YUAN * FEN_PER_YUAN
    dibao = pl.col("below_standard") & pl.col("assets_ok")
    edge_line = standard * 3 // 2
    tekun = pl.col("below_standard") & ~pl.col("work_capable")
    return (
        households.join(_tekun_counts(ages, facts), on="hh_key", how="left")
        .with_columns(
            dibao.alias("dibao"),
            pl.when(dibao)
            .then(gap_yuan_rounded * pl.col("size"))
            .otherwise(0)
            .alias("dibao_amount_fen"),
            pl.when(tekun)
            .then(pl.col("tekun_candidates").fill_null(0))
            .otherwise(0)
            .alias("tekun_persons"),
            (
                ~dibao
                & (pl.col("per_capita_income_fen") < edge_line)
                & pl.col("assets_ok")
            ).alias("edge"),
            pl.lit(as_of).alias("as_of"),
        )
        .sort("hh_key")
        .select(pl.col(name).cast(dtype) for name, dtype in TRUTH_SCHEMA.items())
    )
