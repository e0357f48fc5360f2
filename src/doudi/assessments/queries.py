"""The latest assessment of a household, explained, for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import polars as pl
from django.utils.translation import get_language

from doudi.assessments import storage
from doudi.assessments.models import (
    Assessment,
    AssessmentRun,
    ParameterRecord,
    Scheme,
)
from doudi.policy.engine import PROVENANCE_SCHEMA
from doudi.policy.explain import explain


@dataclass(frozen=True)
class ExplainedAssessment:
    scheme: str
    eligible: bool
    amount_fen: int
    month: str
    lines: list[str]

    @property
    def amount_yuan(self) -> str:
        return f"{Decimal(self.amount_fen) / 100:.2f}"


def latest_for(household_id: int) -> list[ExplainedAssessment]:
    """Return the household's assessments of the latest month that has them."""
    runs = AssessmentRun.objects.order_by("-month").values_list("pk", flat=True)
    for run_id in runs:
        # All three key fields, so that each database probes its primary key.
        rows = list(
            Assessment.objects.filter(
                run_id=run_id, scheme__in=Scheme.values, household_id=household_id
            ).order_by("scheme")
        )
        if rows:
            return _explained(rows, run_id, household_id)
    return []


def _explained(
    rows: list[Assessment], run_id: int, household_id: int
) -> list[ExplainedAssessment]:
    month, district_code = rows[0].month, rows[0].district_code
    record = ParameterRecord.objects.filter(
        month=month, district_code=district_code
    ).first()
    provenance = _provenance_frame(record.rows if record else [])
    traces = storage.read_trace_rows(run_id, household_id) if record else {}
    language: Literal["zh", "en"] = (
        "en" if (get_language() or "").startswith("en") else "zh"
    )
    return [
        ExplainedAssessment(
            scheme=row.get_scheme_display(),
            eligible=row.eligible,
            amount_fen=row.amount_fen,
            month=f"{row.month:%Y-%m}",
            lines=(
                explain(traces[row.scheme], provenance, language)
                if row.scheme in traces
                else []
            ),
        )
        for row in rows
    ]


def _provenance_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Rebuild the engine's provenance frame from its stored JSON rows."""
    text_schema = {
        name: pl.Utf8 if kind == pl.Date else kind
        for name, kind in PROVENANCE_SCHEMA.items()
    }
    frame = (
        pl.DataFrame(rows, schema=text_schema, orient="row")
        if rows
        else (pl.DataFrame(schema=text_schema))
    )
    return frame.with_columns(
        pl.col(name).str.to_date("%Y-%m-%d")
        for name, kind in PROVENANCE_SCHEMA.items()
        if kind == pl.Date
    )
