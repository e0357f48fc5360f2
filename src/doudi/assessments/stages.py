"""The monthly cycle stage that assesses every household with the policy engine."""

from __future__ import annotations

import calendar
import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from doudi.assessments.models import Assessment, ParameterRecord
from doudi.assessments.registry_inputs import read_registry
from doudi.core.cycle import register_stage
from doudi.policy import PolicyParameters
from doudi.policy.engine import assess
from doudi.policy.registry_frames import inputs_from_frames
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction

logger = logging.getLogger(__name__)
BATCH = 5000


@register_stage(
    "policy.assess",
    order=300,
    description="Assess every household for every scheme, with the rules' trace",
)
def assess_month(month: date) -> dict[str, object]:
    """Assess all households as of the month's last day; a re-run replaces it."""
    day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    frames = read_registry(day)
    if frames.households.is_empty():
        return {"households": 0, "as_of": day.isoformat()}
    city = settings.DOUDI_CITY
    inputs = inputs_from_frames(frames, city_name=city)
    result = assess(inputs, PolicyParameters.load(), city=city, on=day)
    rows = list(_assessment_rows(result.schemes, result.households, month))
    digest = hashlib.sha256()
    with transaction.atomic():
        Assessment.objects.filter(month=month).delete()
        ParameterRecord.objects.filter(month=month).delete()
        ParameterRecord.objects.bulk_create(
            _parameter_records(result.provenance, month)
        )
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            for row in chunk:
                digest.update(
                    f"{row.household_id}|{row.scheme}|{row.amount_fen}".encode()
                )
            Assessment.objects.bulk_create(chunk)
        audit.record_batch(
            action=AuditAction.BATCH,
            object_type="assessments.assessment",
            record_count=len(rows),
            checksum=digest.hexdigest(),
            detail={"month": month.isoformat()},
        )
    eligible = sum(1 for row in rows if row.eligible)
    logger.info("assessed %d households for %s", frames.households.height, month)
    return {
        "households": frames.households.height,
        "assessments": len(rows),
        "may_qualify": eligible,
        "as_of": day.isoformat(),
    }


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(row, default=str))
    return result


def _parameter_records(provenance: pl.DataFrame, month: date) -> list[ParameterRecord]:
    by_district: dict[str, list[dict[str, Any]]] = {}
    for row in provenance.iter_rows(named=True):
        by_district.setdefault(str(row["district_code"]), []).append(_jsonable(row))
    return [
        ParameterRecord(month=month, district_code=district, rows=rows)
        for district, rows in by_district.items()
    ]


def _assessment_rows(
    schemes: Any, households: pl.DataFrame, month: date
) -> Iterator[Assessment]:
    now = timezone.now()
    shared = {row["household_id"]: row for row in households.iter_rows(named=True)}
    for scheme, frame in schemes.items():
        for row in frame.iter_rows(named=True):
            household = shared[row["household_id"]]
            yield Assessment(
                household_id=row["household_id"],
                month=month,
                scheme=scheme,
                district_code=str(household["district_code"]),
                eligible=bool(row["eligible"]),
                amount_fen=int(row["amount_fen"] or 0),
                recommended_tier=str(row.get("recommended_tier") or ""),
                trace=_jsonable({**household, **row}),
                assessed_at=now,
            )
