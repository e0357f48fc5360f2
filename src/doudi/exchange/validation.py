"""Validate a feed frame column by column with Polars expressions.

`validate` adds, for every field, its parsed value (`v_<field>`) and, for
every row, the first problem found (`_reason`, `_field`), checking fields in
schema order. Rows equal to an earlier row are marked `_duplicate` and not
validated, because they are stored once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from doudi.exchange.feeds import FeedSpec, FieldSpec, FieldType
from doudi.exchange.identity import canonical_ids
from doudi.exchange.models import QuarantineReason
from doudi.exchange.wording import problem_message

R = QuarantineReason
EARLIEST_DATE = date(1880, 1, 1)
# C0 control characters other than tab, line feed and carriage return, and
# the replacement character that decoders put where bytes were invalid.
UNDECODABLE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{FFFD}]"
AMOUNT_PATTERN = r"^(-)?([0-9]{1,15})(?:\.([0-9]{1,2}))?$"
INTEGER_PATTERN = r"^(-)?([0-9]{1,9})(?:\.0+)?$"
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d")
ROW = "row_number"


class MissingColumns(ValueError):
    """Required columns absent from the header; `.columns` names them."""

    def __init__(self, columns: list[str]) -> None:
        super().__init__(", ".join(columns))
        self.columns = columns


@dataclass(frozen=True)
class Context:
    """Reference values for validation: today and the known region codes."""

    today: date
    region_codes: Collection[str]


def prepare(frame: pl.DataFrame, feed: FeedSpec) -> pl.DataFrame:
    """Rename headers to column names, add missing optional columns, number rows.

    Raises MissingColumns if a required column (or resident_id) is absent.
    """
    aliases = {
        alias: name
        for alias, name in _aliases(feed).items()
        if alias in frame.columns and alias != name
    }
    frame = frame.rename(aliases)
    wanted = {*feed.required, "resident_id"}
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        raise MissingColumns(sorted(missing))
    absent = [spec.name for spec in feed.fields if spec.name not in frame.columns]
    return frame.with_columns(
        *(pl.lit(None, dtype=pl.String).alias(name) for name in absent),
    ).with_row_index(ROW, offset=1)


def _aliases(feed: FeedSpec) -> dict[str, str]:
    aliases = {spec.element: spec.name for spec in feed.fields}
    aliases.update({spec.name: spec.name for spec in feed.fields})
    return aliases


def validate(frame: pl.DataFrame, feed: FeedSpec, context: Context) -> pl.DataFrame:
    """Add `_duplicate`, `_reason`, `_field` and the parsed `v_` columns.

    `_field` names the failing column, or `range_<end column>` when an end
    date is not after its start date.
    """
    raw_columns = [name for name in frame.columns if name != ROW]
    frame = frame.with_columns(
        (~pl.struct(raw_columns).is_first_distinct()).alias("_duplicate"),
        *(_clean(spec.name).alias(f"c_{spec.name}") for spec in feed.fields),
    )
    # Other resident IDs (a spouse's) are parsed by canonical_ids, which
    # works on a whole column. Every other step is one lazy query.
    frame = frame.with_columns(
        canonical_ids(frame[f"c_{spec.name}"], context.today)["canonical"].alias(
            f"v_{spec.name}"
        )
        for spec in feed.fields
        if spec.type == FieldType.RESIDENT_ID and spec.name != "resident_id"
    )
    parsed = [
        _parse(spec, context).alias(f"v_{spec.name}")
        for spec in feed.fields
        if f"v_{spec.name}" not in frame.columns
    ]
    problems = [_problem(spec, context).alias(f"p_{spec.name}") for spec in feed.fields]
    problems += [
        _range_problem(start, end).alias(f"p_range_{end}") for start, end in feed.ranges
    ]
    order = [spec.name for spec in feed.fields] + [
        f"range_{end}" for _, end in feed.ranges
    ]
    reason = pl.coalesce([pl.col(f"p_{name}") for name in order])
    field = pl.coalesce(
        [
            pl.when(pl.col(f"p_{name}").is_not_null()).then(pl.lit(name))
            for name in order
        ]
    )
    duplicate = pl.col("_duplicate")
    return (
        frame.lazy()
        .with_columns(parsed)
        .with_columns(problems)
        .with_columns(
            pl.when(duplicate).then(None).otherwise(reason).alias("_reason"),
            pl.when(duplicate).then(None).otherwise(field).alias("_field"),
        )
        .drop([f"p_{name}" for name in order])
        .collect()
    )


def _clean(name: str) -> pl.Expr:
    """Strip surrounding whitespace; an empty value is a missing value."""
    value = pl.col(name).str.strip_chars()
    return pl.when(value == "").then(None).otherwise(value)


def _parse(spec: FieldSpec, context: Context) -> pl.Expr:
    value = pl.col(f"c_{spec.name}")
    kind = spec.type
    if kind == FieldType.DATE:
        return parse_date(value)
    if kind == FieldType.MONTH:
        return parse_month(value)
    if kind == FieldType.AMOUNT:
        return parse_hundredths(value)
    if kind == FieldType.DECIMAL:
        hundredths = parse_hundredths(value)
        return pl.format(
            "{}.{}",
            hundredths // 100,
            (hundredths % 100).cast(pl.String).str.zfill(2),
        )
    if kind == FieldType.INTEGER:
        return parse_integer(value)
    if kind == FieldType.CODE:
        return value.str.to_lowercase()
    return value


def parse_date(value: pl.Expr) -> pl.Expr:
    """Parse YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD; a time of day is ignored."""
    head = value.str.split_exact(" ", 1).struct.field("field_0").str.split("T")
    day = head.list.first()
    return pl.coalesce(
        [day.str.to_date(pattern, strict=False, exact=True) for pattern in DATE_FORMATS]
    )


def parse_month(value: pl.Expr) -> pl.Expr:
    """Parse YYYY-MM, YYYYMM or YYYY/MM (or a date) as that month's first day."""
    parts = value.str.extract_groups(r"^([0-9]{4})[-/]?([0-9]{2})(?:[-/]?[0-9]{2})?")
    text = pl.format("{}-{}-01", parts.struct.field("1"), parts.struct.field("2"))
    return text.str.to_date("%Y-%m-%d", strict=False)


