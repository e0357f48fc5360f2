"""Read a delivered file into a frame of text columns, or say why it cannot be.

Every column is read as text, so that validation sees what the department
sent and can name a bad value's field instead of failing on the whole file.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import polars as pl
from django.utils.translation import gettext as _

from doudi.exchange.models import FileFormat

EXTENSIONS = {
    ".csv": FileFormat.CSV,
    ".xlsx": FileFormat.XLSX,
    ".jsonl": FileFormat.JSONL,
    ".ndjson": FileFormat.JSONL,
    ".parquet": FileFormat.PARQUET,
}
# The first bytes of each binary format: .xlsx is a ZIP archive.
MAGIC = {FileFormat.XLSX: b"PK\x03\x04", FileFormat.PARQUET: b"PAR1"}
UTF8_BOM = b"\xef\xbb\xbf"


class UnreadableFile(ValueError):
    """A file rejected whole; the message says what was wrong and where."""


@dataclass(frozen=True)
class ReadResult:
    frame: pl.DataFrame
    file_format: FileFormat
    encoding: str


def format_of(file_name: str) -> FileFormat:
    """Return the format that the file name's extension declares."""
    suffix = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    try:
        return EXTENSIONS[suffix]
    except KeyError:
        raise UnreadableFile(
            _(
                "File %(name)s has no supported extension; name it .csv, .xlsx, "
                ".jsonl or .parquet."
            )
            % {"name": file_name}
        ) from None


def read_bytes(data: bytes, file_format: FileFormat) -> ReadResult:
    """Read `data` as `file_format`; raise UnreadableFile if it cannot be read."""
    if not data.strip():
        raise UnreadableFile(_("The file is empty."))
    magic = MAGIC.get(file_format)
    if magic is not None and not data.startswith(magic):
        raise UnreadableFile(
            _("The file is not a %(format)s file, although its name says so.")
            % {"format": file_format.label}
        )
    if file_format == FileFormat.CSV:
        text, encoding = decode_text(data)
        return ReadResult(_read_csv(text), file_format, encoding)
    if file_format == FileFormat.JSONL:
        text, encoding = decode_text(data)
        return ReadResult(_read_jsonl(text), file_format, encoding)
    if file_format == FileFormat.XLSX:
        return ReadResult(_read_xlsx(data), file_format, "")
    return ReadResult(_read_parquet(data), file_format, "")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode as UTF-8 (with or without BOM), else GB18030; return (text, name)."""
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise UnreadableFile(_where(data, error, "UTF-8")) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as gb_error:
            raise UnreadableFile(
                _("The file is neither UTF-8 nor GB18030 text: %(utf8)s %(gb)s")
                % {
                    "utf8": _where(data, utf8_error, "UTF-8"),
                    "gb": _where(data, gb_error, "GB18030"),
                }
            ) from None


def _where(data: bytes, error: UnicodeDecodeError, encoding: str) -> str:
    line = data.count(b"\n", 0, error.start) + 1
    return _("As %(encoding)s it fails at byte %(byte)d (line %(line)d).") % {
        "encoding": encoding,
        "byte": error.start,
        "line": line,
    }


def _read_csv(text: str) -> pl.DataFrame:
    try:
        frame = pl.read_csv(
            text.encode("utf-8"), infer_schema=False, truncate_ragged_lines=False
        )
    except (pl.exceptions.PolarsError, ValueError) as error:
        raise UnreadableFile(
            _("The CSV text cannot be parsed: %(error)s") % {"error": _first(error)}
        ) from None
    return _strip_header(frame)


def _read_jsonl(text: str) -> pl.DataFrame:
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise UnreadableFile(
                _("Line %(line)d is not valid JSON (%(error)s).")
                % {"line": number, "error": error.msg}
            ) from None
        if not isinstance(value, dict):
            raise UnreadableFile(
                _("Line %(line)d is not a JSON object; each line must be one row.")
                % {"line": number}
            )
    try:
        frame = pl.read_ndjson(io.StringIO(text), infer_schema_length=None)
    except (pl.exceptions.PolarsError, ValueError) as error:
        raise UnreadableFile(
            _("The JSON Lines text cannot be read: %(error)s")
            % {"error": _first(error)}
        ) from None
    return _all_text(frame)


def _read_xlsx(data: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_excel(
            io.BytesIO(data), engine="calamine", infer_schema_length=0
        )
    except Exception as error:
        raise UnreadableFile(
            _("The Excel workbook cannot be read: %(error)s") % {"error": _first(error)}
        ) from None
    return _strip_header(_all_text(frame))


def _read_parquet(data: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        raise UnreadableFile(
            _("The Parquet file cannot be read: %(error)s") % {"error": _first(error)}
        ) from None
    return _all_text(frame)


def _all_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Cast every column to text; dates become ISO dates."""
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Date:
            columns.append(column.dt.to_string("%Y-%m-%d"))
        elif dtype.is_nested():
            columns.append(column.cast(pl.String, strict=False))
        else:
            columns.append(column.cast(pl.String))
    return frame.select(columns)


def _strip_header(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({name: name.strip() for name in frame.columns})


def _first(error: BaseException) -> str:
    """Return the first line of an error, which names the position if any."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
