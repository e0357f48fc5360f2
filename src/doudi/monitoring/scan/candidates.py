"""Turn fired signals and checks into the warnings a scan raises (no Django).

A household's risk score is the sum of the weights of everything that fired
for it: signals and missed or exit checks. Signals become warnings only when
that score reaches the file's `warn_at`; missed and exit checks always do.
The detail holds codes and figures only, never names or ID numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

import polars as pl

from doudi.monitoring.signals.model import SignalSet

SIGNAL_KIND: Final = "signal"
CANDIDATE_SCHEMA: Final = pl.Schema(
    {
        "household_id": pl.Int64(),
        "reason_code": pl.Utf8(),
        "kind": pl.Utf8(),
        "category": pl.Utf8(),
        "risk_cents": pl.Int64(),
        "detail": pl.Utf8(),
        "valid_until": pl.Date(),
    }
)


def candidate_warnings(
    signals: SignalSet,
    fired: pl.DataFrame,
    checks: pl.DataFrame,
    weights: Mapping[str, Decimal],
) -> pl.DataFrame:
    """Return one row per warning to raise or confirm (see CANDIDATE_SCHEMA)."""
    scores = _scores(fired, checks, weights)
    threshold = int(signals.warn_at * 100)
    signal_rows = (
        fired.join(scores, on="household_id")
        .filter(pl.col("risk_cents") >= threshold)
        .join(_signal_table(signals), on="code")
    )
    parts = [_signal_warnings(signal_rows), _check_warnings(signals, checks, scores)]
    return pl.concat(parts).sort("household_id", "reason_code")


def _scores(
    fired: pl.DataFrame, checks: pl.DataFrame, weights: Mapping[str, Decimal]
) -> pl.DataFrame:
    """Return household_id, risk_cents and the sorted codes that fired."""
    cents = pl.DataFrame(
        {
            "code": list(weights),
            "weight_cents": [int(weight * 100) for weight in weights.values()],
        },
        schema={"code": pl.Utf8(), "weight_cents": pl.Int64()},
    )
    codes = pl.concat(
        [fired.select("household_id", "code"), checks.select("household_id", "code")]
    )
    return (
        codes.join(cents, on="code", how="left")
        .group_by("household_id")
        .agg(
            pl.col("weight_cents").fill_null(0).sum().alias("risk_cents"),
            pl.col("code").sort().alias("codes"),
        )
    )


def _signal_table(signals: SignalSet) -> pl.DataFrame:
    """Return code, category and the months or days of each signal's validity."""
    return pl.DataFrame(
        {
            "code": [signal.code for signal in signals.signals],
            "category": [signal.category for signal in signals.signals],
            "validity_months": [
                signal.validity.amount if signal.validity.unit == "months" else 0
                for signal in signals.signals
            ],
            "validity_days": [
                _days(signal.validity.amount, signal.validity.unit)
                for signal in signals.signals
            ],
        },
        schema={
            "code": pl.Utf8(),
            "category": pl.Utf8(),
            "validity_months": pl.Int32(),
            "validity_days": pl.Int32(),
        },
    )


def _days(amount: int, unit: str) -> int:
    if unit == "weeks":
        return amount * 7
    return amount if unit == "days" else 0


def _signal_warnings(rows: pl.DataFrame) -> pl.DataFrame:
    months = pl.format("{}mo", pl.col("validity_months"))
    days = pl.format("{}d", pl.col("validity_days"))
    valid_until = pl.col("event_date").dt.offset_by(months).dt.offset_by(days)
    detail = pl.struct(
        pl.col("codes").alias("signals"),
        pl.col("event_date").dt.to_string("%Y-%m-%d").alias("since"),
        pl.col("members").cast(pl.Int64),
        pl.col("figure"),
    ).struct.json_encode()
    return rows.select(
        "household_id",
        pl.col("code").alias("reason_code"),
        pl.lit(SIGNAL_KIND).alias("kind"),
        "category",
        "risk_cents",
        detail.alias("detail"),
        valid_until.alias("valid_until"),
    )


def _check_warnings(
    signals: SignalSet, checks: pl.DataFrame, scores: pl.DataFrame
) -> pl.DataFrame:
    categories = pl.DataFrame(
        {
            "code": [check.code for check in signals.checks],
            "category": [check.category for check in signals.checks],
        },
        schema={"code": pl.Utf8(), "category": pl.Utf8()},
    )
    detail = pl.struct(
        pl.col("codes").alias("signals"),
        "scheme",
        "tier",
        "amount_fen",
        pl.col("month").alias("assessed_month"),
    ).struct.json_encode()
    return (
        checks.join(scores, on="household_id")
        .join(categories, on="code")
        .select(
            "household_id",
            pl.col("code").alias("reason_code"),
            "kind",
            "category",
            "risk_cents",
            detail.alias("detail"),
            pl.lit(None, dtype=pl.Date).alias("valid_until"),
        )
    )


def warning_counts(candidates: pl.DataFrame) -> dict[str, int]:
    """Return how many warnings each reason code raises or confirms."""
    counts = candidates.group_by("reason_code").len().sort("reason_code")
    return dict(counts.iter_rows())
