"""Shared helpers of the benchmark scripts: fresh databases, child processes, Django.

A script runs each timed part in a child process of itself, one per database,
so that the peak RSS a child reports is that part's alone. The child prints
its figures as one JSON object on its last line of output.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from argparse import ArgumentParser
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from doudi.synth import SynthCity

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgres")


def add_postgres_options(parser: ArgumentParser, default_db: str) -> None:
    parser.add_argument(
        "--postgres-url",
        default=ADMIN_URL,
        help="a PostgreSQL server to create the benchmark database on",
    )
    parser.add_argument(
        "--postgres-db",
        default=default_db,
        help="name of the benchmark database, created fresh and dropped at the end",
    )


def add_database_options(parser: ArgumentParser, default_db: str, what: str) -> None:
    parser.add_argument(
        "--databases",
        choices=("both", *DATABASES),
        default="both",
        help=f"which databases to time {what} on",
    )
    add_postgres_options(parser, default_db)


def chosen(databases: str) -> tuple[str, ...]:
    """Return the databases that a --databases value names."""
    return DATABASES if databases == "both" else (databases,)


def time_databases(
    databases: Iterable[str],
    postgres_url: str,
    postgres_db: str,
    run: Callable[[str, dict[str, str]], dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Call `run(database, env)` on a fresh database of each kind named."""
    runs: dict[str, dict[str, Any]] = {}
    for database in databases:
        with database_env(database, postgres_url, postgres_db) as env:
            runs[database] = run(database, env)
        print(f"{database}: {runs[database]}", file=sys.stderr)
    return runs


def setup_django() -> None:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "doudi.settings"
    os.environ.setdefault("DOUDI_LOG_LEVEL", "WARNING")
    django.setup()


def peak_rss_mb() -> int:
    # ru_maxrss is in KiB on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def migrate_and_load_city(households: int, seed: int, as_of: date) -> SynthCity:
    """Migrate the empty database, then generate a synthetic city and load it."""
    from django.core.management import call_command

    from doudi.registry.bulk_load import load_city
    from doudi.synth import generate_city

    call_command("migrate", verbosity=0)
    city = generate_city(households, seed, as_of)
    load_city(city)
    return city


def run_child(
    script: str, step: str, options: list[str], env: dict[str, str]
) -> dict[str, Any]:
    """Run `script --child step *options` and return its last line's JSON object.

    A child that prints nothing returns an empty object. A child that fails
    ends this process after passing on its standard error.
    """
    command = [sys.executable, script, "--child", step, *options]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{step} failed with exit code {done.returncode}")
    lines = done.stdout.strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return result


@contextmanager
def database_env(
    database: str, postgres_url: str = ADMIN_URL, postgres_db: str = ""
) -> Iterator[dict[str, str]]:
    """Yield the environment of a child that works on a fresh, empty database.

    SQLite gets a new data folder. PostgreSQL gets database `postgres_db`,
    created on the server at `postgres_url` and dropped again on the way out.
    """
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    with tempfile.TemporaryDirectory(prefix="doudi-bench-") as data_dir:
        env["DOUDI_DATA_DIR"] = data_dir
        if database == "sqlite":
            yield env
            return
        url = _recreate_postgres(postgres_url, postgres_db)
        try:
            yield {**env, "DATABASE_URL": url}
        finally:
            _recreate_postgres(postgres_url, postgres_db, create=False)


def _recreate_postgres(admin_url: str, name: str, *, create: bool = True) -> str:
    """Drop database `name` if it exists, and create it again if `create` is set."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        if create:
            connection.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
