"""The latest assessment of a household, explained, for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import polars as pl
from django.utils.translation import get_language

from doudi.assessments.models import Assessment, ParameterRecord
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
    """Return the household's assessments of the latest assessed month."""
    latest = (
        Assessment.objects.filter(household_id=household_id).order_by("-month").first()
    )
    if latest is None:
        return []
    rows = Assessment.objects.filter(household_id=household_id, month=latest.month)
    record = ParameterRecord.objects.filter(
        month=latest.month, district_code=latest.district_code
    ).first()
    provenance = _provenance_frame(record.rows if record else [])
    language: Literal["zh", "en"] = (
        "en" if (get_language() or "").startswith("en") else "zh"
    )
    return [
        ExplainedAssessment(
            scheme=row.get_scheme_display(),
            eligible=row.eligible,
            amount_fen=row.amount_fen,
            month=f"{row.month:%Y-%m}",
            lines=explain(row.trace, provenance, language) if record else [],
        )
        for row in rows.order_by("scheme")
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
