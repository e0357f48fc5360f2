"""Temporary assistance (临时救助, 民发〔2018〕23号 and the 2023 opinion): a screen.

Two kinds are recognised, whatever the household's registration:

- 急难型 (sudden hardship): the household's ``sudden_hardship`` flag, set by a
  caseworker after a fire, accident, sudden illness or similar crisis.
- 支出型 (spending hardship): per-capita countable income below last year's
  local per-capita disposable income, and rigid spending of the last 12
  months over ``rigid.spending_share`` of income over 12 months (the same
  tests as rigid-spending hardship).

The amount is decided case by case against the local dibao-linked scale, so
``amount_fen`` is null: the row recommends that a caseworker consider the
household, and ``recommended_tier`` names the kind.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from doudi.policy.inputs import Scheme
from doudi.policy.schemes import result_name
from doudi.policy.schemes.rigid import below_local_income, spending_over_share

SCHEME: Final = Scheme.TEMPORARY.value


def assess(households: pl.LazyFrame) -> pl.LazyFrame:
    """Add the temporary-assistance result columns to each household row."""
    sudden = pl.col("sudden_hardship")
    income_ok = below_local_income()
    spending_ok = spending_over_share()
    spending_hardship = (income_ok & spending_ok).fill_null(False)
    kind = (
        pl.when(sudden & spending_hardship)
        .then(pl.lit("sudden_and_spending"))
        .when(sudden)
        .then(pl.lit("sudden"))
        .when(spending_hardship)
        .then(pl.lit("spending"))
    )
    columns = {
        "eligible": sudden | spending_hardship,
        "amount_fen": pl.lit(None, dtype=pl.Int64),
        "recommended_tier": kind,
        "sudden_hardship": sudden,
        "income_ok": income_ok,
        "spending_ok": spending_ok,
        "threshold_annual_fen": pl.col("local_income_line_annual_fen"),
    }
    return households.with_columns(
        **{result_name(SCHEME, name): value for name, value in columns.items()}
    )
