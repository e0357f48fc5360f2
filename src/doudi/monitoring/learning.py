"""What each signal's warnings led to, for the policy officer (no Django import).

A warning "led to help" when it was resolved as benefit delivered, as a new
case pushed to the responsible agency, or as a referral for a case-by-case
decision. A re-check of current assistance is not counted as help, because
it checks assistance the household already has. A warning closed as no
need is not help either. The share of help is taken over the warnings that
ended (resolved or closed), since an open warning has no outcome yet.
Time to resolution is in days from when the warning was first raised to
when it ended, over the warnings that ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

HELP_OUTCOMES: Final = ("benefit_delivered", "new_case", "case_by_case")
ENDED_STATUSES: Final = ("resolved", "closed")

# The frame `signal_outcomes` reads: one row per warning.
WARNINGS_SCHEMA: Final = {
    "reason_code": pl.Utf8(),
    "status": pl.Utf8(),
    "outcome": pl.Utf8(),
    "first_seen_at": pl.Datetime("us", "UTC"),
    "closed_at": pl.Datetime("us", "UTC"),
}
SECONDS_PER_DAY: Final = 86_400


@dataclass(frozen=True)
class SignalOutcome:
    reason_code: str
    warnings: int
    open: int
    ended: int
    helped: int
    # None while no warning of the signal has ended.
    help_share: float | None
    median_days_to_resolution: float | None


def signal_outcomes(warnings: pl.DataFrame) -> list[SignalOutcome]:
    """Return per reason code: counts, share that led to help, median days to end.

    `warnings` has the columns of WARNINGS_SCHEMA. Rows come out most
    warnings first, then by code.
    """
    ended = pl.col("status").is_in(ENDED_STATUSES)
    helped = ended & pl.col("outcome").is_in(HELP_OUTCOMES)
    days = (pl.col("closed_at") - pl.col("first_seen_at")).dt.total_seconds() / (
        SECONDS_PER_DAY
    )
    table = (
        warnings.lazy()
        .group_by("reason_code")
        .agg(
            pl.len().alias("warnings"),
            ended.sum().alias("ended"),
            helped.sum().alias("helped"),
            days.filter(ended).median().alias("median_days"),
        )
        .sort(["warnings", "reason_code"], descending=[True, False])
        .collect()
    )
    return [_outcome(row) for row in table.iter_rows(named=True)]


def _outcome(row: dict[str, object]) -> SignalOutcome:
    count, ended, helped = (
        int(str(row[key])) for key in ("warnings", "ended", "helped")
    )
    median = row["median_days"]
    return SignalOutcome(
        reason_code=str(row["reason_code"]),
        warnings=count,
        open=count - ended,
        ended=ended,
        helped=helped,
        help_share=helped / ended if ended else None,
        median_days_to_resolution=float(str(median)) if median is not None else None,
    )