def parse_hundredths(value: pl.Expr) -> pl.Expr:
    """Parse a decimal with at most two places into an integer of hundredths.

    Thousands separators are removed. The sign is kept, so a negative amount
    can be reported as such. No float is involved, so no value is rounded.
    """
    text = value.str.replace_all(",", "", literal=True).str.replace_all(" ", "")
    parts = text.str.extract_groups(AMOUNT_PATTERN)
    whole = parts.struct.field("2").cast(pl.Int64, strict=False)
    cents = parts.struct.field("3").fill_null("0").str.pad_end(2, "0").cast(pl.Int64)
    magnitude = whole * 100 + cents
    return pl.when(parts.struct.field("1") == "-").then(-magnitude).otherwise(magnitude)


def parse_integer(value: pl.Expr) -> pl.Expr:
    parts = value.str.extract_groups(INTEGER_PATTERN)
    magnitude = parts.struct.field("2").cast(pl.Int64, strict=False)
    return pl.when(parts.struct.field("1") == "-").then(-magnitude).otherwise(magnitude)


def _problem(spec: FieldSpec, context: Context) -> pl.Expr:
    """Return the first problem of this field's value, or null."""
    raw = pl.col(f"c_{spec.name}")
    parsed = pl.col(f"v_{spec.name}")
    checks: list[tuple[pl.Expr, QuarantineReason]] = [
        (raw.str.contains(UNDECODABLE), R.UNDECODABLE_TEXT),
    ]
    if spec.required:
        checks.append((raw.is_null(), R.MISSING_VALUE))
    checks += _type_checks(spec, raw, parsed, context)
    expression = pl.lit(None, dtype=pl.String)
    for condition, reason in reversed(checks):
        expression = (
            pl.when(condition.fill_null(False))
            .then(pl.lit(reason.value))
            .otherwise(expression)
        )
    return expression


def _type_checks(
    spec: FieldSpec, raw: pl.Expr, parsed: pl.Expr, context: Context
) -> list[tuple[pl.Expr, QuarantineReason]]:
    present = raw.is_not_null()
    kind = spec.type
    if kind in (FieldType.DATE, FieldType.MONTH):
        checks = [
            (present & (parsed.is_null() | (parsed < EARLIEST_DATE)), R.INVALID_VALUE)
        ]
        # Events and records cannot lie ahead, but an end of validity may.
        if not spec.ends_validity:
            checks.append((parsed > context.today, R.FUTURE_DATE))
        return checks
    if kind in (FieldType.AMOUNT, FieldType.DECIMAL):
        hundredths = parsed if kind == FieldType.AMOUNT else parse_hundredths(raw)
        return [
            (present & hundredths.is_null(), R.INVALID_VALUE),
            (hundredths < 0, R.NEGATIVE_AMOUNT),
        ]
    if kind == FieldType.INTEGER:
        return [
            (present & parsed.is_null(), R.INVALID_VALUE),
            (parsed < 0, R.NEGATIVE_AMOUNT),
        ]
    if kind == FieldType.CODE:
        return [(present & ~parsed.is_in(list(spec.allowed)), R.INVALID_VALUE)]
    if kind == FieldType.REGION:
        return [(present & ~raw.is_in(list(context.region_codes)), R.UNKNOWN_REGION)]
    if kind == FieldType.RESIDENT_ID and spec.name != "resident_id":
        return [(present & parsed.is_null(), R.INVALID_VALUE)]
    return []


def _range_problem(start: str, end: str) -> pl.Expr:
    ends_first = pl.col(f"v_{end}") <= pl.col(f"v_{start}")
    return (
        pl.when(ends_first.fill_null(False))
        .then(pl.lit(R.INVALID_VALUE.value))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def messages(feed: FeedSpec) -> Mapping[tuple[str, str], str]:
    """Return the operator's message for each (reason, `_field`) pair."""
    pairs = {(reason.value, spec.name) for reason in R for spec in feed.fields} | {
        (R.INVALID_VALUE.value, f"range_{end}") for _, end in feed.ranges
    }
    return {
        (reason, name): problem_message(feed, reason, name) for reason, name in pairs
    }
