"""Time batch verification of every household on SQLite and PostgreSQL.

Usage: python benchmarks/verification.py --households 100000
         [--databases both|sqlite|postgres]
         [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
         [--postgres-db doudi_bench_verification]

Each database gets a fresh synthetic city, loaded by one process and not
timed, with department facts (income, assets, spending) and one
authorisation covering every member for every household. A second process
times `doudi.verification.batch.verify_all` once, so its peak RSS is the
batch's alone. The PostgreSQL database is created on the given server and
dropped at the end. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
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

AS_OF = date(2026, 6, 30)
SIGNED_ON = "2026-01-01"
VALID_UNTIL = "2026-12-31"
PHASES = ("read_s", "compare_s", "write_s")

# Department facts drawn per person: (category, item, feed kind, chance of a
# record, records per person when drawn). Spending records are payments
# inside the 12 months before AS_OF; the rest are valid on AS_OF.
FACT_PLAN = (
    ("income", "wages", "wages_tax", 0.45, 1),
    ("income", "pension", "social_insurance", 0.2, 1),
    ("income", "benefit", "unemployment", 0.05, 1),
    ("asset", "deposits", "financial_asset", 0.6, 1),
    ("asset", "securities", "financial_asset", 0.1, 1),
    ("asset", "housing", "real_estate", 0.15, 1),
    ("asset", "vehicle", "vehicle", 0.08, 1),
    ("spending", "medical_out_of_pocket", "medical_claim", 0.35, 3),
    ("spending", "education", "school_enrolment", 0.1, 2),
)


def _fact_rows(
    persons: pl.DataFrame, batches: dict[str, int], seed: int
) -> pl.DataFrame:
    """Draw department facts for `persons` following FACT_PLAN."""
    rng = np.random.default_rng(seed)
    frames = []
    base = AS_OF.toordinal()
    for category, item, kind, chance, repeat in FACT_PLAN:
        drawn = persons.filter(pl.Series(rng.random(persons.height) < chance))
        drawn = pl.concat([drawn] * repeat)
        n = drawn.height
        if category == "spending":
            days = rng.integers(0, 360, n)
        else:
            days = rng.integers(30, 900, n)
        valid_from = [date.fromordinal(base - int(day)).isoformat() for day in days]
        amount = rng.gamma(2.0, 150_000.0 if category == "income" else 2_000_000.0, n)
        quantity: pl.Series = pl.Series([None] * n, dtype=pl.Float64)
        if item == "housing":
            quantity = pl.Series(rng.integers(30, 140, n).astype(float))
        elif item == "vehicle":
            quantity = pl.Series(np.ones(n))
        frames.append(
            drawn.select(
                "person_id",
                batch_id=pl.lit(batches[kind], dtype=pl.Int64),
                kind=pl.lit(kind),
                category=pl.lit(category),
                item=pl.lit(item),
                amount_fen=pl.Series(amount.astype(np.int64)),
                quantity=quantity,
                code=pl.lit(""),
                valid_from=pl.Series(valid_from),
                valid_to=pl.lit(None, dtype=pl.Utf8),
                superseded_by_id=pl.lit(None, dtype=pl.Int64),
            )
        )
    facts = pl.concat(frames)
    return facts.with_columns(
        row_number=pl.int_range(1, pl.len() + 1).over("batch_id").cast(pl.Int64)
    )


def _batches(kinds: set[str]) -> dict[str, int]:
    from doudi.exchange.models import (
        Batch,
        BatchStatus,
        Channel,
        DataSource,
        DeliveryMode,
        FileFormat,
    )

    source = DataSource.objects.create(
        code="bench",
        department="benchmark department",
        kinds=sorted(kinds),
        delivery_mode=DeliveryMode.FILE,
    )
    ids = {}
    for index, kind in enumerate(sorted(kinds)):
        batch = Batch.objects.create(
            source=source,
            kind=kind,
            checksum=f"{index + 1:064x}",
            channel=Channel.INBOX,
            file_format=FileFormat.CSV,
            status=BatchStatus.STORED,
        )
        ids[kind] = batch.pk
    return ids


def _authorise(members: pl.DataFrame, user_id: int) -> None:
    """Insert one authorisation per household covering all members and kinds."""
    from doudi.core.bulk import insert_frame
    from doudi.exchange.kinds import AUTHORISED_KINDS
    from doudi.verification.models import Authorisation

    grouped = members.group_by("household_id").agg(pl.col("person_id").sort())
    grouped = grouped.sort("household_id").with_row_index("id", offset=1)
    insert_frame(
        Authorisation._meta.db_table,
        grouped.select(
            pl.col("id").cast(pl.Int64),
            "household_id",
            signed_by_id=pl.col("person_id").list.first(),
            data_kinds=pl.lit(json.dumps(sorted(AUTHORISED_KINDS))),
            signed_on=pl.lit(SIGNED_ON),
            valid_until=pl.lit(VALID_UNTIL),
            recorded_by_id=pl.lit(user_id, dtype=pl.Int64),
            recorded_at=pl.lit(f"{SIGNED_ON} 00:00:00+00:00"),
            revoked_at=pl.lit(None, dtype=pl.Utf8),
        ),
    )
    insert_frame(
        Authorisation.members.through._meta.db_table,
        grouped.explode("person_id").select(
            authorisation_id=pl.col("id").cast(pl.Int64), person_id="person_id"
        ),
    )


def _load(households: int, seed: int) -> None:
    setup_django()
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from doudi.core.bulk import insert_frame
    from doudi.exchange.models import ExchangeFact
    from doudi.privacy.choices import Role
    from doudi.privacy.models import User
    from doudi.registry import bulk_indexes
    from doudi.registry.models import Membership, Region
    from doudi.verification.models import Authorisation

    migrate_and_load_city(households, seed, AS_OF)
    user = User.objects.create_user(
        username="bench", role=Role.CITY_ADMIN, region=Region.objects.get(level="city")
    )
    members = pl.DataFrame(
        list(Membership.objects.values_list("household_id", "person_id")),
        schema={"household_id": pl.Int64, "person_id": pl.Int64},
        orient="row",
    )
    with transaction.atomic():
        batches = _batches({plan[2] for plan in FACT_PLAN})
        facts = _fact_rows(members.select("person_id"), batches, seed)
        with bulk_indexes.rebuilt_after([ExchangeFact._meta.db_table]):
            insert_frame(ExchangeFact._meta.db_table, facts)
        _authorise(members, user.pk)
        statements = connection.ops.sequence_reset_sql(
            no_style(), [ExchangeFact, Authorisation]
        )
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
    print(json.dumps({"facts": facts.height, "persons": members.height}))


def _verify() -> None:
    setup_django()
    from doudi.verification.batch import verify_all

    started = time.perf_counter()
    summary = verify_all(AS_OF)
    elapsed = time.perf_counter() - started
    figures = {
        "verify_all_s": round(elapsed, 1),
        "verified": summary.get("verified"),
        "items": summary.get("items"),
        **{phase: summary.get(phase) for phase in PHASES},
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(figures))


def _load_and_time(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    options = ["--households", str(args.households), "--seed", str(args.seed)]
    loaded = run_child(__file__, "load", options, env)
    return {**loaded, **run_child(__file__, "verify", options, env)}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000, help="households")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    add_database_options(parser, "doudi_bench_verification", "the batch")
    parser.add_argument("--child", choices=("load", "verify"), help=argparse.SUPPRESS)
    return parser


def main() -> None:
    args = _parser().parse_args()
    if args.child == "load":
        _load(args.households, args.seed)
        return
    if args.child == "verify":
        _verify()
        return
    runs = time_databases(
        chosen(args.databases),
        args.postgres_url,
        args.postgres_db,
        lambda _database, env: _load_and_time(args, env),
    )
    first = next(iter(runs.values()))
    result: dict[str, object] = {
        "households": args.households,
        "persons": first["persons"],
        "facts": first["facts"],
        "items": first["items"],
    }
    for name in ("sqlite", "postgres"):
        run = runs.get(name)
        result[f"verify_all_s_{name}"] = run["verify_all_s"] if run else None
        for phase in PHASES:
            result[f"verify_all_{name}_{phase}"] = run[phase] if run else None
    result["peak_rss_mb"] = max(int(run["peak_rss_mb"]) for run in runs.values())
    result["load_average_1m"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
