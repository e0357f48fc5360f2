"""Time department feed ingestion end to end on SQLite and PostgreSQL.

Usage: python benchmarks/exchange.py --households 100000 --rows 1000000
         [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]

Each database runs in its own child process on a fresh database. The child
loads a synthetic city and authorises a third of the households for every
kind. It writes feed files for the city's persons (CSV and Parquet, half the
rows each, with about 3 % defects) into an inbox folder and times one
inbox run over them, as the monthly cycle does: read, validate, quarantine,
match and store. Samples of .xlsx and GB18030 CSV are timed separately, each
in an inbox run of its own, as is doudi.verification.batch.verify_all.
Loading the city and writing the files are not timed. The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from common import (
    DATABASES,
    add_postgres_options,
    migrate_and_load_city,
    peak_rss_mb,
    run_child,
    setup_django,
    time_databases,
)

BENCH_DB = "doudi_bench_exchange"
SOURCE = "bench"
AS_OF = date(2026, 6, 1)
DEFECT_SHARE = 0.03
AUTHORISED_SHARE = 1 / 3
SAMPLE_ROWS = 100_000


def _kind_values(kind: str, n: int, rng: np.random.Generator) -> dict[str, Any]:
    """Return the kind's own columns for `n` rows, as text."""
    day = pl.Series(
        [date(2025, 1, 1).toordinal() + int(d) for d in rng.integers(0, 500, n)]
    )
    dates = day.map_elements(lambda d: date.fromordinal(d).isoformat(), pl.String)
    money = pl.Series((rng.gamma(2.0, 2000.0, n)).round(2)).cast(pl.String)

    def choice(values: tuple[str, ...]) -> pl.Series:
        return pl.Series(np.asarray(values)[rng.integers(0, len(values), n)])

    from doudi.exchange import feeds

    builders: dict[str, dict[str, Any]] = {
        "household_registration": {
            "event": choice(feeds.REGISTRATION_EVENTS),
            "event_date": dates,
        },
        "marriage": {"event": choice(feeds.MARRIAGE_EVENTS), "event_date": dates},
        "wages_tax": {
            "pay_month": dates.str.slice(0, 7),
            "gross_wage": money,
            "tax_paid": "0",
        },
        "social_insurance": {
            "benefit_type": choice(tuple(feeds.BENEFIT_INCOME_KINDS)),
            "monthly_amount": money,
            "start_date": dates,
        },
        "unemployment": {
            "status": choice(feeds.UNEMPLOYMENT_STATUSES),
            "registered_on": dates,
            "benefit_monthly": money,
        },
        "real_estate": {
            "floor_area_m2": "65.5",
            "assessed_value": money,
            "registered_on": dates,
        },
        "vehicle": {
            "vehicle_type": choice(feeds.VEHICLE_TYPES),
            "value": money,
            "registered_on": dates,
        },
        "financial_asset": {
            "asset_type": choice(feeds.FINANCIAL_ASSET_TYPES),
            "balance": money,
            "as_of": dates,
        },
        "business_registration": {
            "business_status": choice(feeds.BUSINESS_STATUSES),
            "registered_capital": money,
            "registered_on": dates,
        },
        "housing_fund": {"balance": money, "as_of": dates},
        "medical_claim": {
            "settled_on": dates,
            "total_cost": money,
            "out_of_pocket": money,
        },
        "disability_certificate": {
            "category": choice(feeds.DISABILITY_CATEGORIES),
            "grade": choice(feeds.DISABILITY_GRADES),
            "issued_on": dates,
        },
        "school_enrolment": {
            "school_level": choice(feeds.SCHOOL_LEVELS),
            "status": choice(feeds.SCHOOL_STATUSES),
            "term_start": dates,
            "fees": money,
        },
        "utility_arrears": {
            "utility": choice(feeds.UTILITIES),
            "arrears": money,
            "months_in_arrears": "2",
            "as_of": dates,
        },
    }
    return builders[kind]


def feed_frame(
    persons: pl.DataFrame, kind: str, n: int, rng: np.random.Generator
) -> pl.DataFrame:
    """Draw `n` rows of `kind` for random persons, with about 3 % defects."""
    picked = persons[rng.integers(0, persons.height, n)]
    frame = pl.DataFrame(
        {
            "resident_id": picked["resident_id"],
            "name": picked["name"],
            "birth_date": picked["birth_date"].dt.to_string("%Y-%m-%d"),
        }
    ).with_columns(
        pl.lit(value).alias(name) if isinstance(value, str) else value.alias(name)
        for name, value in _kind_values(kind, n, rng).items()
    )
    defect = rng.random(n)
    share = DEFECT_SHARE / 3
    wrong_check = pl.Series(defect < share)
    missing = pl.Series((defect >= share) & (defect < 2 * share))
    frame = frame.with_columns(
        pl.when(wrong_check)
        .then(pl.col("resident_id").str.slice(0, 17) + "0")
        .otherwise(pl.col("resident_id"))
        .alias("resident_id"),
        pl.when(missing).then(None).otherwise(pl.col("birth_date")).alias("birth_date"),
    )
    duplicates = frame.filter(pl.Series((defect >= 2 * share) & (defect < 3 * share)))
    return pl.concat([frame.head(n - duplicates.height), duplicates])


