"""Read the registry as of a day into the frames the policy engine maps to inputs.

Each table is one SQL query with the date filter in SQL. It runs on Django's
connection, so that it reads the rows of the caller's open transaction too.
The database renders the rows as CSV and Polars parses it, so no row becomes
a Python object: PostgreSQL streams the CSV through COPY TO STDOUT, and
SQLite builds it with printf and group_concat, one text value per range of
ids. Facts are kept for current members by a join in Polars, which is faster
than the same join in either database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import polars as pl
from django.db import connection

from doudi.policy.registry_frames import RegistryFrames

# Ids per SQLite query, so that one group_concat text stays well below
# SQLite's default maximum string length of 1,000,000,000 bytes: a fact row
# is about 30 bytes, and a synthetic person has about 3 facts.
SQLITE_IDS_PER_QUERY: Final = 4_000_000


@dataclass(frozen=True)
class Query:
    """A query whose output columns are `columns`, in order.

    `key` is an output column holding ids of `key_table`; SQLite reads the
    rows in ranges of those ids. `not_null` names text columns that the
    schema declares NOT NULL, which SQLite can quote in fewer steps.
    """

    sql: str
    columns: dict[str, pl.DataType]
    key: str
    key_table: str
    not_null: frozenset[str] = frozenset()


_HOUSEHOLDS = Query(
    """
    SELECT h.id AS household_id, r.code AS community_code
    FROM registry_household h
    JOIN registry_region r ON r.id = h.region_id
    """,
    {"household_id": pl.Int64(), "community_code": pl.Utf8()},
    key="household_id",
    key_table="registry_household",
    not_null=frozenset({"community_code"}),
)
_PERSONS = Query(
    """
    SELECT m.person_id, m.household_id, m.relationship, p.birth_date, p.hukou_type
    FROM registry_membership m
    JOIN registry_person p ON p.id = m.person_id
    WHERE m.start_date <= %s AND (m.end_date IS NULL OR m.end_date > %s)
    """,
    {
        "person_id": pl.Int64(),
        "household_id": pl.Int64(),
        "relationship": pl.Utf8(),
        "birth_date": pl.Date(),
        "hukou_type": pl.Utf8(),
    },
    key="person_id",
    key_table="registry_person",
    not_null=frozenset({"relationship", "hukou_type"}),
)
_FACTS = Query(
    """
    SELECT f.person_id, f.kind, f.code, f.grade, f.amount_fen
    FROM registry_personfact f
    WHERE f.valid_from <= %s AND (f.valid_to IS NULL OR f.valid_to > %s)
    """,
    {
        "person_id": pl.Int64(),
        "kind": pl.Utf8(),
        "code": pl.Utf8(),
        "grade": pl.Int8(),
        "amount_fen": pl.Int64(),
    },
    key="person_id",
    key_table="registry_person",
    not_null=frozenset({"kind", "code"}),
)
_ASSETS = Query(
    """
    SELECT a.household_id, a.kind, a.count, a.value_fen
    FROM registry_householdasset a
    WHERE a.valid_from <= %s AND (a.valid_to IS NULL OR a.valid_to > %s)
    """,
    {
        "household_id": pl.Int64(),
        "kind": pl.Utf8(),
        "count": pl.Int32(),
        "value_fen": pl.Int64(),
    },
    key="household_id",
    key_table="registry_household",
    not_null=frozenset({"kind"}),
)


def read_registry(day: date) -> RegistryFrames:
    """Return households, persons, facts, incomes and assets valid on `day`.

    Households and facts are those of persons who are members on `day`.
    """
    persons = read_query(_PERSONS, [day, day])
    members = persons.select("person_id")
    facts = read_query(_FACTS, [day, day]).join(members, on="person_id", how="semi")
    households = read_query(_HOUSEHOLDS, []).join(
        persons.select("household_id").unique(), on="household_id", how="semi"
    )
    return RegistryFrames(
        households=households,
        persons=persons,
        facts=facts.filter(pl.col("kind") != "income").drop("amount_fen"),
        incomes=facts.filter(pl.col("kind") == "income").select(
            "person_id",
            pl.col("code").alias("kind"),
            pl.col("amount_fen").alias("monthly_fen"),
        ),
        assets=read_query(_ASSETS, [day, day]),
    )


def read_query(query: Query, params: list[Any]) -> pl.DataFrame:
    """Run `query` on Django's connection and parse its rows as CSV."""
    if connection.vendor == "postgresql":
        return _parse_csv(_copy_out(query.sql, params), query.columns)
    frames = [
        _parse_csv(text, query.columns) for text in _sqlite_csv_chunks(query, params)
    ]
    if not frames:
        return pl.DataFrame(schema=query.columns)
    return pl.concat(frames)


def _parse_csv(data: bytes, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """Parse CSV without a header; an unquoted empty field is null."""
    if not data:
        return pl.DataFrame(schema=columns)
    return pl.read_csv(data, has_header=False, schema=columns)


def _copy_out(sql: str, params: list[Any]) -> bytes:
    # psycopg merges the parameters into the statement on the client, because
    # the server takes no parameters in COPY.
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    data = bytearray()
    # Each block is a view of one row in libpq's memory. Appending it to one
    # buffer is several times faster than keeping the views for a join.
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for block in copy:
            data += block
    return bytes(data)


def _sqlite_csv_chunks(query: Query, params: list[Any]) -> list[bytes]:
    """Return the rows as CSV text, one text per range of key ids.

    Text columns are quoted with inner quotes doubled, and a null becomes an
    unquoted empty field, which Polars reads as null. The unary + on the key
    keeps SQLite scanning the table instead of walking an index per range.
    """
    formats, fields = zip(
        *(_sqlite_csv_field(query, name, kind) for name, kind in query.columns.items()),
        strict=True,
    )
    # Django turns %s into a placeholder and %% into %, so formats use %%.
    line = f"printf('{','.join(formats)}', {', '.join(fields)})"
    sql = (
        f"SELECT CAST(group_concat({line}, char(10)) AS BLOB) "  # noqa: S608
        f"FROM ({query.sql}) WHERE +{query.key} BETWEEN %s AND %s"
    )
    chunks = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {query.key_table}")  # noqa: S608
        first, last = cursor.fetchone()
        if first is None:
            return []
        for start in range(first, last + 1, SQLITE_IDS_PER_QUERY):
            end = start + SQLITE_IDS_PER_QUERY - 1
            cursor.execute(sql, [*params, start, end])
            text = cursor.fetchone()[0]
            if text:
                chunks.append(bytes(text))
    return chunks


def _sqlite_csv_field(query: Query, name: str, kind: pl.DataType) -> tuple[str, str]:
    """Return a column's printf format and argument.

    %w doubles double quotes. It renders a null as (NULL), so a column that
    may be null gets its quotes only when it has a value.
    """
    if kind != pl.Utf8:
        return "%%s", name
    if name in query.not_null:
        return '"%%w"', name
    return "%%s", f"""iif({name} IS NULL, '', printf('"%%w"', {name}))"""
