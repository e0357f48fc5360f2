"""Cycle stages of the cases app."""

from __future__ import annotations

from datetime import date

from doudi.cases import deadlines, documents
from doudi.core.cycle import register_stage


@register_stage(
    "cases.recount_deadlines",
    order=150,
    description="Recount provisional case deadlines with new holiday schedules",
)
def recount_deadlines(month: date) -> dict[str, object]:
    return {"recounted": deadlines.refresh_provisional()}


@register_stage(
    "cases.sweep_documents",
    order=160,
    description="Remove stored document files that no document row holds",
)
def sweep_documents(month: date) -> dict[str, object]:
    return {"removed": documents.sweep_orphan_files()}
