"""Read declared and verified figures as of a day, one SQL query per table.

The queries filter each table by date and return a few narrow columns;
Polars joins them with the members of the day and sums them, so a city of a
million households moves as frames, never as model instances. For every
household (the batch) each table is read whole through
`doudi.assessments.registry_inputs.read_query`, which renders the rows as CSV
in the database. For a few households the same queries run through the
cursor, restricted to their members. Both feed the same Polars steps, so a
household's figures do not depend on the path. Dates are cast to ISO text in
SQL, so both databases return them alike.

- Declared figures are the registry's income facts and household assets
  valid on the day, except those recorded from department data.
- Verified figures are department facts (`exchange.ExchangeFact`) not
  superseded by a correcting batch: income and assets valid on the day,
  and spending paid in the 12 months before it (see `spending_window`).
- Only persons who are members of the household on the day count.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import polars as pl
from django.db import connection

from doudi.assessments.registry_inputs import Query, read_query

# SQLite allows 32,766 parameters in one statement; stay well below.
IN_CHUNK = 5_000

MEMBERS_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.Int64(),
    "person_id": pl.Int64(),
}
DECLARED_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.Int64(),
    "person_id": pl.Int64(),
    "category": pl.Utf8(),
    "item": pl.Utf8(),
    "declared_fen": pl.Int64(),
}
FACTS_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.Int64(),
    "person_id": pl.Int64(),
    "category": pl.Utf8(),
    "item": pl.Utf8(),
    "batch_id": pl.Int64(),
    "amount_fen": pl.Int64(),
    "quantity": pl.Float64(),
    "valid_from": pl.Date(),
}
BATCHES_SCHEMA = {
    "batch_id": pl.Int64,
    "source_code": pl.Utf8,
    "department": pl.Utf8,
}

_MEMBERS = Query(
    """
    SELECT m.household_id, m.person_id
    FROM registry_membership m
    WHERE m.start_date <= %s AND (m.end_date IS NULL OR m.end_date > %s)
    """,
    MEMBERS_SCHEMA,
    key="household_id",
    key_table="registry_household",
)
_DECLARED_INCOME = Query(
    """
    SELECT f.person_id, f.code AS item, f.amount_fen AS declared_fen
    FROM registry_personfact f
    WHERE f.kind = 'income' AND f.source <> 'department'
      AND f.amount_fen IS NOT NULL
      AND f.valid_from <= %s AND (f.valid_to IS NULL OR f.valid_to > %s)
    """,
    {"person_id": pl.Int64(), "item": pl.Utf8(), "declared_fen": pl.Int64()},
    key="person_id",
    key_table="registry_person",
    not_null=frozenset({"item"}),
)
_DECLARED_ASSETS = Query(
    """
    SELECT a.household_id, a.kind AS item, a.value_fen AS declared_fen
    FROM registry_householdasset a
    WHERE a.source <> 'department'
      AND a.valid_from <= %s AND (a.valid_to IS NULL OR a.valid_to > %s)
    """,
    {"household_id": pl.Int64(), "item": pl.Utf8(), "declared_fen": pl.Int64()},
    key="household_id",
    key_table="registry_household",
    not_null=frozenset({"item"}),
)
# Rows are not grouped in SQL: scanning is about twice as fast as SQLite's
# GROUP BY over the same rows, and Polars sums them in a fraction of that.
_VERIFIED_FACTS = Query(
    """
    SELECT f.person_id, f.category, f.item, f.batch_id, f.amount_fen,
           CAST(f.quantity AS DOUBLE PRECISION) AS quantity,
           CAST(f.valid_from AS TEXT) AS valid_from
    FROM exchange_exchangefact f
    WHERE f.superseded_by_id IS NULL AND f.amount_fen IS NOT NULL
      AND (
        (f.category IN ('income', 'asset')
         AND f.valid_from <= %s AND (f.valid_to IS NULL OR f.valid_to > %s))
        OR (f.category = 'spending' AND f.valid_from >= %s AND f.valid_from <= %s)
      )
    """,
    {name: FACTS_SCHEMA[name] for name in FACTS_SCHEMA if name != "household_id"},
    key="person_id",
    key_table="registry_person",
    not_null=frozenset({"category", "item"}),
)
_STORED_BATCHES = """
SELECT b.id, s.code, s.department
FROM exchange_batch b
JOIN exchange_datasource s ON s.id = b.source_id
WHERE b.status = 'stored'
"""


def months_before(day: date, months: int) -> date:
    """Return the same day `months` calendar months earlier, clamped to month end."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def spending_window(day: date) -> tuple[date, date]:
    """Return the first and last day of the 12 months of spending before `day`.

    Both ends are included: for 2026-06-30 the window is 2025-07-01 to
    2026-06-30, and for 2024-02-29 it is 2023-03-01 to 2024-02-29.
    """
    return months_before(day, 12) + timedelta(days=1), day


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for offset in range(0, len(ids), IN_CHUNK):
        yield ids[offset : offset + IN_CHUNK]


