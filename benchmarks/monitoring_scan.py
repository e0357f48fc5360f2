"""Time the monitoring scan, full and incremental, on SQLite and PostgreSQL.

Usage: python benchmarks/monitoring_scan.py --households 100000
         [--facts-per-household 10] [--change-share 0.01]
         [--databases both|sqlite|postgres] [--no-assess]
         [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
         [--postgres-db doudi_bench_scan]

Each database gets a fresh synthetic city, built by one process and not
timed: the registry from `doudi.synth`, then department facts of the kinds
monitoring may use (medical claims, disability certificates, unemployment,
utility arrears, school enrolment, registration events) until the city has
`--facts-per-household` facts per household in all, then the month's
policy assessment (unless --no-assess), so the missed and exit checks have
something to read. Then, each in its own process:

1. a full scan (`run_scan()`), timed;
2. a change to `--change-share` of the facts: as many new facts, half
   registry facts and half department facts, on random persons (not timed);
3. an incremental scan (`run_scan(incremental=True)`), timed.

The last line printed is one JSON object. `scan_full_s` and
`scan_incremental_s` are PostgreSQL's figures when PostgreSQL ran, else
SQLite's; per-database figures carry the database in their names.
`dedup_s` and `dedup_peak_rss_mb` stay null here; the duplicate detection
benchmark fills them.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from common import (
    add_database_options,
    chosen,
    migrate_and_load_city,
    peak_rss_mb,
    run_child,
    setup_django,
    time_databases,
)

SEED = 11
# Shares of the department facts by kind, and each kind's item and codes.
KINDS: dict[str, tuple[float, str, tuple[str, ...]]] = {
    "medical_claim": (0.40, "medical_out_of_pocket", ("",)),
    "school_enrolment": (0.20, "schooling", ("enrolled", "enrolled", "dropped_out")),
    "utility_arrears": (0.15, "utility_arrears", ("water", "electricity", "gas")),
    "unemployment": (0.10, "unemployment", ("registered", "deregistered")),
    "disability_certificate": (0.10, "disability", ("physical", "visual", "mental")),
    "household_registration": (0.05, "registration", ("move_in", "move_out", "death")),
}
REGISTRY_CHANGES = ("illness", "care_level", "disability")


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def _build(households: int, facts_per_household: int, assess: bool) -> None:
    setup_django()
    from django.db import connection

    city = migrate_and_load_city(households, SEED, _today())
    registry_facts = city.facts.height + city.incomes.height
    wanted = max(0, households * facts_per_household - registry_facts)
    _add_exchange_facts(wanted, np.random.default_rng(SEED))
    if assess:
        from doudi.assessments.stages import assess_month

        assess_month(_today().replace(day=1))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
    print(json.dumps({"registry_facts": registry_facts, "exchange_facts": wanted}))


def _batches() -> dict[str, int]:
    """Create one data source and one stored batch per kind; return batch ids."""
    from doudi.exchange.models import Batch, BatchStatus, Channel, DataSource

    source, _ = DataSource.objects.get_or_create(
        code="bench-scan",
        defaults={"department": "benchmark", "kinds": list(KINDS)},
    )
    ids = {}
    for kind in KINDS:
        batch = Batch.objects.create(
            source=source,
            kind=kind,
            checksum=f"{time.time_ns():064d}"[-64:],
            channel=Channel.INBOX,
            file_format="parquet",
            status=BatchStatus.STORED,
        )
        ids[kind] = batch.pk
    return ids


def _person_range() -> tuple[int, int]:
    from django.db.models import Max, Min

    from doudi.registry.models import Person

    bounds = Person.objects.aggregate(low=Min("pk"), high=Max("pk"))
    return int(bounds["low"]), int(bounds["high"])


def _add_exchange_facts(count: int, rng: np.random.Generator) -> None:
    from django.db import transaction

    from doudi.core.bulk import insert_frame

    if count == 0:
        return
    low, high = _person_range()
    with transaction.atomic():
        batches = _batches()
        for kind, (share, item, codes) in KINDS.items():
            rows = int(count * share)
            frame = _exchange_frame(kind, item, codes, rows, batches[kind], rng)
            frame = frame.with_columns(
                person_id=pl.Series(rng.integers(low, high + 1, rows))
            )
            insert_frame("exchange_exchangefact", frame)


def _exchange_frame(
    kind: str,
    item: str,
    codes: tuple[str, ...],
    rows: int,
    batch_id: int,
    rng: np.random.Generator,
) -> pl.DataFrame:
    today = _today()
    days_back = rng.integers(0, 540, rows)
    valid_from = [(today - timedelta(days=int(days))).isoformat() for days in days_back]
    category = {"medical_claim": "spending", "household_registration": "event"}
    return pl.DataFrame(
        {
            "batch_id": pl.Series([batch_id] * rows, dtype=pl.Int64),
            "row_number": pl.Series(np.arange(1, rows + 1), dtype=pl.Int64),
            "person_id": pl.Series(np.zeros(rows, dtype=np.int64)),
            "kind": [kind] * rows,
            "category": [category.get(kind, "status")] * rows,
            "item": [item] * rows,
            "amount_fen": pl.Series((rng.gamma(1.5, 200_000.0, rows)).astype(np.int64)),
            "quantity": pl.Series(rng.integers(1, 5, rows)).cast(pl.Utf8),
            "code": pl.Series(np.asarray(codes)[rng.integers(0, len(codes), rows)]),
            "valid_from": valid_from,
            "valid_to": pl.Series([None] * rows, dtype=pl.Utf8),
            "superseded_by_id": pl.Series([None] * rows, dtype=pl.Int64),
        }
    )


def _change(share: float) -> None:
    """Add `share` of the current facts as new facts on random persons."""
    setup_django()
    from django.db import transaction

    from doudi.core.bulk import insert_frame
    from doudi.exchange.models import ExchangeFact
    from doudi.registry.models import PersonFact

    rng = np.random.default_rng(SEED + 1)
    total = PersonFact.objects.count() + ExchangeFact.objects.count()
    count = int(total * share)
    low, high = _person_range()
    half = count // 2
    with transaction.atomic():
        _add_exchange_facts(count - half, rng)
        insert_frame("registry_personfact", _registry_frame(half, low, high, rng))
    print(json.dumps({"changed_facts": count}))


def _registry_frame(
    rows: int, low: int, high: int, rng: np.random.Generator
) -> pl.DataFrame:
    from django.utils import timezone

    kinds = np.asarray(REGISTRY_CHANGES)[rng.integers(0, 3, rows)]
    codes = {
        "illness": "serious",
        "care_level": "fully_dependent",
        "disability": "physical",
    }
    days_back = rng.integers(0, 60, rows)
    return pl.DataFrame(
        {
            "person_id": pl.Series(rng.integers(low, high + 1, rows)),
            "kind": kinds,
            "code": [codes[kind] for kind in kinds],
            "grade": [2 if kind == "disability" else None for kind in kinds],
            "amount_fen": pl.Series([None] * rows, dtype=pl.Int64),
            "reference": pl.Series([None] * rows, dtype=pl.Utf8),
            "detail": ["{}"] * rows,
            "valid_from": [
                (_today() - timedelta(days=int(days))).isoformat() for days in days_back
            ],
            "valid_to": pl.Series([None] * rows, dtype=pl.Utf8),
            "source": ["synthetic"] * rows,
            "recorded_at": [timezone.now().isoformat(sep=" ")] * rows,
        }
    )


def _scan(incremental: bool) -> None:
    setup_django()
    from doudi.monitoring.scan import run_scan

    started = time.perf_counter()
    result = run_scan(incremental=incremental)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "households_scanned": result.households_scanned,
                "households_at_risk": result.households_at_risk,
                "created": result.created,
                "updated": result.updated,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def _run(
    args: argparse.Namespace, database: str, env: dict[str, str]
) -> dict[str, Any]:
    build = [
        "--households",
        str(args.households),
        "--facts-per-household",
        str(args.facts_per_household),
    ]
    if args.no_assess:
        build.append("--no-assess")
    started = time.perf_counter()
    built = run_child(__file__, "build", build, env)
    built["build_s"] = round(time.perf_counter() - started, 1)
    full = run_child(__file__, "full", [], env)
    changed = run_child(
        __file__, "change", ["--change-share", str(args.change_share)], env
    )
    incremental = run_child(__file__, "incremental", [], env)
    return {"build": built, "full": full, "change": changed, "incremental": incremental}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--households", type=int, default=100_000, help="households to generate"
    )
    parser.add_argument(
        "--facts-per-household",
        type=int,
        default=10,
        help="registry and department facts per household, in all",
    )
    parser.add_argument(
        "--change-share",
        type=float,
        default=0.01,
        help="share of facts added before the incremental scan (0.01 is 1 %%)",
    )
    parser.add_argument(
        "--no-assess", action="store_true", help="skip the policy assessment"
    )
    add_database_options(parser, "doudi_bench_scan", "the scans")
    parser.add_argument(
        "--child",
        choices=["build", "full", "change", "incremental"],
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args()
    if args.child == "build":
        _build(args.households, args.facts_per_household, not args.no_assess)
        return
    if args.child == "change":
        _change(args.change_share)
        return
    if args.child in ("full", "incremental"):
        _scan(args.child == "incremental")
        return
    runs = time_databases(
        chosen(args.databases),
        args.postgres_url,
        args.postgres_db,
        lambda database, env: _run(args, database, env),
    )
    print(json.dumps(_summary(args, runs)))


def _summary(
    args: argparse.Namespace, runs: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "households": args.households,
        "machine": f"{os.cpu_count()} cores",
    }
    for database, run in runs.items():
        results.update(
            {
                f"facts_{database}": run["build"]["registry_facts"]
                + run["build"]["exchange_facts"],
                f"build_s_{database}": run["build"]["build_s"],
                f"scan_full_s_{database}": run["full"]["seconds"],
                f"scan_incremental_s_{database}": run["incremental"]["seconds"],
                f"changed_facts_{database}": run["change"]["changed_facts"],
                f"warnings_{database}": run["full"]["created"],
                f"incremental_households_{database}": run["incremental"][
                    "households_scanned"
                ],
                f"peak_rss_mb_{database}": max(
                    run["full"]["peak_rss_mb"], run["incremental"]["peak_rss_mb"]
                ),
            }
        )
    headline = "postgres" if "postgres" in runs else next(iter(runs))
    results["scan_full_s"] = results[f"scan_full_s_{headline}"]
    results["scan_incremental_s"] = results[f"scan_incremental_s_{headline}"]
    results["dedup_s"] = None
    results["dedup_peak_rss_mb"] = None
    return results


if __name__ == "__main__":
    main()
