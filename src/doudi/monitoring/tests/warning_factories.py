"""Warnings made directly in the database, as a scan would write them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from doudi.monitoring.models import Warning, WarningKind, WarningStatus
from doudi.registry.models import Household


def make_warning(
    household: Household,
    *,
    reason_code: str = "income_drop",
    kind: WarningKind = WarningKind.SIGNAL,
    category: str = "income",
    respond_by: date | None = None,
    raised_at: datetime | None = None,
    status: WarningStatus = WarningStatus.NEW,
    risk_score: str = "3.00",
) -> Warning:
    """Create a warning for `household` in its community; due in 5 days by default."""
    raised = raised_at or timezone.now()
    region = household.region
    return Warning.objects.create(
        household=household,
        region=region,
        region_path=region.path,
        kind=kind,
        reason_code=reason_code,
        category=category,
        risk_score=Decimal(risk_score),
        detail={"signals": [reason_code]},
        status=status,
        first_seen_at=raised,
        last_seen_at=raised,
        respond_by=respond_by or timezone.localdate(raised) + timedelta(days=5),
    )
