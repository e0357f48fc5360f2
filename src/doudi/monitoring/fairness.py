"""Warning rates, precision and recall by group, against the whole city (no Django).

The input has one row per person or household, with group columns
(district, age group, sex, disability) and a boolean `warned` column. An
optional boolean column says whether the row is truly in need: ground
truth in the synthetic city, or a warning that led to help on the
officer's page.

- warning rate: warned rows / rows
- precision: warned rows in need / warned rows
- recall: warned rows in need / rows in need

A group is flagged for a measure when it differs from the city's value by
more than `threshold_points` percentage points. Groups with fewer than
`min_count` rows are reported but never flagged, because a rate over a few
rows moves by many points with one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any, Final

import polars as pl

GROUP_COLUMNS: Final = ("district", "age_group", "sex", "disability")
DEFAULT_THRESHOLD_POINTS: Final = 5.0
UNKNOWN: Final = "unknown"
# Age bands: children, working age, young old, oldest old. 16 and 60 are
# the ages at which Chinese assistance rules change a person's treatment.
AGE_BANDS: Final = ((0, "0-15"), (16, "16-59"), (60, "60-79"), (80, "80+"))
MEASURES: Final = ("warning_rate", "precision", "recall")


@dataclass(frozen=True)
class GroupMetrics:
    """The measures of one group (or of the city, with column "city")."""

    column: str
    group: str
    rows: int
    warned: int
    in_need: int | None
    warned_in_need: int | None
    warning_rate: float | None
    precision: float | None
    recall: float | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FairnessReport:
    city: GroupMetrics
    groups: list[GroupMetrics]
    threshold_points: float
    flagged: list[GroupMetrics] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready values (rates as fractions)."""
        return {
            "threshold_points": self.threshold_points,
            "city": asdict(self.city),
            "groups": [asdict(group) for group in self.groups],
            "flagged": [
                {"column": g.column, "group": g.group, "flags": list(g.flags)}
                for g in self.flagged
            ],
        }


def age_group(age: int) -> str:
    """Return the age band of an age in whole years."""
    label = AGE_BANDS[0][1]
    for lowest, band in AGE_BANDS:
        if age >= lowest:
            label = band
    return label


def age_group_expr(age_column: str = "age") -> pl.Expr:
    """Return a Polars expression mapping an age column to its age band."""
    expression = pl.lit(AGE_BANDS[0][1])
    for lowest, band in AGE_BANDS[1:]:
        expression = (
            pl.when(pl.col(age_column) >= lowest)
            .then(pl.lit(band))
            .otherwise(expression)
        )
    return expression.alias("age_group")


def fairness_report(
    frame: pl.DataFrame,
    *,
    groups: Sequence[str] = GROUP_COLUMNS,
    warned: str = "warned",
    in_need: str | None = None,
    threshold_points: float = DEFAULT_THRESHOLD_POINTS,
    min_count: int = 1,
) -> FairnessReport:
    """Measure each group of each column in `groups` against the whole frame.

    Raises ValueError naming a missing column. Without `in_need`, precision
    and recall are None.
    """
    _check_columns(frame, [*groups, warned, *([in_need] if in_need else [])])
    data = frame.select(
        *[pl.col(c).cast(pl.Utf8).fill_null(UNKNOWN) for c in groups],
        pl.col(warned).cast(pl.Boolean).fill_null(False).alias("_warned"),
        (
            pl.col(in_need).cast(pl.Boolean).fill_null(False)
            if in_need
            else pl.lit(None, dtype=pl.Boolean)
        ).alias("_in_need"),
    )
    has_truth = in_need is not None
    city = _metrics(_totals(data, []).row(0, named=True), "city", "city", has_truth)
    rows = [
        _metrics(row, column, str(row[column]), has_truth)
        for column in groups
        for row in _totals(data, [column]).sort(column).iter_rows(named=True)
    ]
    flagged_rows = [_flag(row, city, threshold_points, min_count) for row in rows]
    return FairnessReport(
        city=city,
        groups=flagged_rows,
        threshold_points=threshold_points,
        flagged=[row for row in flagged_rows if row.flags],
    )


def _check_columns(frame: pl.DataFrame, needed: Sequence[str]) -> None:
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise ValueError(
            f"fairness input lacks column(s) {', '.join(missing)}; "
            f"it has {', '.join(frame.columns)}"
        )


def _totals(data: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    sums = [
        pl.len().alias("rows"),
        pl.col("_warned").sum().alias("warned"),
        pl.col("_in_need").sum().alias("in_need"),
        (pl.col("_warned") & pl.col("_in_need")).sum().alias("warned_in_need"),
    ]
    if not by:
        return data.select(sums)
    return data.group_by(by).agg(sums)


def _ratio(numerator: int | None, denominator: int | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _metrics(
    row: dict[str, Any], column: str, group: str, has_truth: bool
) -> GroupMetrics:
    rows, warned = int(row["rows"]), int(row["warned"] or 0)
    in_need = int(row["in_need"] or 0) if has_truth else None
    hits = int(row["warned_in_need"] or 0) if has_truth else None
    return GroupMetrics(
        column=column,
        group=group,
        rows=rows,
        warned=warned,
        in_need=in_need,
        warned_in_need=hits,
        warning_rate=_ratio(warned, rows),
        precision=_ratio(hits, warned),
        recall=_ratio(hits, in_need),
    )


def _flag(
    group: GroupMetrics, city: GroupMetrics, threshold_points: float, min_count: int
) -> GroupMetrics:
    if group.rows < min_count:
        return group
    # Compare exact fractions: in floats 0.55 - 0.50 exceeds 0.05.
    limit = Fraction(str(threshold_points)) / 100
    flags = []
    for measure in MEASURES:
        value, overall = _exact(group, measure), _exact(city, measure)
        if value is None or overall is None:
            continue
        if abs(value - overall) > limit:
            flags.append(measure)
    return GroupMetrics(**{**asdict(group), "flags": tuple(flags)})


def _exact(metrics: GroupMetrics, measure: str) -> Fraction | None:
    parts = {
        "warning_rate": (metrics.warned, metrics.rows),
        "precision": (metrics.warned_in_need, metrics.warned),
        "recall": (metrics.warned_in_need, metrics.in_need),
    }
    numerator, denominator = parts[measure]
    if numerator is None or not denominator:
        return None
    return Fraction(numerator, denominator)