def _authorise(persons_by_household: pl.DataFrame, user_id: int) -> None:
    """Insert one authorisation per chosen household, covering every kind."""
    from doudi.core.bulk import insert_frame
    from doudi.exchange.kinds import AUTHORISED_KINDS
    from doudi.verification.models import Authorisation

    heads = persons_by_household.group_by("household_id").agg(pl.col("person_id"))
    heads = heads.sort("household_id").with_row_index("auth_id", offset=1)
    kinds = json.dumps(sorted(AUTHORISED_KINDS))
    insert_frame(
        Authorisation._meta.db_table,
        heads.select(
            pl.col("auth_id").cast(pl.Int64).alias("id"),
            "household_id",
            pl.col("person_id").list.first().alias("signed_by_id"),
            pl.lit(kinds).alias("data_kinds"),
            pl.lit("2026-01-01").alias("signed_on"),
            pl.lit("2026-12-31").alias("valid_until"),
            pl.lit(user_id).alias("recorded_by_id"),
            pl.lit("2026-01-01 00:00:00+00:00").alias("recorded_at"),
            pl.lit(None, dtype=pl.String).alias("revoked_at"),
        ),
    )
    members = heads.explode("person_id").select(
        pl.col("auth_id").cast(pl.Int64).alias("authorisation_id"),
        "person_id",
    )
    insert_frame(Authorisation.members.through._meta.db_table, members)


def _setup(households: int, seed: int) -> tuple[Any, pl.DataFrame, pl.DataFrame]:
    from django.db import connection, transaction

    from doudi.exchange.kinds import FeedKind
    from doudi.exchange.models import DataSource
    from doudi.privacy.choices import Role
    from doudi.privacy.models import User
    from doudi.registry.bulk_load import reset_sequences
    from doudi.registry.models import Membership, Person, Region

    city = migrate_and_load_city(households, seed, AS_OF)
    city_region = Region.objects.get(level="city")
    user = User.objects.create_user(
        username="bench", role=Role.CITY_ADMIN, region=city_region, is_staff=True
    )
    source = DataSource.objects.create(
        code=SOURCE,
        department="bench",
        kinds=list(FeedKind.values),
        delivery_mode="file",
    )
    ids = pl.DataFrame(
        list(Membership.objects.values_list("household_id", "person_id")),
        schema={"household_id": pl.Int64, "person_id": pl.Int64},
        orient="row",
    )
    keys = pl.Series(
        "person_id", list(Person.objects.order_by("id").values_list("id", flat=True))
    )
    persons = city.persons.sort("person_key").with_columns(keys)
    chosen = ids.filter(
        (pl.col("household_id").hash(seed) % 1000) < int(AUTHORISED_SHARE * 1000)
    )
    with transaction.atomic():
        _authorise(chosen, user.pk)
        if connection.vendor == "postgresql":
            reset_sequences()
    authorised = persons.join(chosen.select("person_id"), on="person_id", how="semi")
    return source, persons, authorised


def _write_feeds(
    folder: Path, persons: pl.DataFrame, authorised: pl.DataFrame, rows: int, seed: int
) -> list[tuple[Path, str]]:
    from doudi.exchange.kinds import FeedKind, needs_authorisation

    rng = np.random.default_rng(seed)
    kinds = list(FeedKind.values)
    files = []
    for index, kind in enumerate(kinds):
        n = rows // len(kinds) + (1 if index < rows % len(kinds) else 0)
        pool = authorised if needs_authorisation(kind) else persons
        frame = feed_frame(pool, kind, n, rng)
        half = frame.height // 2
        kind_folder = folder / SOURCE / kind
        kind_folder.mkdir(parents=True)
        csv_path = kind_folder / f"{kind}.csv"
        frame.head(half).write_csv(csv_path)
        parquet_path = kind_folder / f"{kind}.parquet"
        frame.tail(frame.height - half).write_parquet(parquet_path)
        files += [(csv_path, kind), (parquet_path, kind)]
    return files


