"""The monthly cycle stage that assesses every household with the policy engine."""

from __future__ import annotations

import calendar
import hashlib
import json
import logging
import time
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from doudi.assessments import storage
from doudi.assessments.models import (
    Assessment,
    AssessmentRun,
    ParameterRecord,
    TraceChunk,
)
from doudi.assessments.registry_inputs import read_registry
from doudi.core.cycle import register_stage
from doudi.policy.engine import Assessment as EngineAssessment
from doudi.policy.engine import assess
from doudi.policy.registry_frames import inputs_from_frames
from doudi.policychanges.effective import effective_parameters
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction
from doudi.verification.engine_inputs import with_verified

logger = logging.getLogger(__name__)

# Trace chunks per INSERT: each contains a Parquet value of about 150 KB.
TRACE_CHUNKS_PER_INSERT: Final = 20


@register_stage(
    "policy.assess",
    order=300,
    description="Assess every household for every scheme, with the rules' trace",
)
def assess_month(month: date) -> dict[str, object]:
    """Assess all households as of the month's last day; a re-run replaces it.

    The month's assessments, trace chunks and parameter records are replaced
    in one transaction, so readers see either the old month or the new one.
    """
    day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    started = time.perf_counter()
    frames = read_registry(day)
    if frames.households.is_empty():
        return {"households": 0, "as_of": day.isoformat()}
    read_s = time.perf_counter() - started

    # The shipped files plus every change a second officer approved.
    params = effective_parameters()

    city = settings.DOUDI_CITY
    inputs = inputs_from_frames(frames, city_name=city)
    # Department records replace declarations for recently verified households.
    inputs, verified = with_verified(inputs, day)
    result = assess(inputs, params, city=city, on=day)
    chunks = storage.encode_trace(
        storage.trace_frame(result.households, result.schemes)
    )
    rows = _assessment_rows(result.schemes, result.households, month)
    assess_s = time.perf_counter() - started - read_s

    _store_run(month, day, result, chunks, rows)
    write_s = time.perf_counter() - started - read_s - assess_s

    households = result.households.height
    logger.info(
        "assessed %d households for %s: read %.1f s, assess %.1f s, write %.1f s",
        households,
        month,
        read_s,
        assess_s,
        write_s,
    )
    return {
        "households": households,
        "assessments": rows.height,
        "may_qualify": int(rows["eligible"].sum()),
        "verified_households": verified,
        "as_of": day.isoformat(),
        "read_s": round(read_s, 1),
        "assess_s": round(assess_s, 1),
        "write_s": round(write_s, 1),
    }


def _store_run(
    month: date,
    day: date,
    result: EngineAssessment,
    chunks: list[storage.EncodedChunk],
    rows: pl.DataFrame,
) -> None:
    """Replace the month's run, rows, trace and parameters in one transaction."""
    digest = hashlib.sha256(
        rows.select("household_id", "scheme", "amount_fen").write_csv().encode()
    )
    with transaction.atomic():
        _delete_month(month)
        run = AssessmentRun.objects.create(
            month=month,
            as_of=day,
            households=result.households.height,
            assessed_at=timezone.now(),
        )
        ParameterRecord.objects.bulk_create(
            _parameter_records(result.provenance, month)
        )
        TraceChunk.objects.bulk_create(
            (chunk.model(run) for chunk in chunks),
            batch_size=TRACE_CHUNKS_PER_INSERT,
        )
        storage.insert_assessments(rows.with_columns(run_id=pl.lit(run.pk)))
        audit.record_batch(
            action=AuditAction.BATCH,
            object_type="assessments.assessment",
            record_count=rows.height,
            checksum=digest.hexdigest(),
            detail={"month": month.isoformat()},
        )


def _delete_month(month: date) -> None:
    runs = list(AssessmentRun.objects.filter(month=month).values_list("pk", flat=True))
    # By run id alone, so that the DELETE is a range of the primary key.
    Assessment.objects.filter(run_id__in=runs).delete()
    TraceChunk.objects.filter(run_id__in=runs).delete()
    AssessmentRun.objects.filter(pk__in=runs).delete()
    ParameterRecord.objects.filter(month=month).delete()


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
    schemes: Mapping[str, pl.DataFrame], households: pl.DataFrame, month: date
) -> pl.DataFrame:
    """Build one slim row per household and scheme, in primary key order.

    A scheme without an amount (temporary assistance) stores 0; its trace
    keeps the null.
    """
    districts = households.select("household_id", "district_code")
    frames = []
    for scheme in sorted(schemes):
        frame = schemes[scheme].join(districts, on="household_id", how="left")
        frames.append(
            frame.sort("household_id").select(
                month=pl.lit(month.isoformat()),
                scheme=pl.lit(scheme),
                household_id=pl.col("household_id"),
                district_code=pl.col("district_code").cast(pl.Utf8),
                eligible=pl.col("eligible").fill_null(False),
                amount_fen=pl.col("amount_fen").fill_null(0).cast(pl.Int64),
                recommended_tier=pl.col("recommended_tier").cast(pl.Utf8).fill_null(""),
            )
        )
    return pl.concat(frames)
