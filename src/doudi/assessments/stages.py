"""The monthly cycle stage that assesses every household with the policy engine."""

from __future__ import annotations

import calendar
import hashlib
import json
import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from doudi.assessments.models import Assessment, ParameterRecord
from doudi.assessments.registry_inputs import read_registry
from doudi.core.bulk import insert_frame
from doudi.core.cycle import register_stage
from doudi.policy import PolicyParameters
from doudi.policy.engine import assess
from doudi.policy.registry_frames import inputs_from_frames
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction

logger = logging.getLogger(__name__)


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
    rows = _assessment_frame(result.schemes, result.households, month)
    digest = hashlib.sha256(
        rows.select("household_id", "scheme", "amount_fen").write_csv().encode()
    )

    with transaction.atomic():
        Assessment.objects.filter(month=month).delete()
        ParameterRecord.objects.filter(month=month).delete()
        ParameterRecord.objects.bulk_create(
            _parameter_records(result.provenance, month)
        )
        insert_frame(Assessment._meta.db_table, rows)
        audit.record_batch(
            action=AuditAction.BATCH,
            object_type="assessments.assessment",
            record_count=rows.height,
            checksum=digest.hexdigest(),
            detail={"month": month.isoformat()},
        )

    eligible = int(rows["eligible"].sum())
    logger.info("assessed %d households for %s", frames.households.height, month)
    return {
        "households": frames.households.height,
        "assessments": rows.height,
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


def _assessment_frame(
    schemes: Mapping[str, pl.DataFrame], households: pl.DataFrame, month: date
) -> pl.DataFrame:
    """Build the assessment rows, with each row's trace encoded as JSON text.

    The trace is the scheme's result row joined with the household's shared
    trace; Polars encodes it, dates as ISO text, for every row at once.
    """
    now = timezone.now().isoformat(sep=" ")
    frames = []
    for scheme, frame in schemes.items():
        wide = frame.join(households, on="household_id", how="left", suffix="_shared")
        frames.append(
            wide.select(
                pl.col("household_id"),
                month=pl.lit(month.isoformat()),
                scheme=pl.lit(scheme),
                district_code=pl.col("district_code").cast(pl.Utf8),
                eligible=pl.col("eligible").fill_null(False),
                amount_fen=pl.col("amount_fen").fill_null(0).cast(pl.Int64),
                recommended_tier=pl.col("recommended_tier").cast(pl.Utf8).fill_null(""),
                trace=pl.struct(pl.all()).struct.json_encode(),
                assessed_at=pl.lit(now),
            )
        )
    return pl.concat(frames)