def _ingest_inbox(inbox: Path) -> tuple[int, float, dict[str, int]]:
    """Ingest every file of the inbox folder in one run, as the cycle stage does."""
    from doudi.exchange.inbox import process_inbox

    started = time.perf_counter()
    report = process_inbox(root=inbox, today=AS_OF)
    seconds = time.perf_counter() - started
    totals = {
        name: report.rows[name]
        for name in ("stored", "quarantined", "unmatched", "duplicate")
    }
    return report.rows["total"], seconds, totals


def _samples(
    folder: Path, persons: pl.DataFrame, rows: int, seed: int
) -> list[tuple[Path, str]]:
    """Write the .xlsx and GB18030 samples, each into an inbox folder of its own."""
    rng = np.random.default_rng(seed + 1)
    sample = feed_frame(persons, "medical_claim", min(rows, SAMPLE_ROWS), rng)
    samples = []
    for label, name in (("xlsx", "sample.xlsx"), ("gb18030", "sample.csv")):
        kind_folder = folder / label / SOURCE / "medical_claim"
        kind_folder.mkdir(parents=True)
        path = kind_folder / name
        if label == "xlsx":
            sample.write_excel(path)
        else:
            path.write_bytes(sample.write_csv().encode("gb18030"))
        samples.append((folder / label, label))
    return samples


def _verify_all_s() -> float | None:
    try:
        batch = importlib.import_module("doudi.verification.batch")
    except ImportError:
        return None
    verify_all = getattr(batch, "verify_all", None)
    if verify_all is None:
        return None
    started = time.perf_counter()
    verify_all(on=AS_OF)
    return round(time.perf_counter() - started, 1)


def _child(database: str, households: int, rows: int, seed: int) -> None:
    setup_django()

    _, persons, authorised = _setup(households, seed)
    with tempfile.TemporaryDirectory(prefix="doudi-feeds-") as tmp:
        inbox = Path(tmp) / "inbox"
        _write_feeds(inbox, persons, authorised, rows, seed)
        samples = _samples(Path(tmp) / "samples", persons, rows, seed)
        ingested, seconds, totals = _ingest_inbox(inbox)
        result: dict[str, Any] = {
            "database": database,
            "persons": persons.height,
            "rows": ingested,
            "ingest_s": round(seconds, 1),
            "rows_per_s": round(ingested / seconds),
            **totals,
        }
        for sample_inbox, label in samples:
            count, took, _ = _ingest_inbox(sample_inbox)
            result[f"{label}_rows_per_s"] = round(count / took)
    result["verify_all_s"] = _verify_all_s()
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def _run_child(
    args: argparse.Namespace, database: str, env: dict[str, str]
) -> dict[str, Any]:
    options = ["--households", str(args.households), "--rows", str(args.rows)]
    return run_child(__file__, database, [*options, "--seed", str(args.seed)], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--households", type=int, default=100_000, help="households in the city"
    )
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="feed rows across all kinds"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    add_postgres_options(parser, BENCH_DB)
    parser.add_argument("--skip-postgres", action="store_true", help="run SQLite only")
    parser.add_argument(
        "--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.households, args.rows, args.seed)
        return
    runs = time_databases(
        DATABASES[:1] if args.skip_postgres else DATABASES,
        args.postgres_url,
        args.postgres_db,
        lambda database, env: _run_child(args, database, env),
    )
    postgres = runs.get("postgres", {})
    sqlite = runs["sqlite"]
    print(
        json.dumps(
            {
                "households": args.households,
                "rows": sqlite["rows"],
                "machine": f"{os.cpu_count()} cores",
                "ingest_rows_per_s_postgres": postgres.get("rows_per_s"),
                "ingest_rows_per_s_sqlite": sqlite["rows_per_s"],
                "xlsx_rows_per_s_postgres": postgres.get("xlsx_rows_per_s"),
                "xlsx_rows_per_s_sqlite": sqlite["xlsx_rows_per_s"],
                "gb18030_rows_per_s_postgres": postgres.get("gb18030_rows_per_s"),
                "gb18030_rows_per_s_sqlite": sqlite["gb18030_rows_per_s"],
                "stored": sqlite["stored"],
                "quarantined": sqlite["quarantined"],
                "unmatched": sqlite["unmatched"],
                "duplicate": sqlite["duplicate"],
                "verify_all_s": postgres.get("verify_all_s", sqlite["verify_all_s"]),
                "verify_all_s_sqlite": sqlite["verify_all_s"],
                "peak_rss_mb": max(run["peak_rss_mb"] for run in runs.values()),
            }
        )
    )


if __name__ == "__main__":
    main()
