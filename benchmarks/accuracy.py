"""Measure how well one monthly cycle reaches the synthetic city's truly eligible.

Usage: python benchmarks/accuracy.py --households 20000 [--seed 5]
         [--database sqlite|postgres] [--skip-duplicates]
         [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
         [--postgres-db doudi_bench_accuracy]

A child process on a fresh database loads a synthetic city with its
department feeds (`doudi synth --feeds`), runs `doudi cycle` for the month,
and compares the result with the city's ground truth (`doudi.synth.truth`,
computed from true incomes and assets, which the system never reads):

- eligible_reached: the share of truly eligible households (dibao, 特困 or
  edge) that hold an award or have an open warning (target at least 0.98);
- warning_precision: the share of open warnings whose household is truly
  eligible (target at least 0.50);
- ineligible_award_share: the share of awards in payment held by households
  that are not truly eligible (target under 0.02); null without awards.

`duplicate_f1`, `febrl_f1` and `febrl_f1_baseline` come from
`doudi.monitoring.duplicates.evaluation` when that module is present; they
are null otherwise or with --skip-duplicates. A cycle stage that fails is
named in `failed_stage` and the figures are computed from what ran. The last
line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from common import add_postgres_options, database_env, run_child, setup_django

SEED = 5


def _child(households: int, seed: int, truth_path: str) -> None:
    setup_django()
    import polars as pl
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    as_of = timezone.localdate()
    call_command(
        "synth",
        households=households,
        seed=seed,
        as_of=as_of.isoformat(),
        truth=truth_path,
        feeds=as_of.strftime("%Y-%m"),
        verbosity=0,
    )
    failed = _run_cycle(as_of.replace(day=1))
    truth = pl.read_parquet(truth_path)
    figures = _figures(truth, _household_base())
    print(json.dumps({**figures, "failed_stage": failed}))


def _run_cycle(month: date) -> str | None:
    from doudi.core.cycle import run_cycle

    outcomes = run_cycle(month)
    while True:
        try:
            next(outcomes)
        except StopIteration:
            return None
        except Exception as error:  # reported in the output, not hidden
            return f"{type(error).__name__}: {error}"[:300]


def _household_base() -> int:
    """Return the offset from the generator's hh_key to the household id."""
    from django.db.models import Min

    from doudi.registry.models import Household

    first = Household.objects.aggregate(first=Min("pk"))["first"] or 1
    return int(first) - 1


def _figures(truth: Any, base: int) -> dict[str, Any]:
    import polars as pl

    from doudi.monitoring.models import OPEN_STATUSES, Warning
    from doudi.payments.models import Award, AwardStatus

    eligible = truth.filter(
        pl.col("dibao") | pl.col("edge") | (pl.col("tekun_persons") > 0)
    ).select((pl.col("hh_key") + base).alias("household_id"))
    warnings = pl.DataFrame(
        list(
            Warning.objects.filter(status__in=OPEN_STATUSES).values_list(
                "household_id", "kind"
            )
        ),
        schema={"household_id": pl.Int64(), "kind": pl.Utf8()},
        orient="row",
    )
    awards = pl.DataFrame(
        list(
            Award.objects.filter(status=AwardStatus.ACTIVE).values_list(
                "household_id", flat=True
            )
        ),
        schema={"household_id": pl.Int64()},
    )
    reached = pl.concat([warnings.select("household_id"), awards]).unique()
    return {
        "households": truth.height,
        "truly_eligible": eligible.height,
        "warnings": warnings.height,
        "warnings_by_kind": dict(warnings.group_by("kind").len().iter_rows()),
        "awards": awards.height,
        "eligible_reached": _share(
            eligible.join(reached, on="household_id", how="semi").height,
            eligible.height,
        ),
        "warning_precision": _share(
            warnings.join(eligible, on="household_id", how="semi").height,
            warnings.height,
        ),
        "ineligible_award_share": _share(
            awards.join(eligible, on="household_id", how="anti").height,
            awards.height,
        ),
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _duplicates(households: int, seed: int) -> dict[str, Any]:
    try:
        from doudi.monitoring.duplicates import evaluation
    except ImportError:
        return {}
    planted = evaluation.planted_f1(households, seed)
    febrl = evaluation.febrl_f1()
    return {
        "duplicate_f1": planted.get("f1"),
        "febrl_f1": febrl.get("febrl_f1"),
        "febrl_f1_baseline": febrl.get("febrl_f1_baseline"),
    }


def _duplicates_child(households: int, seed: int) -> None:
    setup_django()
    print(json.dumps(_duplicates(households, seed)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000, help="households")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="database to run the cycle on",
    )
    parser.add_argument(
        "--skip-duplicates",
        action="store_true",
        help="leave the duplicate detection figures null",
    )
    add_postgres_options(parser, "doudi_bench_accuracy")
    parser.add_argument(
        "--child", choices=["cycle", "duplicates"], help=argparse.SUPPRESS
    )
    parser.add_argument("--truth", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "cycle":
        _child(args.households, args.seed, args.truth)
        return
    if args.child == "duplicates":
        _duplicates_child(args.households, args.seed)
        return
    options = ["--households", str(args.households), "--seed", str(args.seed)]
    with (
        database_env(args.database, args.postgres_url, args.postgres_db) as env,
        tempfile.TemporaryDirectory(prefix="doudi-truth-") as folder,
    ):
        truth = str(Path(folder) / "truth.parquet")
        results = run_child(__file__, "cycle", [*options, "--truth", truth], env)
        duplicates: dict[str, Any] = {}
        if not args.skip_duplicates:
            duplicates = run_child(__file__, "duplicates", options, env)
    summary = {
        "database": args.database,
        "machine": f"{os.cpu_count()} cores",
        **results,
        "duplicate_f1": duplicates.get("duplicate_f1"),
        "febrl_f1": duplicates.get("febrl_f1"),
        "febrl_f1_baseline": duplicates.get("febrl_f1_baseline"),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
