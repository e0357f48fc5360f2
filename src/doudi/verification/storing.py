"""Build reports from the figures, store them in bulk, and read their items back.

A single request and the batch compute items with the same code. They
store them in two forms:

- a single request writes one `VerificationItem` row per item, with its
  sources spelled out;
- the batch writes every report's items into the report's own
  `compact_items` column, as one JSON array (see `ITEM_FIELDS`), because
  inserting about seven item rows per household was most of the batch's
  time.

`stored_items` reads either form into the same `StoredItem` list, so the
page and the PDF do not depend on how a report was made.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

import polars as pl

from doudi.core.bulk import insert_frame
from doudi.verification import compare, figures
from doudi.verification.models import (
    VerificationItem,
    VerificationReport,
    VerificationRequest,
)

TOTAL_COLUMNS = (
    "declared_income_fen",
    "verified_income_fen",
    "declared_assets_fen",
    "verified_assets_fen",
    "verified_spending_fen",
    "minor_items",
    "major_items",
)
# The positions of an item in `compact_items`. person_id is null for
# household-level items, discrepancy_share is decimal text, and each source
# is [batch id, first record date, last record date].
ITEM_FIELDS: Final = (
    "person_id",
    "category",
    "item",
    "declared_fen",
    "verified_fen",
    "discrepancy_fen",
    "discrepancy_share",
    "severity",
    "sources",
)
ITEM_ORDER: Final = ["category", "person_id", "item"]


@dataclass(frozen=True)
class StoredItem:
    """One compared item as stored, whichever form it was stored in.

    Each source has `batch`, `source`, `department`, `first` and `last`.
    """

    person_id: int | None
    category: str
    item: str
    declared_fen: int | None
    verified_fen: int
    discrepancy_fen: int | None
    discrepancy_share: Decimal | None
    severity: str
    sources: list[dict[str, Any]]


def compared_items(
    day: date,
    household_ids: Sequence[int] | None,
    members_on_day: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return the compared items of the households (all of them for None)."""
    if members_on_day is None:
        members_on_day = figures.members(day, household_ids)
    declared = figures.declared(day, household_ids, members_on_day)
    facts = figures.verified_facts(day, household_ids, members_on_day)
    return compare.compare(declared, facts)


