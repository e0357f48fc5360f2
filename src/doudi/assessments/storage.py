"""Write a month's assessments and their trace in bulk, and read a trace back.

Each household and scheme gets one slim `Assessment` row. The trace, the
values each rule used, is one row per household: the values shared by all
schemes and each scheme's own columns, named `<scheme>.<column>`. Rows are
sorted by household id and cut into chunks of HOUSEHOLDS_PER_CHUNK, each
stored as one Parquet value in `TraceChunk`, so that showing one household
decodes one chunk. The explanation text is rendered from it when someone
opens it.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final

import polars as pl
from django.db import connection

from doudi.assessments.models import Assessment, AssessmentRun, TraceChunk
from doudi.core.bulk import insert_frame
from doudi.policy.schemes import result_name

# A chunk of 5,000 households is about 150 KB of Parquet, and one household
# is read from it in about 2 ms (measured on 100,000 synthetic households).
HOUSEHOLDS_PER_CHUNK: Final = 5_000
# Scheme columns are named as in the engine's wide frame: `dibao.eligible`.
SCHEME_SEPARATOR: Final = result_name("", "")
# Rows per INSERT statement on SQLite, within its limit on parameters, and
# statements per slice of rows turned into Python tuples.
SQLITE_ROWS_PER_INSERT: Final = 1_000
INSERTS_PER_SLICE: Final = 100


def trace_frame(
    households: pl.DataFrame, schemes: Mapping[str, pl.DataFrame]
) -> pl.DataFrame:
    """Join the shared trace and every scheme's columns, one row per household."""
    trace = households
    for scheme, frame in schemes.items():
        columns = [
            name for name in frame.columns if name not in ("household_id", "scheme")
        ]
        prefixed = frame.select(
            "household_id",
            *(pl.col(name).alias(result_name(scheme, name)) for name in columns),
        )
        trace = trace.join(prefixed, on="household_id", how="left")
    return trace.sort("household_id")


@dataclass(frozen=True)
class EncodedChunk:
    """A range of households' trace rows, encoded as Parquet."""

    first_household_id: int
    last_household_id: int
    parquet: bytes

    def model(self, run: AssessmentRun) -> TraceChunk:
        return TraceChunk(
            run=run,
            first_household_id=self.first_household_id,
            last_household_id=self.last_household_id,
            parquet=self.parquet,
        )


def encode_trace(trace: pl.DataFrame) -> list[EncodedChunk]:
    """Cut a trace sorted by household id into chunks encoded as Parquet."""
    chunks = []
    for offset in range(0, trace.height, HOUSEHOLDS_PER_CHUNK):
        part = trace.slice(offset, HOUSEHOLDS_PER_CHUNK)
        ids = part.get_column("household_id")
        buffer = io.BytesIO()
        part.write_parquet(buffer, compression="zstd", statistics=False)
        chunks.append(EncodedChunk(ids[0], ids[-1], buffer.getvalue()))
    return chunks


def read_trace_rows(run_id: int, household_id: int) -> dict[str, dict[str, Any]]:
    """Return each scheme's trace row for a household, as `Assessment.row` does.

    Returns an empty dict when the run has no trace for the household.
    """
    chunk = (
        TraceChunk.objects.filter(run_id=run_id, first_household_id__lte=household_id)
        .order_by("-first_household_id")
        .only("last_household_id", "parquet")
        .first()
    )
    if chunk is None or chunk.last_household_id < household_id:
        return {}
    found = pl.read_parquet(bytes(chunk.parquet)).filter(
        pl.col("household_id") == household_id
    )
    if found.is_empty():
        return {}
    return _rows_by_scheme(found.row(0, named=True))


def _rows_by_scheme(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    shared = {k: v for k, v in values.items() if SCHEME_SEPARATOR not in k}
    rows: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        scheme, separator, column = name.partition(SCHEME_SEPARATOR)
        if separator:
            rows.setdefault(scheme, {**shared, "scheme": scheme})[column] = value
    return rows


def insert_assessments(rows: pl.DataFrame) -> None:
    """Insert assessment rows; their column names are the table's columns.

    PostgreSQL takes them through COPY. SQLite takes SQLITE_ROWS_PER_INSERT
    rows per INSERT statement, which took about 40 % less time than one row
    per statement (1,000,000 rows, 2 cores). Rows become Python tuples one
    slice at a time, so that millions of them never exist at once.
    """
    if connection.vendor != "sqlite":
        insert_frame(Assessment._meta.db_table, rows)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in rows.columns)
    one_row = f"({', '.join(['%s'] * rows.width)})"
    per_insert = min(SQLITE_ROWS_PER_INSERT, _sqlite_max_parameters() // rows.width)
    table = quote(Assessment._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    many_rows = sql + ", ".join([one_row] * per_insert)
    with connection.cursor() as cursor:
        for offset in range(0, rows.height, per_insert * INSERTS_PER_SLICE):
            values = rows.slice(offset, per_insert * INSERTS_PER_SLICE).rows()
            full = len(values) - len(values) % per_insert
            if full:
                cursor.executemany(many_rows, _flat_batches(values[:full], per_insert))
            if full < len(values):
                cursor.executemany(sql + one_row, values[full:])


def _flat_batches(values: list[tuple[Any, ...]], size: int) -> list[list[Any]]:
    return [
        list(chain.from_iterable(values[start : start + size]))
        for start in range(0, len(values), size)
    ]


def _sqlite_max_parameters() -> int:
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
