"""Scan the city's facts for signals of difficulty, missed assistance and exits.

`run_scan` is the one entry point: the nightly task, the `doudi scan`
command, the cycle stage and the policy officer's weight preview call it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import polars as pl
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from doudi.assessments.models import AssessmentRun
from doudi.exchange.models import ExchangeFact
from doudi.monitoring.models import (
    OPEN_STATUSES,
    ScanKind,
    ScanRun,
    SignalWeight,
    Warning,
    WarningKind,
)
from doudi.monitoring.scan.candidates import candidate_warnings, warning_counts
from doudi.monitoring.scan.checks import check_frame
from doudi.monitoring.scan.reading import (
    fill_scope,
    read_changed_households,
    read_frames,
)
from doudi.monitoring.scan.writing import split_open, write_warnings
from doudi.monitoring.signals import signal_set
from doudi.monitoring.signals.evaluate import evaluate
from doudi.monitoring.signals.model import SignalSet
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.registry.models import PersonFact

logger = logging.getLogger(__name__)

__all__ = ["ScanResult", "run_scan", "weights_in_force"]


@dataclass(frozen=True)
class ScanResult:
    """The findings of a scan, or of a dry run.

    `fired` counts households per signal or check code that fired, before
    the `warn_at` threshold. `warnings` counts the warnings per reason code
    that the scan raised or confirmed (would raise or confirm, in a dry run).
    """

    kind: str
    dry_run: bool
    scan_id: int | None
    households_scanned: int
    households_at_risk: int
    fired: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "households_scanned": self.households_scanned,
            "households_at_risk": self.households_at_risk,
            "warnings_created": self.created,
            "warnings_updated": self.updated,
            "fired": self.fired,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 2),
        }


def weights_in_force(
    signals: SignalSet, overrides: Mapping[str, Decimal] | None = None
) -> dict[str, Decimal]:
    """Return each code's weight: `overrides`, else a SignalWeight, else YAML."""
    weights = {signal.code: signal.weight for signal in signals.signals}
    weights.update({check.code: check.weight for check in signals.checks})
    saved = SignalWeight.objects.filter(code__in=list(weights))
    weights.update({row.code: row.weight for row in saved})
    for code, weight in (overrides or {}).items():
        if code not in weights:
            raise ValueError(
                f"weight for unknown signal {code!r}: use one of "
                + ", ".join(sorted(weights))
            )
        weights[code] = Decimal(weight)
    return weights


