"""Read the registry as of a day into the frames the policy engine maps to inputs.

Rows come through one SQL query per table on Django's connection, with the
date filter in SQL, so only facts valid on the day leave the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from django.db import connection

from doudi.policy.registry_frames import RegistryFrames

_HOUSEHOLDS = """
SELECT DISTINCT h.id, r.code
FROM registry_household h
JOIN registry_region r ON r.id = h.region_id
JOIN registry_membership m ON m.household_id = h.id
WHERE m.start_date <= %s AND (m.end_date IS NULL OR m.end_date > %s)
"""
_PERSONS = """
SELECT m.person_id, m.household_id, m.relationship,
       CAST(p.birth_date AS TEXT), p.hukou_type
FROM registry_membership m
JOIN registry_person p ON p.id = m.person_id
WHERE m.start_date <= %s AND (m.end_date IS NULL OR m.end_date > %s)
"""
_FACTS = """
SELECT f.person_id, f.kind, f.code, f.grade, f.amount_fen
FROM registry_personfact f
JOIN registry_membership m ON m.person_id = f.person_id
WHERE f.valid_from <= %s AND (f.valid_to IS NULL OR f.valid_to > %s)
  AND m.start_date <= %s AND (m.end_date IS NULL OR m.end_date > %s)
"""
_ASSETS = """
SELECT a.household_id, a.kind, a.count, a.value_fen
FROM registry_householdasset a
WHERE a.valid_from <= %s AND (a.valid_to IS NULL OR a.valid_to > %s)
"""


def _frame(sql: str, params: list[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Run `sql` and build a frame; dates arrive as ISO text from both databases."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    as_text = {
        name: pl.Utf8 if kind == pl.Date else kind for name, kind in schema.items()
    }
    frame = pl.DataFrame(rows, schema=as_text, orient="row")
    dates = [name for name, kind in schema.items() if kind == pl.Date]
    return frame.with_columns(pl.col(name).str.to_date("%Y-%m-%d") for name in dates)


def read_registry(day: date) -> RegistryFrames:
    """Return households, persons, facts, incomes and assets valid on `day`."""
    two, four = [day, day], [day, day, day, day]
    facts = _frame(
        _FACTS,
        four,
        {
            "person_id": pl.Int64,
            "kind": pl.Utf8,
            "code": pl.Utf8,
            "grade": pl.Int8,
            "amount_fen": pl.Int64,
        },
    )
    return RegistryFrames(
        households=_frame(
            _HOUSEHOLDS, two, {"household_id": pl.Int64, "community_code": pl.Utf8}
        ),
        persons=_frame(
            _PERSONS,
            two,
            {
                "person_id": pl.Int64,
                "household_id": pl.Int64,
                "relationship": pl.Utf8,
                "birth_date": pl.Date,
                "hukou_type": pl.Utf8,
            },
        ),
        facts=facts.filter(pl.col("kind") != "income").drop("amount_fen"),
        incomes=facts.filter(pl.col("kind") == "income").select(
            "person_id",
            pl.col("code").alias("kind"),
            pl.col("amount_fen").alias("monthly_fen"),
        ),
        assets=_frame(
            _ASSETS,
            two,
            {
                "household_id": pl.Int64,
                "kind": pl.Utf8,
                "count": pl.Int32,
                "value_fen": pl.Int64,
            },
        ),
    )
