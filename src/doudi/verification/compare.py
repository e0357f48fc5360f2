"""Compare declared with verified figures and grade each discrepancy.

Plain Polars, no Django, so the batch and the single request share it and
tests can check it alone. Money is integer fen throughout.

Severity of an item, where `declared` and `verified` are its two values and
`difference = verified - declared`:

- none: the values are equal, or the item is spending, which the registry
  does not hold declared values for, so nothing is compared;
- minor: |difference| is at most 10 % of the declared value, or at most the
  category's floor (100 yuan a month of income, 2,000 yuan of assets), so
  rounding and small interest payments do not raise an alarm;
- major: anything larger.
"""

from __future__ import annotations

from typing import Final

import polars as pl

MINOR_SHARE_PERCENT: Final = 10
MINOR_FLOOR_FEN: Final = {"income": 10_000, "asset": 200_000}
# Household-level rows (assets, spending) carry person_id 0 while joining.
HOUSEHOLD_LEVEL: Final = 0
KEYS: Final = ["household_id", "person_id", "category", "item"]
CODED_KEYS: Final = ["household_id", "person_id", "item_code"]
SHARE_PLACES: Final = 4

ITEM_SCHEMA: Final = {
    "household_id": pl.Int64,
    "person_id": pl.Int64,
    "category": pl.Utf8,
    "item": pl.Utf8,
    "declared_fen": pl.Int64,
    "verified_fen": pl.Int64,
    "discrepancy_fen": pl.Int64,
    "discrepancy_share": pl.Utf8,
    "severity": pl.Utf8,
    "sources": pl.List(
        pl.Struct({"batch": pl.Int64, "first": pl.Date, "last": pl.Date})
    ),
    # Sort keys: `category_rank` orders like category, `item_code` like
    # (category, item); see `item_codes`.
    "category_rank": pl.UInt32,
    "item_code": pl.UInt32,
}


def item_codes(*frames: pl.DataFrame) -> pl.DataFrame:
    """Number the (category, item) pairs of the frames in sorted order.

    Joins and sorts on these integers are much faster than on the two text
    columns. `item_code` sorts like (category, item) and `category_rank`
    like category.
    """
    pairs = pl.concat([frame.select("category", "item").unique() for frame in frames])
    return (
        pairs.unique()
        .sort("category", "item")
        .with_columns(
            item_code=pl.int_range(pl.len(), dtype=pl.UInt32),
            category_rank=pl.col("category").rank("dense").cast(pl.UInt32),
        )
    )


def verified_items(facts: pl.DataFrame, codes: pl.DataFrame) -> pl.DataFrame:
    """Sum department facts per item, keeping each batch as a source.

    Income stays per member; assets and spending are household totals.
    `sources` lists, per batch in id order, the batch id and the first and
    last record dates (`batch`, `first`, `last`). Items are keyed by
    CODED_KEYS, with `item_code` from `codes`.
    """
    person = (
        pl.when(pl.col("category") == "income")
        .then(pl.col("person_id"))
        .otherwise(pl.lit(HOUSEHOLD_LEVEL, dtype=pl.Int64))
    )
    per_batch = (
        facts.join(
            codes.select("category", "item", "item_code"), on=["category", "item"]
        )
        .with_columns(person_id=person)
        .group_by([*CODED_KEYS, "batch_id"])
        .agg(
            amount_fen=pl.col("amount_fen").sum(),
            first=pl.col("valid_from").min(),
            last=pl.col("valid_from").max(),
        )
        .sort([*CODED_KEYS, "batch_id"])
    )
    source = pl.struct(batch=pl.col("batch_id"), first="first", last="last")
    return per_batch.group_by(CODED_KEYS, maintain_order=True).agg(
        verified_fen=pl.col("amount_fen").sum(), sources=source
    )


def compare(declared: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """Return one row per item declared or verified, graded by severity.

    `declared` has KEYS and declared_fen; `facts` are department facts as
    `figures.verified_facts` returns them. A value missing on one side is
    zero there, except declared spending.
    """
    codes = item_codes(declared, facts)
    verified = verified_items(facts, codes)
    coded = declared.join(
        codes.select("category", "item", "item_code"), on=["category", "item"]
    ).select([*CODED_KEYS, "declared_fen"])
    joined = coded.join(verified, on=CODED_KEYS, how="full", coalesce=True).join(
        codes, on="item_code"
    )
    spending = pl.col("category") == "spending"
    declared_fen = (
        pl.when(spending).then(None).otherwise(pl.col("declared_fen").fill_null(0))
    )
    items = joined.with_columns(
        declared_fen=declared_fen,
        verified_fen=pl.col("verified_fen").fill_null(0),
        sources=pl.col("sources").fill_null([]),
    ).with_columns(discrepancy_fen=pl.col("verified_fen") - pl.col("declared_fen"))
    return items.with_columns(
        discrepancy_share=_share(),
        severity=_severity(),
    ).select(list(ITEM_SCHEMA))


def _share() -> pl.Expr:
    """Difference over declared value, rounded half away from zero, as text."""
    scale = 10**SHARE_PLACES
    declared = pl.col("declared_fen").cast(pl.Int128)
    difference = pl.col("discrepancy_fen").cast(pl.Int128)
    magnitude = (difference.abs() * scale * 2 + declared) // (declared * 2)
    whole = (magnitude // scale).cast(pl.Utf8)
    fraction = (magnitude % scale).cast(pl.Utf8).str.zfill(SHARE_PLACES)
    sign = pl.when(difference < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    text = pl.concat_str([sign, whole, pl.lit("."), fraction])
    return pl.when(declared > 0).then(text).otherwise(pl.lit(None, dtype=pl.Utf8))


def _severity() -> pl.Expr:
    difference = pl.col("discrepancy_fen").abs()
    floor = (
        pl.col("category")
        .replace_strict(MINOR_FLOOR_FEN, default=0, return_dtype=pl.Int64)
        .cast(pl.Int64)
    )
    within_share = difference * 100 <= pl.col("declared_fen") * MINOR_SHARE_PERCENT
    return (
        pl.when(pl.col("discrepancy_fen").is_null() | (difference == 0))
        .then(pl.lit("none"))
        .when(within_share | (difference <= floor))
        .then(pl.lit("minor"))
        .otherwise(pl.lit("major"))
    )


def totals(items: pl.DataFrame) -> pl.DataFrame:
    """Return one row per household with the report's totals and counts."""
    category = pl.col("category")

    def total(column: str, kind: str) -> pl.Expr:
        return pl.col(column).filter(category == kind).sum().fill_null(0)

    severity = pl.col("severity")
    return (
        items.group_by("household_id")
        .agg(
            declared_income_fen=total("declared_fen", "income"),
            verified_income_fen=total("verified_fen", "income"),
            declared_assets_fen=total("declared_fen", "asset"),
            verified_assets_fen=total("verified_fen", "asset"),
            verified_spending_fen=total("verified_fen", "spending"),
            minor_items=(severity == "minor").sum().cast(pl.Int64),
            major_items=(severity == "major").sum().cast(pl.Int64),
        )
        .with_columns(
            severity=pl.when(pl.col("major_items") > 0)
            .then(pl.lit("major"))
            .when(pl.col("minor_items") > 0)
            .then(pl.lit("minor"))
            .otherwise(pl.lit("none"))
        )
    )
