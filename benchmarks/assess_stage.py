"""Time the monthly assessment stage on SQLite and PostgreSQL.

Usage: python benchmarks/assess_stage.py --households 100000
         [--databases both|sqlite|postgres]
         [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
         [--postgres-db doudi_bench_stage]

Each database gets a fresh synthetic city, loaded by one process and not
timed, which then gathers statistics (VACUUM ANALYZE and CHECKPOINT on
PostgreSQL, ANALYZE on SQLite). A second process runs the `policy.assess`
stage once: read the registry as of the month's end, assess every household
for every scheme, write the assessments and their trace back. Its peak RSS
is the stage's alone. The PostgreSQL database is created on the given
server and dropped at the end. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from typing import Any

from common import (
    add_database_options,
    chosen,
    migrate_and_load_city,
    peak_rss_mb,
    run_child,
    setup_django,
    time_databases,
)

AS_OF = date(2026, 11, 30)
PHASES = ("read_s", "assess_s", "write_s")


def _load(households: int, seed: int) -> None:
    setup_django()
    from django.db import connection

    migrate_and_load_city(households, seed, AS_OF)
    # A monthly run meets a registry loaded long before: statistics gathered,
    # the load's dirty pages written, and no autovacuum of it still running.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")


def _stage() -> None:
    setup_django()
    from doudi.assessments.stages import assess_month

    started = time.perf_counter()
    summary = assess_month(AS_OF.replace(day=1))
    elapsed = time.perf_counter() - started
    figures = {
        "stage_s": round(elapsed, 1),
        "assessments": summary.get("assessments"),
        **{phase: summary.get(phase) for phase in PHASES},
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(figures))


def _load_and_time(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    options = ["--households", str(args.households), "--seed", str(args.seed)]
    run_child(__file__, "load", options, env)
    return run_child(__file__, "stage", options, env)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000, help="households")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    add_database_options(parser, "doudi_bench_stage", "the stage")
    parser.add_argument("--child", choices=("load", "stage"), help=argparse.SUPPRESS)
    return parser


def main() -> None:
    args = _parser().parse_args()
    if args.child == "load":
        _load(args.households, args.seed)
        return
    if args.child == "stage":
        _stage()
        return
    runs = time_databases(
        chosen(args.databases),
        args.postgres_url,
        args.postgres_db,
        lambda _database, env: _load_and_time(args, env),
    )
    result: dict[str, object] = {
        "households": args.households,
        "assessments": next(iter(runs.values()))["assessments"],
    }
    for name in ("sqlite", "postgres"):
        run = runs.get(name)
        result[f"stage_{name}_s"] = run["stage_s"] if run else None
        for phase in PHASES:
            result[f"stage_{name}_{phase}"] = run[phase] if run else None
    result["peak_rss_mb"] = max(int(run["peak_rss_mb"]) for run in runs.values())
    result["load_average_1m"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
