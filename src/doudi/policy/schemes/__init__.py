"""Rules of each scheme as Polars expressions over households and persons.

Every module works on frames keyed by ``household_id`` (and ``person_id``) and
returns frames keyed the same way, so the engine joins results by key and
never by row order. Money columns are integer fen.

Per-capita tests are exact: "per-capita income below a line" is tested as
``total < members x line`` in integers, so no per-capita figure is rounded
before it is compared. The ``per_capita_*`` columns in the trace are rounded
down to the fen for display only.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def below_per_capita(total: pl.Expr, members: pl.Expr, line: pl.Expr) -> pl.Expr:
    """Test total / members < line exactly; false when members is 0."""
    return (members > 0) & (total < members.cast(pl.Int64) * line)


def per_capita(total: pl.Expr, members: pl.Expr) -> pl.Expr:
    """Return total / members rounded down, for display; null when members is 0."""
    return pl.when(members > 0).then(total // members.cast(pl.Int64))


def all_passed(*rules: pl.Expr) -> pl.Expr:
    """Combine rule outcomes; a rule that could not be checked (null) fails."""
    combined = pl.lit(True)
    for rule in rules:
        combined = combined & rule.fill_null(False)
    return combined


def by_district(values: Sequence[object], dtype: pl.DataType) -> pl.Expr:
    """Look up a per-district value by the ``district_idx`` column.

    ``values`` is indexed by district index. A value shared by every district
    becomes a literal, which saves the lookup.
    """
    if len(set(values)) == 1:
        return pl.lit(values[0], dtype=dtype)
    return pl.lit(pl.Series(values, dtype=dtype)).gather(pl.col("district_idx"))


def result_name(scheme: str, name: str) -> str:
    """Name a scheme's result column in the wide household frame.

    Schemes write ``<scheme>.<name>`` columns, so that their outcomes sit side
    by side and later schemes can read earlier ones. The engine strips the
    prefix when it splits the frame by scheme.
    """
    return f"{scheme}.{name}"


def sum_where(condition: pl.Expr, value: pl.Expr | None = None) -> pl.Expr:
    """Sum ``value`` (or count rows, as Int32) where ``condition`` holds.

    Meant for group-by aggregations, where when/then runs faster than filter.
    """
    if value is None:
        return condition.cast(pl.Int32).sum()
    return pl.when(condition).then(value).otherwise(0).sum()
