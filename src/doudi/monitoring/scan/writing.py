"""Write a scan's warnings in bulk: insert new ones, update open ones.

One open warning per household and reason: a candidate that matches an open
warning updates its risk score, detail, validity and last-seen time; any
other is inserted. Both go through temporary tables and set-based SQL, so
no row becomes a model instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

import polars as pl
from django.db import connection

from doudi.assessments.registry_inputs import Query, read_query
from doudi.core.bulk import insert_frame
from doudi.monitoring.models import OPEN_STATUSES, Warning, WarningStatus
from doudi.monitoring.scan.reading import SCOPE_TABLE, fill_scope, read_regions
from doudi.monitoring.signals.model import LimitUnit, ResponseLimit, SignalSet
from doudi.workdays.calendar import add_working_days

UPDATE_TABLE: Final = "monitoring_scan_update"

_OPEN = Query(
    f"""
    SELECT w.id, w.household_id, w.reason_code FROM monitoring_warning w
    JOIN {SCOPE_TABLE} s ON s.household_id = w.household_id
    WHERE w.status IN ({", ".join(["%s"] * len(OPEN_STATUSES))})
    """,  # noqa: S608
    {"id": pl.Int64(), "household_id": pl.Int64(), "reason_code": pl.Utf8()},
    key="household_id",
    key_table="registry_household",
    not_null=frozenset({"reason_code"}),
)


@dataclass(frozen=True)
class Written:
    created: int
    updated: int


def split_open(candidates: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (new, existing): candidates without and with an open warning.

    `existing` carries the open warning's `id`. Fills the scope table with
    the candidates' households.
    """
    fill_scope(candidates["household_id"])
    open_rows = read_query(_OPEN, [str(status) for status in OPEN_STATUSES])
    keys = ["household_id", "reason_code"]
    existing = candidates.join(open_rows, on=keys, how="inner")
    new = candidates.join(open_rows, on=keys, how="anti")
    return new, existing


def write_warnings(
    signals: SignalSet,
    new: pl.DataFrame,
    existing: pl.DataFrame,
    *,
    scan_id: int,
    now: datetime,
    day: date,
) -> Written:
    """Insert `new` and update `existing` warnings (see `split_open`)."""
    if new.height:
        _insert(signals, new, scan_id=scan_id, now=now, day=day)
    if existing.height:
        _update(existing, now=now)
    return Written(new.height, existing.height)


def _insert(
    signals: SignalSet, new: pl.DataFrame, *, scan_id: int, now: datetime, day: date
) -> None:
    regions = read_regions(scoped=True)
    stamp = now.isoformat(sep=" ")
    rows = new.join(regions, on="household_id").select(
        "household_id",
        "region_id",
        "region_path",
        "kind",
        "reason_code",
        "category",
        _money(pl.col("risk_cents")).alias("risk_score"),
        "detail",
        pl.lit(WarningStatus.NEW.value).alias("status"),
        pl.lit("").alias("outcome"),
        pl.lit("").alias("closing_note"),
        pl.lit(stamp).alias("first_seen_at"),
        pl.lit(stamp).alias("last_seen_at"),
        pl.col("valid_until").dt.to_string("%Y-%m-%d"),
        _respond_by(signals, day).alias("respond_by"),
        pl.lit(scan_id, dtype=pl.Int64).alias("scan_id"),
        pl.lit(0, dtype=pl.Int64).alias("version"),
    )
    insert_frame(Warning._meta.db_table, rows)


def _money(cents: pl.Expr) -> pl.Expr:
    """Render integer hundredths as exact decimal text such as 12.50."""
    return pl.format("{}.{}", cents // 100, (cents % 100).cast(pl.Utf8).str.zfill(2))


def _respond_by(signals: SignalSet, day: date) -> pl.Expr:
    """Return each warning's deadline as ISO text, from its own limit or the file's."""
    limits = {signal.code: signal.respond_within for signal in signals.signals}
    limits.update({check.code: check.respond_within for check in signals.checks})
    default = deadline(signals.respond_within, day).isoformat()
    mapping = {
        code: deadline(limit, day).isoformat()
        for code, limit in limits.items()
        if limit is not None
    }
    return pl.col("reason_code").replace_strict(mapping, default=default)


def deadline(limit: ResponseLimit, day: date) -> date:
    """Return the last day to respond to a warning raised on `day`."""
    if limit.unit == LimitUnit.WORKING_DAYS:
        return add_working_days(day, limit.amount).due
    return date.fromordinal(day.toordinal() + limit.amount)


def _update(existing: pl.DataFrame, *, now: datetime) -> None:
    """Update the scan-owned fields; `scan` stays the scan that raised it."""
    _create_update_table()
    insert_frame(
        UPDATE_TABLE,
        existing.select(
            "id",
            _money(pl.col("risk_cents")).alias("risk_score"),
            "detail",
            pl.col("valid_until").dt.to_string("%Y-%m-%d"),
        ),
    )
    if connection.vendor == "postgresql":
        # Without statistics the planner may scan the warnings table.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {UPDATE_TABLE}")
    detail = "u.detail::jsonb" if connection.vendor == "postgresql" else "u.detail"
    table = Warning._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET risk_score = u.risk_score, detail = {detail}, "  # noqa: S608
            "valid_until = u.valid_until, last_seen_at = %s "
            f"FROM {UPDATE_TABLE} u WHERE {table}.id = u.id",
            [now],
        )


def _create_update_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {UPDATE_TABLE} "
            "(id bigint PRIMARY KEY, risk_score numeric(8, 2), detail text, "
            "valid_until date)"
        )
        cursor.execute(f"DELETE FROM {UPDATE_TABLE}")  # noqa: S608