def _read(
    query: Query, params: list[Any], column: str, ids: Sequence[int] | None
) -> pl.DataFrame:
    """Run `query` for every row (None), or for the rows whose `column` is in `ids`."""
    if ids is None:
        return read_query(query, params)
    frames = [pl.DataFrame(schema=query.columns)]
    # The cursor returns dates cast in SQL as text; Polars parses them after.
    as_text = {
        name: pl.Utf8() if kind == pl.Date else kind
        for name, kind in query.columns.items()
    }
    dates = [
        pl.col(name).str.to_date("%Y-%m-%d")
        for name, kind in query.columns.items()
        if kind == pl.Date
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"{query.sql} AND {column} IN ({marks})"
            cursor.execute(sql, [*params, *chunk])
            rows = cursor.fetchall()
            if rows:
                frame = pl.DataFrame(rows, schema=as_text, orient="row")
                frames.append(frame.with_columns(*dates))
    return pl.concat(frames)


def members(day: date, household_ids: Sequence[int] | None = None) -> pl.DataFrame:
    """Return (household_id, person_id) of every membership held on `day`."""
    return _read(_MEMBERS, [day, day], "m.household_id", household_ids)


def _person_ids(members_on_day: pl.DataFrame) -> list[int]:
    return members_on_day.get_column("person_id").unique().sort().to_list()


def declared(
    day: date,
    household_ids: Sequence[int] | None = None,
    members_on_day: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return declared income per member and kind, and assets per household and kind.

    Household-level rows have person_id 0. `members_on_day` may pass
    `members(day, household_ids)` when the caller has it already.
    """
    if members_on_day is None:
        members_on_day = members(day, household_ids)
    people = None if household_ids is None else _person_ids(members_on_day)
    incomes = _read(_DECLARED_INCOME, [day, day], "f.person_id", people)
    assets = _read(_DECLARED_ASSETS, [day, day], "a.household_id", household_ids)
    households = members_on_day.select("household_id").unique()
    rows = pl.concat(
        [
            incomes.join(members_on_day, on="person_id").select(
                "household_id",
                "person_id",
                category=pl.lit("income"),
                item="item",
                declared_fen="declared_fen",
            ),
            assets.join(households, on="household_id").select(
                "household_id",
                person_id=pl.lit(0, dtype=pl.Int64),
                category=pl.lit("asset"),
                item="item",
                declared_fen="declared_fen",
            ),
        ]
    )
    keys = [name for name in DECLARED_SCHEMA if name != "declared_fen"]
    return (
        rows.group_by(keys)
        .agg(pl.col("declared_fen").sum())
        .cast(pl.Schema(DECLARED_SCHEMA))
    )


def verified_facts(
    day: date,
    household_ids: Sequence[int] | None = None,
    members_on_day: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Return the department facts that count on `day`, one row per fact.

    Each row has the member's household. `amount_fen` is monthly income, an
    asset value, or spending paid within the window; `quantity` is a floor
    area or vehicle count. Facts of batches not stored are left out.
    """
    if members_on_day is None:
        members_on_day = members(day, household_ids)
    people = None if household_ids is None else _person_ids(members_on_day)
    first, last = spending_window(day)
    facts = _read(_VERIFIED_FACTS, [day, day, first, last], "f.person_id", people)
    stored = stored_batches().select("batch_id")
    return (
        facts.join(stored, on="batch_id", how="semi")
        .join(members_on_day, on="person_id")
        .select(list(FACTS_SCHEMA))
    )


def stored_batches() -> pl.DataFrame:
    """Return the source code and department of every stored batch."""
    with connection.cursor() as cursor:
        cursor.execute(_STORED_BATCHES)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=BATCHES_SCHEMA, orient="row")
