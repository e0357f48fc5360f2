"""Low-income households at the dibao edge (低保边缘家庭, 国办发〔2023〕39号).

A household qualifies when it is not on dibao or tekun, neither eligible now
nor enrolled. Its per-capita countable income must be below
``edge.multiplier`` x the dibao standard (rounded by ``rounding.derived``),
its assets must pass the dibao asset tests, and it must be registered
locally. NOTE: asset limits for edge
households are local and may be looser than dibao's; the engine applies the
dibao ones.

The status opens specialised assistance (medical, education, housing) but
carries no monthly cash under these rules, so ``amount_fen`` is 0.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from doudi.policy.inputs import Scheme
from doudi.policy.schemes import all_passed, below_per_capita, result_name

SCHEME: Final = Scheme.EDGE.value


def not_on_dibao_or_tekun() -> pl.Expr:
    """Flag a household neither eligible for nor enrolled in dibao or tekun."""
    return ~(
        pl.col(result_name(Scheme.DIBAO, "eligible"))
        | pl.col(result_name(Scheme.DIBAO, "active"))
        | pl.col(result_name(Scheme.TEKUN, "eligible"))
        | pl.col("tekun_enrolled").fill_null(False)
    )


def assess(households: pl.LazyFrame) -> pl.LazyFrame:
    """Add the edge result columns to each household row."""
    income_ok = below_per_capita(
        pl.col("countable_income_fen"),
        pl.col("counted_members"),
        pl.col("edge_line_fen"),
    )
    not_on_other = not_on_dibao_or_tekun()
    eligible = all_passed(
        not_on_other, income_ok, pl.col("assets_ok"), pl.col("registration_ok")
    )
    columns = {
        "eligible": eligible,
        "amount_fen": pl.lit(0, dtype=pl.Int64),
        "recommended_tier": pl.lit(None, dtype=pl.Utf8),
        "not_on_other_scheme": not_on_other,
        "income_ok": income_ok,
        "threshold_fen": pl.col("edge_line_fen"),
    }
    return households.with_columns(
        **{result_name(SCHEME, name): value for name, value in columns.items()}
    )
