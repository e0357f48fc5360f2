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
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from urllib.parse import urlsplit, urlunsplit

BENCH_DB = "doudi_bench"


def _child(database: str, households: int, seed: int) -> None:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "doudi.settings"
    os.environ.setdefault("DOUDI_LOG_LEVEL", "WARNING")
    django.setup()
    from django.core.management import call_command

    from doudi.registry.bulk_load import load_city
    from doudi.synth import generate_city

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    city = generate_city(households, seed, date(2026, 12, 1))
    generated = time.perf_counter()
    result = load_city(city)
    finished = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "database": database,
                "persons": result.persons,
                "generate_s": round(generated - started, 1),
                "load_s": round(finished - generated, 1),
                "total_s": round(finished - started, 1),
                "peak_rss_mb": round(peak_kb / 1024),
            }
        )
    )


def _run_child(
    database: str, env: dict[str, str], args: argparse.Namespace
) -> dict[str, object]:
    command = [
        sys.executable,
        __file__,
        "--child",
        database,
        "--households",
        str(args.households),
        "--seed",
        str(args.seed),
    ]
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(
            f"{database} load failed with exit code {completed.returncode}"
        )
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _postgres_env(base_url: str) -> tuple[str, str]:
    """Return (admin URL, URL of a fresh benchmark database)."""
    parts = urlsplit(base_url)
    bench = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    return base_url, bench


def _recreate_postgres(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--households", type=int, default=100_000, help="households to generate"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server reached by URL; database doudi_bench is "
        "dropped and recreated there",
    )
    parser.add_argument("--skip-postgres", action="store_true", help="load SQLite only")
    parser.add_argument(
        "--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.households, args.seed)
        return
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results: dict[str, object] = {
        "households": args.households,
        "machine": f"{os.cpu_count()} cores",
    }
    with tempfile.TemporaryDirectory(prefix="doudi-bench-") as data_dir:
        sqlite = _run_child("sqlite", {**env, "DOUDI_DATA_DIR": data_dir}, args)
    print(f"sqlite: {sqlite}", file=sys.stderr)
    results.update(
        persons=sqlite["persons"],
        sqlite_s=sqlite["total_s"],
        sqlite_load_s=sqlite["load_s"],
        generate_s=sqlite["generate_s"],
        sqlite_peak_rss_mb=sqlite["peak_rss_mb"],
    )
    peaks = [int(str(sqlite["peak_rss_mb"]))]
    if not args.skip_postgres:
        admin_url, bench_url = _postgres_env(args.postgres_url)
        _recreate_postgres(admin_url)
        with tempfile.TemporaryDirectory(prefix="doudi-bench-") as data_dir:
            postgres = _run_child(
                "postgres",
                {**env, "DOUDI_DATA_DIR": data_dir, "DATABASE_URL": bench_url},
                args,
            )
        print(f"postgres: {postgres}", file=sys.stderr)
        results.update(
            postgres_s=postgres["total_s"],
            postgres_load_s=postgres["load_s"],
            postgres_peak_rss_mb=postgres["peak_rss_mb"],
        )
        peaks.append(int(str(postgres["peak_rss_mb"])))
    results["peak_rss_mb"] = max(peaks)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
