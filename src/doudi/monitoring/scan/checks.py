"""Missed assistance and exit checks from the latest stored assessment.

Missed: the engine says a household may qualify for a scheme while it has
no award (in payment, suspended or in gradual exit) and no open application
for it. Exit: an award in payment while the engine says the household no
longer qualifies. Both are phrased as questions for a person to verify.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

import polars as pl

from doudi.assessments.models import AssessmentRun
from doudi.assessments.registry_inputs import Query, read_query
from doudi.cases.models import CaseKind
from doudi.monitoring.models import WarningKind
from doudi.monitoring.scan.reading import SCOPE_TABLE
from doudi.monitoring.signals.model import CheckDefinition
from doudi.payments.models import AwardStatus

CHECKS_SCHEMA: Final = pl.Schema(
    {
        "household_id": pl.Int64(),
        "code": pl.Utf8(),
        "kind": pl.Utf8(),
        "scheme": pl.Utf8(),
        "amount_fen": pl.Int64(),
        "tier": pl.Utf8(),
        "month": pl.Utf8(),
    }
)
# An award in any of these statuses means the household is enrolled.
ENROLLED: Final = (AwardStatus.ACTIVE, AwardStatus.SUSPENDED, AwardStatus.GRADUAL_EXIT)

_ELIGIBLE = Query(
    """
    SELECT a.household_id, a.scheme, a.amount_fen, a.recommended_tier
    FROM assessments_assessment a
    WHERE a.run_id = %s AND a.eligible
    """,
    {
        "household_id": pl.Int64(),
        "scheme": pl.Utf8(),
        "amount_fen": pl.Int64(),
        "recommended_tier": pl.Utf8(),
    },
    key="household_id",
    key_table="registry_household",
    not_null=frozenset({"scheme", "recommended_tier"}),
)
_AWARDED = Query(
    f"""
    SELECT w.household_id, w.scheme, w.status,
      CASE WHEN a.eligible THEN 1 WHEN NOT a.eligible THEN 0 END AS eligible
    FROM payments_award w
    LEFT JOIN assessments_assessment a
      ON a.run_id = %s AND a.scheme = w.scheme AND a.household_id = w.household_id
    WHERE w.status IN ({", ".join(["%s"] * len(ENROLLED))})
    """,  # noqa: S608
    {
        "household_id": pl.Int64(),
        "scheme": pl.Utf8(),
        "status": pl.Utf8(),
        "eligible": pl.Int8(),
    },
    key="household_id",
    key_table="registry_household",
    not_null=frozenset({"scheme", "status"}),
)
_OPEN_CASES = Query(
    """
    SELECT c.household_id, c.scheme FROM cases_case c
    WHERE c.closed_at IS NULL AND c.kind = %s
    """,
    {"household_id": pl.Int64(), "scheme": pl.Utf8()},
    key="household_id",
    key_table="registry_household",
    not_null=frozenset({"scheme"}),
)


def check_frame(checks: list[CheckDefinition], *, scoped: bool = False) -> pl.DataFrame:
    """Return one row per household and fired check (see CHECKS_SCHEMA).

    With `scoped`, only for the households in the scan's scope table.
    """
    run = AssessmentRun.objects.order_by("-month").first()
    if run is None or not checks:
        return pl.DataFrame(schema=CHECKS_SCHEMA)
    month = run.month.isoformat()
    awarded = read_query(_scoped(_AWARDED, "w", scoped), [run.pk, *ENROLLED])
    missed = _missed(
        run.pk, awarded, _schemes(checks, WarningKind.MISSED), scoped=scoped
    )
    exits = _exits(awarded, _schemes(checks, WarningKind.EXIT))
    return (
        pl.concat([missed, exits])
        .with_columns(month=pl.lit(month))
        .select(list(CHECKS_SCHEMA))
    )


def _schemes(checks: list[CheckDefinition], kind: str) -> list[str]:
    return [check.scheme for check in checks if check.kind == kind]


def _scoped(query: Query, alias: str, scoped: bool) -> Query:
    """Return `query` limited to the scope table's households when `scoped`."""
    if not scoped:
        return query
    join = f"JOIN {SCOPE_TABLE} s ON s.household_id = {alias}.household_id WHERE"
    return replace(query, sql=query.sql.replace("WHERE", join, 1))


def _missed(
    run_id: int, awarded: pl.DataFrame, schemes: list[str], *, scoped: bool
) -> pl.DataFrame:
    eligible = read_query(_scoped(_ELIGIBLE, "a", scoped), [run_id]).filter(
        pl.col("scheme").is_in(schemes)
    )
    open_cases = read_query(_scoped(_OPEN_CASES, "c", scoped), [CaseKind.APPLICATION])
    keys = ["household_id", "scheme"]
    missed = eligible.join(awarded.select(keys), on=keys, how="anti").join(
        open_cases, on=keys, how="anti"
    )
    return missed.select(
        "household_id",
        (pl.lit(f"{WarningKind.MISSED.value}:") + pl.col("scheme")).alias("code"),
        pl.lit(WarningKind.MISSED.value).alias("kind"),
        "scheme",
        "amount_fen",
        pl.col("recommended_tier").alias("tier"),
        pl.lit(None, dtype=pl.Utf8).alias("month"),
    )


def _exits(awarded: pl.DataFrame, schemes: list[str]) -> pl.DataFrame:
    # An award with no assessment row (a household not assessed) is left alone.
    exits = awarded.filter(
        (pl.col("status") == AwardStatus.ACTIVE.value)
        & pl.col("scheme").is_in(schemes)
        & (pl.col("eligible") == 0)
    ).unique(["household_id", "scheme"])
    return exits.select(
        "household_id",
        (pl.lit(f"{WarningKind.EXIT.value}:") + pl.col("scheme")).alias("code"),
        pl.lit(WarningKind.EXIT.value).alias("kind"),
        "scheme",
        pl.lit(None, dtype=pl.Int64).alias("amount_fen"),
        pl.lit("").alias("tier"),
        pl.lit(None, dtype=pl.Utf8).alias("month"),
    )
