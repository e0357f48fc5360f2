"""Write feed rows as the files departments send: CSV, .xlsx, JSON Lines, Parquet.

Every writer is deterministic: the same rows give the same bytes. Files in
GB18030 and .xlsx use the Chinese data element names as headers and compact
date forms (20250105, 2025/01/05), as many department exports do; the others
use the English column names and ISO dates.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

import polars as pl
import xlsxwriter  # type: ignore[import-untyped]

from doudi.synth.feed_context import FEN_PER_YUAN


class FileFormat(StrEnum):
    CSV_UTF8 = "csv_utf8"
    CSV_GB18030 = "csv_gb18030"
    XLSX = "xlsx"
    JSONL = "jsonl"
    PARQUET = "parquet"


EXTENSIONS: Final = {
    FileFormat.CSV_UTF8: "csv",
    FileFormat.CSV_GB18030: "csv",
    FileFormat.XLSX: "xlsx",
    FileFormat.JSONL: "jsonl",
    FileFormat.PARQUET: "parquet",
}
# The creation time written into every .xlsx, so that files are reproducible.
XLSX_CREATED: Final = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Column:
    """One column of a feed file: its name, header text and field type."""

    name: str
    element: str
    type: str


@dataclass(frozen=True)
class Style:
    chinese_headers: bool
    date_format: str
    month_format: str


STYLES: Final = {
    FileFormat.CSV_UTF8: Style(False, "%Y-%m-%d", "%Y-%m"),
    FileFormat.CSV_GB18030: Style(True, "%Y%m%d", "%Y%m"),
    FileFormat.XLSX: Style(True, "%Y/%m/%d", "%Y/%m"),
    FileFormat.JSONL: Style(False, "%Y-%m-%d", "%Y-%m"),
    FileFormat.PARQUET: Style(False, "%Y-%m-%d", "%Y-%m"),
}


def _hundredths_text(column: str) -> pl.Expr:
    """Format integer hundredths (fen) as text with two decimals, like -12.05."""
    value = pl.col(column)
    magnitude = value.abs()
    sign = pl.when(value < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    cents = (magnitude % FEN_PER_YUAN).cast(pl.Utf8).str.zfill(2)
    return pl.format("{}{}.{}", sign, magnitude // FEN_PER_YUAN, cents)


def _text(column: Column, style: Style, keep_dates: bool) -> pl.Expr:
    value = pl.col(column.name)
    if column.type == "date":
        return value if keep_dates else value.dt.strftime(style.date_format)
    if column.type == "month":
        return value.dt.strftime(style.month_format)
    if column.type in ("amount", "decimal"):
        return _hundredths_text(column.name)
    return value.cast(pl.Utf8)


def file_frame(
    rows: pl.DataFrame, columns: Sequence[Column], file_format: FileFormat
) -> pl.DataFrame:
    """Return the rows as the columns of a file in ``file_format``.

    Parquet keeps dates typed; every other value is text.
    """
    style = STYLES[file_format]
    keep_dates = file_format == FileFormat.PARQUET
    return rows.select(
        _text(column, style, keep_dates).alias(
            column.element if style.chinese_headers else column.name
        )
        for column in columns
    )


def file_bytes(frame: pl.DataFrame, file_format: FileFormat) -> bytes:
    """Serialise a frame from ``file_frame``."""
    if file_format == FileFormat.CSV_UTF8:
        return frame.write_csv().encode("utf-8")
    if file_format == FileFormat.CSV_GB18030:
        return frame.write_csv().encode("gb18030")
    if file_format == FileFormat.JSONL:
        return frame.write_ndjson().encode("utf-8")
    if file_format == FileFormat.PARQUET:
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        return buffer.getvalue()
    return xlsx_bytes(frame)


def xlsx_bytes(frame: pl.DataFrame) -> bytes:
    """Write one worksheet of text cells, with a fixed creation time."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": XLSX_CREATED})
    sheet = workbook.add_worksheet("data")
    sheet.write_row(0, 0, frame.columns)
    for number, row in enumerate(frame.iter_rows(), start=1):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write_string(number, column, value)
    workbook.close()
    return buffer.getvalue()


def truncated_xlsx(frame: pl.DataFrame) -> bytes:
    """Return the first half of a workbook, as an interrupted transfer leaves it."""
    data = xlsx_bytes(frame)
    return data[: len(data) // 2]


def utf16_csv(frame: pl.DataFrame) -> bytes:
    """Return CSV text in UTF-16, an encoding the exchange does not accept."""
    return frame.write_csv().encode("utf-16")


def wrong_header_csv(frame: pl.DataFrame) -> bytes:
    """Return CSV text whose identity columns carry headers nobody agreed on."""
    renamed = frame.rename(
        {
            name: f"{name}_号码"
            for name in frame.columns
            if name in ("resident_id", "公民身份号码", "name", "姓名")
        }
    )
    return renamed.write_csv().encode("utf-8")
