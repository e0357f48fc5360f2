"""Time the monthly assessment stage on SQLite and PostgreSQL.

Usage: python benchmarks/assess_stage.py --households 100000
         [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]

Each database gets a fresh synthetic city (loaded first, not timed), then
the `policy.assess` stage runs once: read the registry as of the month's
end, assess every household for every scheme, write the assessments back.
The last line printed is one JSON object.
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

BENCH_DB = "doudi_bench_stage"
AS_OF = date(2026, 11, 30)


def _child(households: int, seed: int) -> None:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "doudi.settings"
    os.environ.setdefault("DOUDI_LOG_LEVEL", "WARNING")
    django.setup()
    from django.core.management import call_command

    from doudi.assessments.stages import assess_month
    from doudi.registry.bulk_load import load_city
    from doudi.synth import generate_city

    call_command("migrate", verbosity=0)
    load_city(generate_city(households, seed, AS_OF))
    started = time.perf_counter()
    summary = assess_month(AS_OF.replace(day=1))
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "stage_s": round(elapsed, 1),
                "assessments": summary.get("assessments"),
                "peak_rss_mb": round(peak_kb / 1024),
            }
        )
    )


def _run(env: dict[str, str], args: argparse.Namespace) -> dict[str, object]:
    command = [
        sys.executable,
        __file__,
        "--child",
        "--households",
        str(args.households),
        "--seed",
        str(args.seed),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"stage run failed with exit code {done.returncode}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _fresh_postgres(admin_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{BENCH_DB}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000, help="households")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server; database doudi_bench_stage is recreated there",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.households, args.seed)
        return
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with tempfile.TemporaryDirectory(prefix="doudi-stage-") as data_dir:
        sqlite = _run({**env, "DOUDI_DATA_DIR": data_dir}, args)
    print(f"sqlite: {sqlite}", file=sys.stderr)
    bench_url = _fresh_postgres(args.postgres_url)
    with tempfile.TemporaryDirectory(prefix="doudi-stage-") as data_dir:
        postgres = _run(
            {**env, "DOUDI_DATA_DIR": data_dir, "DATABASE_URL": bench_url}, args
        )
    print(f"postgres: {postgres}", file=sys.stderr)
    result = {
        "households": args.households,
        "assessments": sqlite["assessments"],
        "stage_sqlite_s": sqlite["stage_s"],
        "stage_postgres_s": postgres["stage_s"],
        "peak_rss_mb": max(
            int(str(sqlite["peak_rss_mb"])), int(str(postgres["peak_rss_mb"]))
        ),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