def _reports(requests: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    totals = compare.totals(items)
    return requests.join(totals, on="household_id", how="left").select(
        "request_id",
        *(pl.col(name).fill_null(0) for name in TOTAL_COLUMNS),
        pl.col("severity").fill_null("none"),
    )


def store_reports(requests: pl.DataFrame, items: pl.DataFrame) -> int:
    """Insert a report with compact items for each (household_id, request_id) row.

    `items` may hold other households too; only the requested ones are
    stored. Returns the number of items stored.
    """
    items = items.join(requests, on="household_id", how="inner")
    # Encode every item first: in an aggregation, the per-column mapping in
    # `_quoted` would run once per report. The integer sort keys order items
    # like ITEM_ORDER.
    sort_keys = ["request_id", "category_rank", "person_id", "item_code"]
    encoded = (
        items.select(*sort_keys, encoded=_item_json())
        .sort(sort_keys)
        .group_by("request_id", maintain_order=True)
        .agg(compact_items=pl.col("encoded").str.join(","))
    )
    reports = _reports(requests, items).join(encoded, on="request_id", how="left")
    insert_frame(
        VerificationReport._meta.db_table,
        reports.with_columns(
            compact_items=pl.concat_str(
                pl.lit("["), pl.col("compact_items").fill_null(""), pl.lit("]")
            )
        ),
    )
    return items.height


def _quoted(column: str) -> pl.Expr:
    """Return a text column as JSON strings, escaped by `json.dumps`."""
    return pl.col(column).map_batches(
        lambda values: values.replace_strict(
            {value: json.dumps(value) for value in values.unique().to_list()},
            return_dtype=pl.Utf8,
        ),
        return_dtype=pl.Utf8,
    )


def _number(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Utf8).fill_null("null")


def _item_json() -> pl.Expr:
    """Return each item as a JSON array in the order of ITEM_FIELDS."""
    person = pl.when(pl.col("person_id") == compare.HOUSEHOLD_LEVEL).then(None)
    source = pl.element().struct
    sources = pl.col("sources").list.eval(
        pl.concat_str(
            pl.lit("["),
            source.field("batch").cast(pl.Utf8),
            pl.lit(',"'),
            source.field("first").cast(pl.Utf8),
            pl.lit('","'),
            source.field("last").cast(pl.Utf8),
            pl.lit('"]'),
        )
    )
    share = pl.concat_str(pl.lit('"'), "discrepancy_share", pl.lit('"'))
    fields = [
        person.otherwise(pl.col("person_id")).cast(pl.Utf8).fill_null("null"),
        _quoted("category"),
        _quoted("item"),
        _number("declared_fen"),
        _number("verified_fen"),
        _number("discrepancy_fen"),
        share.fill_null("null"),
        _quoted("severity"),
        pl.concat_str(pl.lit("["), sources.list.join(","), pl.lit("]")),
    ]
    return pl.concat_str(pl.lit("["), pl.concat_str(fields, separator=","), pl.lit("]"))


def store_single(request: VerificationRequest) -> None:
    """Compute and store the report of one request, with one row per item."""
    items = compared_items(request.as_of, [request.household_id])
    requests = pl.DataFrame(
        {"household_id": [request.household_id], "request_id": [request.pk]},
        schema={"household_id": pl.Int64, "request_id": pl.Int64},
    )
    items = items.join(requests, on="household_id", how="inner")
    insert_frame(
        VerificationReport._meta.db_table,
        _reports(requests, items).with_columns(compact_items=pl.lit("")),
    )
    batches = _batch_sources()
    person = pl.col("person_id")
    rows = items.select(
        report_id=pl.col("request_id"),
        person_id=pl.when(person == compare.HOUSEHOLD_LEVEL)
        .then(None)
        .otherwise(person),
        category=pl.col("category"),
        item=pl.col("item"),
        declared_fen=pl.col("declared_fen"),
        verified_fen=pl.col("verified_fen"),
        discrepancy_fen=pl.col("discrepancy_fen"),
        discrepancy_share=pl.col("discrepancy_share"),
        severity=pl.col("severity"),
        sources=pl.Series(
            [
                json.dumps([_spelled(source, batches) for source in sources])
                for sources in items.get_column("sources").to_list()
            ],
            dtype=pl.Utf8,
        ),
    ).sort("report_id", *ITEM_ORDER, nulls_last=False)
    insert_frame(VerificationItem._meta.db_table, rows)


def _batch_sources() -> dict[int, tuple[str, str]]:
    """Return (source code, department) of every stored batch, by batch id."""
    frame = figures.stored_batches()
    return {
        row["batch_id"]: (row["source_code"], row["department"])
        for row in frame.iter_rows(named=True)
    }


def _spelled(
    source: dict[str, Any], batches: dict[int, tuple[str, str]]
) -> dict[str, Any]:
    code, department = batches.get(int(source["batch"]), ("", ""))
    return {
        "batch": int(source["batch"]),
        "source": code,
        "department": department,
        "first": str(source["first"]),
        "last": str(source["last"]),
    }


def stored_items(report: VerificationReport) -> list[StoredItem]:
    """Return the report's items in the order of ITEM_ORDER, from either form."""
    if not report.compact_items:
        rows = report.items.order_by("category", "person_id", "item", "pk")
        return [_from_row(row) for row in rows]
    fields = [dict(zip(ITEM_FIELDS, item, strict=True)) for item in _decoded(report)]
    batches = _batch_sources()
    return [
        StoredItem(
            person_id=field["person_id"],
            category=field["category"],
            item=field["item"],
            declared_fen=field["declared_fen"],
            verified_fen=field["verified_fen"],
            discrepancy_fen=field["discrepancy_fen"],
            discrepancy_share=_decimal(field["discrepancy_share"]),
            severity=field["severity"],
            sources=[
                _spelled(
                    dict(zip(("batch", "first", "last"), source, strict=True)), batches
                )
                for source in field["sources"]
            ],
        )
        for field in fields
    ]


def _decoded(report: VerificationReport) -> list[list[Any]]:
    items: list[list[Any]] = json.loads(report.compact_items)
    return items


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _from_row(row: VerificationItem) -> StoredItem:
    return StoredItem(
        person_id=row.person_id,
        category=row.category,
        item=row.item,
        declared_fen=row.declared_fen,
        verified_fen=row.verified_fen,
        discrepancy_fen=row.discrepancy_fen,
        discrepancy_share=row.discrepancy_share,
        severity=row.severity,
        sources=list(row.sources),
    )
