"""Turn validated, matched rows into ExchangeFact rows, as a Polars frame."""

from __future__ import annotations

import polars as pl

from doudi.exchange.feeds import FactRule, FeedSpec

FACT_COLUMNS = (
    "batch_id",
    "row_number",
    "person_id",
    "kind",
    "category",
    "item",
    "amount_fen",
    "quantity",
    "code",
    "valid_from",
    "valid_to",
    "superseded_by_id",
)


def fact_frame(rows: pl.DataFrame, feed: FeedSpec, batch_id: int) -> pl.DataFrame:
    """Return the facts of `rows` (validated, with `person_id`) in table form.

    Dates are ISO text, which both databases' bulk paths accept.
    """
    parts = [_apply(rows, feed, rule, batch_id) for rule in feed.facts]
    return pl.concat(parts).sort("person_id")


def _apply(
    rows: pl.DataFrame, feed: FeedSpec, rule: FactRule, batch_id: int
) -> pl.DataFrame:
    if rule.when is not None:
        rows = rows.filter(pl.col(f"v_{rule.when}").is_not_null())
    valid_from = pl.col(f"v_{rule.valid_from}")
    return rows.select(
        pl.lit(batch_id, dtype=pl.Int64).alias("batch_id"),
        pl.col("row_number").cast(pl.Int64),
        pl.col("person_id").cast(pl.Int64),
        pl.lit(feed.kind.value).alias("kind"),
        pl.lit(rule.category).alias("category"),
        _item(rule).alias("item"),
        _value(rule.amount, pl.Int64).alias("amount_fen"),
        _value(rule.quantity, pl.String).alias("quantity"),
        _value(rule.code, pl.String).fill_null("").alias("code"),
        valid_from.dt.to_string("%Y-%m-%d").alias("valid_from"),
        _valid_to(rule, valid_from).dt.to_string("%Y-%m-%d").alias("valid_to"),
        pl.lit(None, dtype=pl.Int64).alias("superseded_by_id"),
    )


def _item(rule: FactRule) -> pl.Expr:
    if rule.item.startswith("="):
        return pl.lit(rule.item[1:])
    column = pl.col(f"v_{rule.item}")
    if rule.item_map:
        return column.replace(dict(rule.item_map))
    return column


def _value(name: str | None, dtype: pl.DataType | type[pl.DataType]) -> pl.Expr:
    if name is None:
        return pl.lit(None, dtype=dtype)
    if name.startswith("="):
        return pl.lit(name[1:]).cast(dtype)
    return pl.col(f"v_{name}").cast(dtype)


def _valid_to(rule: FactRule, valid_from: pl.Expr) -> pl.Expr:
    if rule.valid_to is None:
        return pl.lit(None, dtype=pl.Date)
    if rule.valid_to == "+1 month":
        return valid_from.dt.offset_by("1mo")
    return pl.col(f"v_{rule.valid_to}")
