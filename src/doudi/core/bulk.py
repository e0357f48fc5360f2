"""Insert a Polars frame into a table through each database's bulk path.

PostgreSQL takes the rows through COPY (CSV) and SQLite through
`executemany`, both on Django's connection, so they join the caller's
transaction.
"""

from __future__ import annotations

import polars as pl
from django.db import connection

CHUNK = 20_000


def insert_frame(table: str, frame: pl.DataFrame) -> None:
    """Insert every row of `frame`; its column names are the table's columns."""
    if connection.vendor == "postgresql":
        _copy_postgres(table, frame)
    else:
        _executemany(table, frame)


def _executemany(table: str, frame: pl.DataFrame) -> None:
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * frame.width)
    columns = ", ".join(quote(c) for c in frame.columns)
    sql = f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for offset in range(0, frame.height, CHUNK):
            cursor.executemany(sql, frame.slice(offset, CHUNK).rows())


def _copy_postgres(table: str, frame: pl.DataFrame) -> None:
    """Stream `frame` as CSV into COPY; a null is an unquoted empty field."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in frame.columns)
    sql = f"COPY {quote(table)} ({columns}) FROM STDIN WITH (FORMAT csv)"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(sql) as copy:
            for offset in range(0, frame.height, CHUNK * 5):
                chunk = frame.slice(offset, CHUNK * 5)
                copy.write(
                    chunk.write_csv(include_header=False, quote_style="non_numeric")
                )
