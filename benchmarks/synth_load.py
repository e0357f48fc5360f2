"""Generate a synthetic city and bulk-load it into SQLite and PostgreSQL.

Usage: python benchmarks/synth_load.py --households 1000000
         [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]

Each database is loaded in its own child process, into a fresh SQLite file
or a fresh PostgreSQL database, so that time and peak memory are per
database. Time covers generation plus loading (migrations excluded). The
last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from typing import Any

from common import (
    DATABASES,
    add_postgres_options,
    peak_rss_mb,
    run_child,
    setup_django,
    time_databases,
)

BENCH_DB = "doudi_bench"


def _child(database: str, households: int, seed: int) -> None:
    setup_django()
    from django.core.management import call_command

    from doudi.registry.bulk_load import load_city
    from doudi.synth import generate_city

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    city = generate_city(households, seed, date(2026, 12, 1))
    generated = time.perf_counter()
    result = load_city(city)
    finished = time.perf_counter()
    print(
        json.dumps(
            {
                "database": database,
                "persons": result.persons,
                "generate_s": round(generated - started, 1),
                "load_s": round(finished - generated, 1),
                "total_s": round(finished - started, 1),
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def _run_child(
    args: argparse.Namespace, database: str, env: dict[str, str]
) -> dict[str, Any]:
    options = ["--households", str(args.households), "--seed", str(args.seed)]
    return run_child(__file__, database, options, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--households", type=int, default=100_000, help="households to generate"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    add_postgres_options(parser, BENCH_DB)
    parser.add_argument("--skip-postgres", action="store_true", help="load SQLite only")
    parser.add_argument(
        "--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.households, args.seed)
        return
    runs = time_databases(
        DATABASES[:1] if args.skip_postgres else DATABASES,
        args.postgres_url,
        args.postgres_db,
        lambda database, env: _run_child(args, database, env),
    )
    sqlite = runs["sqlite"]
    results: dict[str, object] = {
        "households": args.households,
        "machine": f"{os.cpu_count()} cores",
        "persons": sqlite["persons"],
        "sqlite_s": sqlite["total_s"],
        "sqlite_load_s": sqlite["load_s"],
        "generate_s": sqlite["generate_s"],
        "sqlite_peak_rss_mb": sqlite["peak_rss_mb"],
    }
    if "postgres" in runs:
        postgres = runs["postgres"]
        results.update(
            postgres_s=postgres["total_s"],
            postgres_load_s=postgres["load_s"],
            postgres_peak_rss_mb=postgres["peak_rss_mb"],
        )
    results["peak_rss_mb"] = max(int(run["peak_rss_mb"]) for run in runs.values())
    print(json.dumps(results))


if __name__ == "__main__":
    main()
