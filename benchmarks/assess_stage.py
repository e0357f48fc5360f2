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
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from typing import Any
from urllib.parse import urlsplit, urlunsplit

AS_OF = date(2026, 11, 30)
PHASES = ("read_s", "assess_s", "write_s")


def _setup_django() -> None:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "doudi.settings"
    os.environ.setdefault("DOUDI_LOG_LEVEL", "WARNING")
    django.setup()


def _load(households: int, seed: int) -> None:
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from doudi.registry.bulk_load import load_city
    from doudi.synth import generate_city

    call_command("migrate", verbosity=0)
    load_city(generate_city(households, seed, AS_OF))
    # A monthly run meets a registry loaded long before: statistics gathered,
    # the load's dirty pages written, and no autovacuum of it still running.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")


def _stage() -> None:
    _setup_django()
    from doudi.assessments.stages import assess_month

    started = time.perf_counter()
    summary = assess_month(AS_OF.replace(day=1))
    elapsed = time.perf_counter() - started
    # ru_maxrss is in KiB on Linux.
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {
        "stage_s": round(elapsed, 1),
        "assessments": summary.get("assessments"),
        **{phase: summary.get(phase) for phase in PHASES},
        "peak_rss_mb": round(peak_kb / 1024),
    }
    print(json.dumps(figures))


def _run(step: str, env: dict[str, str], args: argparse.Namespace) -> str:
    command = [
        sys.executable,
        __file__,
        "--child",
        step,
        "--households",
        str(args.households),
        "--seed",
        str(args.seed),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{step} failed with exit code {done.returncode}")
    return done.stdout


def _load_and_time(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    _run("load", env, args)
    output = _run("stage", env, args)
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def _recreate_postgres(admin_url: str, name: str, *, create: bool = True) -> str:
    """Drop database `name` if it exists, and create it again if `create` is set."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        if create:
            connection.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def _time_databases(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    runs: dict[str, dict[str, Any]] = {}
    if args.databases in ("both", "sqlite"):
        with tempfile.TemporaryDirectory(prefix="doudi-stage-") as data_dir:
            runs["sqlite"] = _load_and_time({**env, "DOUDI_DATA_DIR": data_dir}, args)
        print(f"sqlite: {runs['sqlite']}", file=sys.stderr)
    if args.databases in ("both", "postgres"):
        url = _recreate_postgres(args.postgres_url, args.postgres_db)
        try:
            with tempfile.TemporaryDirectory(prefix="doudi-stage-") as data_dir:
                runs["postgres"] = _load_and_time(
                    {**env, "DOUDI_DATA_DIR": data_dir, "DATABASE_URL": url}, args
                )
        finally:
            _recreate_postgres(args.postgres_url, args.postgres_db, create=False)
        print(f"postgres: {runs['postgres']}", file=sys.stderr)
    return runs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000, help="households")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument(
        "--databases",
        choices=("both", "sqlite", "postgres"),
        default="both",
        help="which databases to time the stage on",
    )
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server to create the benchmark database on",
    )
    parser.add_argument(
        "--postgres-db",
        default="doudi_bench_stage",
        help="name of the benchmark database, created fresh and dropped at the end",
    )
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
    runs = _time_databases(args)
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
