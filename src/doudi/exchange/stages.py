"""Cycle stage of the exchange: ingest what departments dropped in the inbox."""

from __future__ import annotations

from datetime import date

from doudi.core.cycle import register_stage
from doudi.exchange.inbox import process_inbox


@register_stage(
    "exchange.inbox",
    order=100,
    description="Ingest department files waiting in the inbox",
)
def ingest_inbox(month: date) -> dict[str, object]:
    """Ingest every waiting file; the month does not select files."""
    return process_inbox().summary()