def run_scan(
    *,
    incremental: bool = False,
    weights: Mapping[str, Decimal] | None = None,
    dry_run: bool = False,
) -> ScanResult:
    """Scan the city (or only what changed since the last scan) and raise warnings.

    An incremental scan with no earlier scan runs in full. A dry run writes
    nothing, not even a ScanRun, and returns the counts the scan would give,
    so a policy officer can preview `weights` before saving them. The scan
    runs in one transaction, so readers see all of its warnings or none.
    """
    started = time.perf_counter()
    signals = signal_set()
    in_force = weights_in_force(signals, weights)
    with transaction.atomic():
        result = _scan(signals, in_force, incremental=incremental, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
    seconds = time.perf_counter() - started
    logger.info(
        "%s scan%s: %d households, %d created, %d updated in %.1f s",
        result.kind,
        " (dry run)" if dry_run else "",
        result.households_scanned,
        result.created,
        result.updated,
        seconds,
    )
    return replace(result, seconds=seconds)


def _scan(
    signals: SignalSet,
    weights: Mapping[str, Decimal],
    *,
    incremental: bool,
    dry_run: bool,
) -> ScanResult:
    now = timezone.now()
    day = timezone.localdate(now)
    previous = ScanRun.objects.filter(finished_at__isnull=False).first()
    kind = ScanKind.INCREMENTAL if incremental and previous else ScanKind.FULL
    marks = _watermarks()

    if kind == ScanKind.INCREMENTAL:
        assert previous is not None
        checks = _incremental_checks(signals, previous, day)
        frames = read_frames(signals, day, scoped=True)
    else:
        checks = check_frame(list(signals.checks))
        frames = read_frames(signals, day, scoped=False)

    fired = evaluate(signals, frames, day)
    candidates = candidate_warnings(signals, fired, checks, weights)
    scanned = frames.persons["household_id"].n_unique()
    at_risk = candidates["household_id"].n_unique()
    fired_counts = _fired_counts(fired, checks)
    counts = warning_counts(candidates)
    if dry_run:
        return ScanResult(kind, True, None, scanned, at_risk, fired_counts, counts)

    run = ScanRun.objects.create(
        kind=kind,
        started_at=now,
        fact_watermark=marks["exchange"],
        recorded_watermark=now,
        summary={"person_fact_watermark": marks["registry"]},
    )
    new, existing = split_open(candidates)
    written = write_warnings(signals, new, existing, scan_id=run.pk, now=now, day=day)
    result = ScanResult(
        kind,
        False,
        run.pk,
        scanned,
        at_risk,
        fired_counts,
        counts,
        written.created,
        written.updated,
    )
    _finish(run, result, marks, candidates)
    return result


def _watermarks() -> dict[str, int]:
    # NOTE: a transaction that commits after this read with a lower id than
    # the watermark (ids are handed out before commit) is missed by the next
    # incremental scan; the next full scan reads it.
    registry = PersonFact.objects.aggregate(top=Max("pk"))["top"] or 0
    exchange = ExchangeFact.objects.aggregate(top=Max("pk"))["top"] or 0
    return {"registry": registry, "exchange": exchange}


def _incremental_checks(
    signals: SignalSet, previous: ScanRun, day: date
) -> pl.DataFrame:
    """Fill the scope table for an incremental scan and return its checks.

    The scope is the households with new facts or new ages. When an
    assessment ran since the previous scan, it also takes the households
    with a missed or exit check that has no open warning yet; otherwise the
    checks can only have changed where awards or cases changed, which the
    next full scan reads.
    """
    since = timezone.localdate(previous.started_at)
    changed = read_changed_households(
        signals,
        day,
        since,
        int(previous.summary.get("person_fact_watermark", 0)),
        previous.fact_watermark,
    )
    latest = AssessmentRun.objects.order_by("-assessed_at").first()
    if latest is None or latest.assessed_at < previous.started_at:
        fill_scope(changed)
        return check_frame(list(signals.checks), scoped=True)

    checks = check_frame(list(signals.checks))
    unwarned = checks.join(_open_checks(), on=["household_id", "code"], how="anti")
    scope = pl.concat([changed, unwarned["household_id"]]).unique()
    fill_scope(scope)
    return checks.join(scope.to_frame(), on="household_id", how="semi")


def _open_checks() -> pl.DataFrame:
    warned = Warning.objects.filter(
        status__in=OPEN_STATUSES, kind__in=[WarningKind.MISSED, WarningKind.EXIT]
    ).values_list("household_id", "reason_code")
    return pl.DataFrame(
        list(warned),
        schema={"household_id": pl.Int64(), "code": pl.Utf8()},
        orient="row",
    )


def _fired_counts(fired: pl.DataFrame, checks: pl.DataFrame) -> dict[str, int]:
    codes = pl.concat([fired.select("code"), checks.select("code")])
    counts = codes.group_by("code").len().sort("code")
    return dict(counts.iter_rows())


def _finish(
    run: ScanRun,
    result: ScanResult,
    marks: dict[str, int],
    candidates: pl.DataFrame,
) -> None:
    run.finished_at = timezone.now()
    run.households_scanned = result.households_scanned
    run.warnings_created = result.created
    run.warnings_updated = result.updated
    run.summary = {"person_fact_watermark": marks["registry"], **result.summary()}
    run.save()
    digest = hashlib.sha256(
        candidates.select("household_id", "reason_code", "risk_cents")
        .write_csv()
        .encode()
    )
    audit.record_batch(
        action=AuditAction.BATCH,
        object_type="monitoring.warning",
        record_count=result.created + result.updated,
        checksum=digest.hexdigest(),
        purpose=Purpose.MONITORING,
        detail={"scan": run.pk, "kind": result.kind},
    )
