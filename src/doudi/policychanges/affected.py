"""The households a simulated reform affects: personal data, scoped and audited."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import polars as pl
from django.http import HttpRequest

from doudi.policychanges.labels import scheme_label
from doudi.policychanges.simulations import yuan
from doudi.privacy import access, audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.registry.models import Household

OBJECT_TYPE: Final = "policychanges.affected_households"
# Rows shown on the page; the count of all affected rows is shown beside them.
AFFECTED_LIMIT: Final = 500


def affected_rows(
    user: User,
    affected: pl.DataFrame,
    districts: dict[str, str],
    request: HttpRequest,
    names: list[str],
    on: date,
) -> dict[str, Any]:
    """Return the first affected rows that the user may see, and audit the view.

    A row is one household and scheme whose eligibility or amount changes.
    """
    head = affected.head(AFFECTED_LIMIT)
    ids = head["household_id"].unique().to_list()
    visible = set(
        access.scope_households(Household.objects.filter(pk__in=ids), user).values_list(
            "pk", flat=True
        )
    )
    rows = [
        _row(row, districts)
        for row in head.iter_rows(named=True)
        if row["household_id"] in visible
    ]
    if rows:
        audit.record(
            actor=user,
            action=AuditAction.READ,
            object_type=OBJECT_TYPE,
            purpose=Purpose.DATA_QUALITY,
            request=request,
            record_count=len(visible),
            detail={"ids": sorted(visible), "parameters": names, "on": on.isoformat()},
        )
    return {"rows": rows, "total": affected.height, "limit": AFFECTED_LIMIT}


def _row(row: dict[str, Any], districts: dict[str, str]) -> dict[str, Any]:
    code = str(row["district_code"])
    return {
        "household_id": row["household_id"],
        "district": districts.get(code, code),
        "scheme": scheme_label(row["scheme"]),
        "eligible_before": row["eligible_baseline"],
        "eligible_after": row["eligible_reform"],
        "amount_before": yuan(int(row["amount_fen_baseline"] or 0)),
        "amount_after": yuan(int(row["amount_fen_reform"] or 0)),
    }
