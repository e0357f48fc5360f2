"""Time one month's payment rolls: compute every district's roll and export it.

Usage: python benchmarks/payment_roll.py --awards 50000
         [--districts 8] [--databases both|sqlite|postgres]
         [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
         [--postgres-db doudi_bench_payment_roll]

Each database gets a fresh schema with a city of `--districts` districts,
one household per award and N active awards with synthetic bank accounts
(encrypted), inserted in bulk by one process and not timed. A second
process computes each district's draft roll as the monthly cycle does,
signs it (untimed), and exports its bank file. `payment_roll_s` is the
compute time plus the export time. The PostgreSQL database is created on
the given server and dropped at the end. The last line printed is one JSON
object.
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
    peak_rss_mb,
    run_child,
    setup_django,
    time_databases,
)

MONTH = date(2026, 6, 1)
APPROVED_ON = "2026-01-15"
START_MONTH = "2026-02-01"
CITY_CODE = "310000"


def _regions(districts: int) -> list[int]:
    """Create the city and one district, street and community per district."""
    from doudi.registry.models import Region

    city = Region.objects.create(
        code=CITY_CODE, name="基准市", level="city", path=f"{CITY_CODE}/"
    )
    communities = []
    for index in range(districts):
        code = f"3101{index + 1:02d}"
        district = Region.objects.create(
            code=code,
            name=f"区{index + 1}",
            level="district",
            parent=city,
            path=f"{city.path}{code}/",
        )
        street = Region.objects.create(
            code=f"{code}001",
            name="街道",
            level="street",
            parent=district,
            path=f"{district.path}{code}001/",
        )
        community = Region.objects.create(
            code=f"{code}001001",
            name="社区",
            level="community",
            parent=street,
            path=f"{street.path}{code}001001/",
        )
        communities.append(community.pk)
    return communities


def _households(awards: int, communities: list[int]) -> pl.DataFrame:
    from doudi.core.bulk import insert_frame
    from doudi.privacy.keys import keyring

    address = keyring().encrypt("基准路1号", context="registry.household.address")
    now = "2026-01-01 00:00:00+00:00"
    frame = pl.DataFrame(
        {
            "id": pl.int_range(1, awards + 1, eager=True),
            "region_id": [communities[i % len(communities)] for i in range(awards)],
        }
    ).with_columns(
        address=pl.lit(address),
        single_parent=pl.lit(False),
        lost_only_child=pl.lit(False),
        created_at=pl.lit(now),
        updated_at=pl.lit(now),
    )
    insert_frame("registry_household", frame)
    return frame


def _awards(
    households: pl.DataFrame, districts: list[str], user_id: int, seed: int
) -> None:
    from doudi.core.bulk import insert_frame
    from doudi.payments.payee import Payee
    from doudi.privacy.keys import keyring

    ring = keyring()
    rng = np.random.default_rng(seed)
    count = households.height
    # Synthetic account numbers: 19 digits that no bank issued.
    payees = [
        ring.encrypt(
            Payee(holder=f"测试{i}", number=f"62{i:017d}").encode(),
            context="payments.award.payee",
        )
        for i in range(count)
    ]
    district = [districts[i % len(districts)] for i in range(count)]
    frame = households.select("id").with_columns(
        household_id=pl.col("id"),
        case_id=pl.lit(None, dtype=pl.Int64),
        scheme=pl.lit("dibao"),
        amount_fen=pl.Series(rng.integers(10_000, 200_000, count)),
        addons=pl.lit("[]"),
        addons_fen=pl.Series(rng.choice([0, 0, 0, 44_000], count)),
        approved_on=pl.lit(APPROVED_ON),
        start_month=pl.lit(START_MONTH),
        starts_on=pl.lit(START_MONTH),
        end_month=pl.lit(None, dtype=pl.Utf8),
        ends_on=pl.lit(None, dtype=pl.Utf8),
        status=pl.lit("active"),
        status_since=pl.lit(APPROVED_ON),
        status_reason=pl.lit(""),
        review_interval_months=pl.lit(12),
        next_review_on=pl.lit("2027-01-15"),
        district_code=pl.Series(district),
        payee=pl.Series(payees),
        bank_account_last4=pl.Series([f"{i:017d}"[-4:] for i in range(count)]),
        bank_code=pl.lit("BENCH"),
        granted_by_id=pl.lit(user_id),
        granted_at=pl.lit("2026-01-15 00:00:00+00:00"),
        version=pl.lit(0),
    )
    insert_frame("payments_award", frame)


def _load(awards: int, districts: int, seed: int) -> None:
    setup_django()
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from doudi.payments.models import Award
    from doudi.privacy.choices import Role
    from doudi.privacy.models import User
    from doudi.registry.models import Household, Region

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        communities = _regions(districts)
        codes = list(
            Region.objects.filter(level="district").values_list("code", flat=True)
        )
        city = Region.objects.get(code=CITY_CODE)
        granter = User.objects.create_user(
            "granter", role=Role.DISTRICT_APPROVER, region=city
        )
        User.objects.create_user("signer", role=Role.DISTRICT_APPROVER, region=city)
        _awards(_households(awards, communities), codes, granter.pk, seed)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [Household, Award]
            ):
                cursor.execute(statement)
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
    print(json.dumps({"awards": awards, "districts": districts}))


def _time_rolls() -> None:
    setup_django()
    from doudi.payments.bankfile import export_bank_file
    from doudi.payments.rolls import compute_roll, sign_roll
    from doudi.privacy.models import User
    from doudi.registry.models import Region

    codes = list(Region.objects.filter(level="district").values_list("code", flat=True))
    signer = User.objects.get(username="signer")

    started = time.perf_counter()
    rolls = [compute_roll(code, MONTH) for code in codes]
    compute_s = time.perf_counter() - started

    rolls = [sign_roll(roll, actor=signer, version=roll.version) for roll in rolls]

    started = time.perf_counter()
    files = [export_bank_file(roll, actor=signer) for roll in rolls]
    export_s = time.perf_counter() - started

    figures = {
        "payment_roll_s": round(compute_s + export_s, 2),
        "compute_s": round(compute_s, 2),
        "export_s": round(export_s, 2),
        "lines": sum(roll.line_count for roll in rolls),
        "total_fen": sum(roll.total_fen for roll in rolls),
        "bank_file_bytes": sum(len(item.content) for item in files),
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(figures))


def _load_and_time(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    options = [
        "--awards",
        str(args.awards),
        "--districts",
        str(args.districts),
        "--seed",
        str(args.seed),
    ]
    loaded = run_child(__file__, "load", options, env)
    return {**loaded, **run_child(__file__, "time", options, env)}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--awards", type=int, default=50_000, help="active awards")
    parser.add_argument("--districts", type=int, default=8, help="districts")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    add_database_options(parser, "doudi_bench_payment_roll", "the rolls")
    parser.add_argument("--child", choices=("load", "time"), help=argparse.SUPPRESS)
    return parser


def main() -> None:
    args = _parser().parse_args()
    if args.child == "load":
        _load(args.awards, args.districts, args.seed)
        return
    if args.child == "time":
        _time_rolls()
        return
    runs = time_databases(
        chosen(args.databases),
        args.postgres_url,
        args.postgres_db,
        lambda _database, env: _load_and_time(args, env),
    )
    result: dict[str, object] = {"awards": args.awards, "districts": args.districts}
    for name in ("sqlite", "postgres"):
        run = runs.get(name)
        for key in ("payment_roll_s", "compute_s", "export_s"):
            result[f"{key}_{name}"] = run[key] if run else None
    result["lines"] = next(iter(runs.values()))["lines"]
    # The slower database's figure, the one a deployment must plan for.
    result["payment_roll_s"] = max(
        float(run["payment_roll_s"]) for run in runs.values()
    )
    result["peak_rss_mb"] = max(int(run["peak_rss_mb"]) for run in runs.values())
    result["load_average_1m"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
