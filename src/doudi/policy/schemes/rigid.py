"""Rigid-spending hardship (刚性支出困难家庭认定办法, 民发〔2024〕57号).

In force from 2025-01-01.

A household qualifies when it is not on dibao, tekun or edge (neither
eligible now nor enrolled), its per-capita countable income is below last
year's local per-capita disposable income
(``income.local_disposable_per_capita_last_year``), its assets pass the dibao
asset tests, it is registered locally, and its rigid spending of the last 12
months exceeds ``rigid.spending_share`` of its income over 12 months.

Rigid spending is basic living, out-of-pocket medical, education, disability
rehabilitation and other rigid costs; employment costs are left out. Income
over 12 months is 12 x the current monthly income before deductions, so costs
already deducted from income are not counted twice. The determination lasts
``rigid.determination_months``. No monthly cash follows from it, so
``amount_fen`` is 0.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

from doudi.policy.inputs import SPENDING_KINDS, Scheme
from doudi.policy.schemes import all_passed, result_name
from doudi.policy.schemes.edge import not_on_dibao_or_tekun
from doudi.policy.schemes.income import MONTHS_PER_YEAR, spending_column

SCHEME: Final = Scheme.RIGID.value
NOT_RIGID_SPENDING: Final = ("employment_cost",)


def rigid_spending() -> pl.Expr:
    """Sum rigid spending of the last 12 months from the per-kind columns."""
    kinds = [kind for kind in SPENDING_KINDS if kind not in NOT_RIGID_SPENDING]
    return pl.sum_horizontal(pl.col(spending_column(kind)) for kind in kinds)


def below_local_income() -> pl.Expr:
    """Test per-capita income below the local annual line, over 12 months."""
    members = pl.col("counted_members")
    annual_income = pl.col("countable_income_fen") * MONTHS_PER_YEAR
    line = members.cast(pl.Int64) * pl.col("local_income_line_annual_fen")
    return (members > 0) & (annual_income < line)


def spending_over_share() -> pl.Expr:
    """Test rigid spending > share x 12 months of income, exactly."""
    annual_income = pl.col("gross_income_fen") * MONTHS_PER_YEAR
    spending = pl.col("rigid_spending_12m_fen")
    return spending * pl.col("spending_share_den") > (
        pl.col("spending_share_num") * annual_income
    )


def assess(households: pl.LazyFrame, on: date) -> pl.LazyFrame:
    """Add the rigid-spending result columns to each household row."""
    not_on_other = (
        not_on_dibao_or_tekun()
        & ~pl.col(result_name(Scheme.EDGE, "eligible"))
        & ~pl.col("edge_enrolled").fill_null(False)
    )
    income_ok = below_local_income()
    spending_ok = spending_over_share()
    eligible = all_passed(
        not_on_other,
        income_ok,
        pl.col("assets_ok"),
        spending_ok,
        pl.col("registration_ok"),
    )
    months = pl.format("{}mo", pl.col("determination_months"))
    columns = {
        "eligible": eligible,
        "amount_fen": pl.lit(0, dtype=pl.Int64),
        "recommended_tier": pl.lit(None, dtype=pl.Utf8),
        "not_on_other_scheme": not_on_other,
        "income_ok": income_ok,
        "spending_ok": spending_ok,
        "threshold_annual_fen": pl.col("local_income_line_annual_fen"),
        "valid_until": pl.when(eligible).then(pl.lit(on).dt.offset_by(months)),
    }
    return households.with_columns(
        **{result_name(SCHEME, name): value for name, value in columns.items()}
    )
