"""Time the policy engine, the dibao rule alone, and NumPy and OpenFisca versions.

Usage: python benchmarks/policy_engine.py --households 100000
         [--openfisca-python /tmp/ofvenv/bin/python]

Builds the engine's input tables from a synthetic city and assesses it for
Shanghai on 2026-12-01. Engine times are the best of 3 runs after one
warm-up. The dibao rule is timed three ways on the same household and person
frames, which the engine's own steps produce before any rule runs:

- the engine's scheme functions: the income and asset tests, then
  ``dibao.household_route``, ``separate_route`` and ``choose_route``;
- a hand-written NumPy version of the household route in ``gap`` mode;
- the same rule for openfisca-core, run by ``benchmarks/openfisca_dibao.py``
  under a separate interpreter (create it with
  ``python3.11 -m venv /tmp/ofvenv && /tmp/ofvenv/bin/pip install
  openfisca-core numpy polars``).

The NumPy and OpenFisca amounts are checked against the engine's household
route amounts. With ``--with-stage``, ``benchmarks/assess_stage.py`` then
times the ``policy.assess`` cycle stage on SQLite and PostgreSQL for the same
size and seed, in its own processes, and its figures join this script's.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl

from common import peak_rss_mb
from doudi.policy import engine
from doudi.policy.inputs import InputTables, validate_tables
from doudi.policy.parameters import PolicyParameters
from doudi.policy.schemes import dibao, result_name
from doudi.policy.synth_inputs import synth_inputs
from doudi.synth import generate_city

CITY: Final = "Shanghai"
ON: Final = date(2026, 12, 1)
REPEAT: Final = 3
OPENFISCA_TIMEOUT_S: Final = 1800
OPENFISCA_HELPER: Final = Path(__file__).with_name("openfisca_dibao.py")
STAGE_SCRIPT: Final = Path(__file__).with_name("assess_stage.py")
STAGE_TIMEOUT_S: Final = 3600
# Columns that engine._apply_household_rules adds to the household frame.
RULE_COLUMNS: Final = (
    "registration_ok",
    "countable_income_fen",
    "financial_assets_per_person_fen",
    "floor_area_per_person_m2",
    "per_capita_income_fen",
    "financial_assets_ok",
    "vehicle_ok",
    "housing_ok",
    "assets_ok",
)
HOUSEHOLD_AMOUNT: Final = "household_amount_fen"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _best_of(label: str, run: Callable[[], object]) -> tuple[float, Any]:
    """Run once to warm up, then REPEAT times, and return the best time and a result."""
    result = run()
    times = []
    for attempt in range(REPEAT):
        started = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        _log(f"{label} run {attempt + 1}: {elapsed:.3f} s")
    return min(times), result


def _run_helper(
    command: list[str], label: str, timeout_s: int
) -> tuple[dict[str, Any] | None, str | None]:
    """Run a helper script and return its last line's JSON object or a failure note."""
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=timeout_s
        )
    except subprocess.TimeoutExpired:
        return None, f"{label} timed out after {timeout_s} s"
    sys.stderr.write(completed.stderr)
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"{label} failed ({completed.returncode}): {last}"
    return json.loads(completed.stdout.strip().splitlines()[-1]), None


@dataclass(frozen=True)
class DibaoInputs:
    """The frames the engine builds before any rule runs, and the district rules."""

    rules: engine.DistrictRules
    households: pl.DataFrame
    persons: pl.DataFrame


def prepare_dibao_inputs(inputs: InputTables, params: PolicyParameters) -> DibaoInputs:
    """Build the household and person frames with the engine's own steps.

    NOTE: this calls private engine functions, so it follows their signatures.
    The household frame is ``_household_base`` without the income and asset
    test columns, which the timed rule computes again.
    """
    districts = inputs.households.get_column("district_code").unique().sort()
    rules = engine.resolve_district_rules(
        params, city=CITY, on=ON, districts=districts.to_list()
    )
    keys = engine._household_keys(inputs, rules)
    persons = engine._assessed_persons(inputs, rules, keys, ON)
    base = engine._household_base(inputs, rules, keys, persons, ON)
    return DibaoInputs(rules, base.drop(RULE_COLUMNS), persons)


def engine_dibao(prepared: DibaoInputs) -> pl.DataFrame:
    """Run the income and asset tests and the engine's three dibao functions."""
    tiers = prepared.rules.tiers
    ruled = engine._apply_household_rules(prepared.households.lazy()).collect()
    separate = dibao.separate_route(prepared.persons.lazy(), ruled.lazy(), tiers)
    separate_columns = [
        result_name(dibao.SCHEME, name)
        for name in (
            "separate_candidates",
            "separate_applicants",
            "separate_amount_fen",
        )
    ]
    frame = (
        dibao.household_route(ruled.lazy(), tiers)
        .join(separate, on="household_id", how="left")
        .with_columns(pl.col(separate_columns).fill_null(0))
    )
    names = ("eligible", "amount_fen", "route", HOUSEHOLD_AMOUNT)
    return (
        dibao.choose_route(frame)
        .select(
            "household_id",
            *(pl.col(result_name(dibao.SCHEME, name)).alias(name) for name in names),
        )
        .collect()
    )


def engine_household_route(prepared: DibaoInputs) -> pl.DataFrame:
    """Run the income and asset tests and ``dibao.household_route`` only."""
    ruled = engine._apply_household_rules(prepared.households.lazy())
    amount = pl.col(result_name(dibao.SCHEME, HOUSEHOLD_AMOUNT))
    return (
        dibao.household_route(ruled, prepared.rules.tiers)
        .select("household_id", amount.alias(HOUSEHOLD_AMOUNT))
        .collect()
    )


def _district_values(
    rules: engine.DistrictRules, name: str, fill: float
) -> npt.NDArray[np.float64]:
    return rules.frame.get_column(name).cast(pl.Float64).fill_null(fill).to_numpy()


def numpy_dibao(prepared: DibaoInputs) -> pl.DataFrame:
    """Compute the household route amount in ``gap`` mode with NumPy arrays.

    Follows the engine's rule. Countable income is gross income less
    deductions, at least 0. A household qualifies when it has counted
    members, its head has a local hukou, it passes the asset tests and its
    income is below the sum of its members' standards. It then receives the
    gap plus its add-ons. An asset rule whose parameter is unset passes.
    """
    rules = prepared.rules
    modes = set(rules.frame.get_column("payment_mode").to_list())
    if modes != {"gap"}:
        raise ValueError(
            f"payment modes {sorted(modes)}: the NumPy version implements only "
            "'gap'. Benchmark a city whose districts all pay the gap."
        )
    frame = prepared.households

    def column(name: str) -> npt.NDArray[Any]:
        return frame.get_column(name).to_numpy()

    district = column("district_idx").astype(np.intp)
    standard = rules.frame.get_column("standard_fen").to_numpy()[district]
    minor_standard = (
        rules.frame.get_column("minor_standard_fen")
        .fill_null(rules.frame.get_column("standard_fen"))
        .to_numpy()[district]
    )
    members = column("counted_members").astype(np.int64)
    minors = column("counted_minors").astype(np.int64)
    income = np.maximum(column("gross_income_fen") - column("deductions_fen"), 0)
    standard_total = (members - minors) * standard + minors * minor_standard

    asset_limit = _district_values(rules, "asset_limit_fen", np.inf)[district]
    financial_ok = column("financial_assets_fen") <= members * asset_limit

    vehicle_rule = rules.frame.get_column("vehicle_allowed")
    vehicles = column("vehicles")
    if vehicle_rule.is_null().all():
        vehicle_ok = np.ones(frame.height, dtype=bool)
    else:
        checked = vehicle_rule.is_not_null().to_numpy()[district]
        allowed = vehicle_rule.fill_null(True).to_numpy()[district]
        allowed_if_ill = (
            rules.frame.get_column("vehicle_allowed_if_seriously_ill")
            .fill_null(False)
            .to_numpy()[district]
        )
        for_ill = (
            allowed_if_ill
            & (vehicles == 1)
            & (column("vehicles_for_seriously_ill") == 1)
            & (column("seriously_ill_members") > 0)
        )
        vehicle_ok = ~checked | (vehicles == 0) | allowed | for_ill

    max_homes = _district_values(rules, "max_homes", np.inf)[district]
    exception_area = _district_values(rules, "floor_area_exception_m2", -np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        area_per_person = column("floor_area_m2").astype(np.float64) / members
    housing_ok = (column("homes") <= max_homes) | (
        area_per_person < exception_area[district]
    )

    eligible = (
        (members > 0)
        & (income < standard_total)
        & financial_ok
        & vehicle_ok
        & housing_ok
        & column("hukou_local")
    )
    amount = np.where(eligible, standard_total - income + column("addons_fen"), 0)
    return pl.DataFrame(
        {"household_id": frame.get_column("household_id"), "amount_fen": amount}
    )


def count_mismatches(
    expected: pl.DataFrame,
    actual: pl.DataFrame,
    expected_column: str = HOUSEHOLD_AMOUNT,
    actual_column: str = "amount_fen",
) -> int:
    """Count households whose amount differs, or that only one frame has."""
    joined = expected.select("household_id", expected=expected_column).join(
        actual.select("household_id", actual=actual_column),
        on="household_id",
        how="full",
        coalesce=True,
    )
    differs = pl.col("expected").cast(pl.Int64).ne_missing(pl.col("actual"))
    return int(joined.select(differs.sum()).item())


def run_openfisca(
    python: str, prepared: DibaoInputs, expected: pl.DataFrame
) -> tuple[dict[str, object], str | None]:
    """Time the OpenFisca version in its own interpreter.

    Returns the figures (null when it could not run) and a note on failure.
    """
    failed: dict[str, object] = {
        "dibao_openfisca_s": None,
        "dibao_openfisca_build_s": None,
        "dibao_openfisca_matches": None,
        "dibao_openfisca_mismatches": None,
    }
    if not Path(python).exists():
        return failed, f"openfisca-core not run: interpreter {python} not found"
    rules = prepared.rules.frame
    standards = rules.select("standard_fen", "minor_standard_fen").unique()
    if standards.height != 1:
        return failed, "openfisca-core not run: standards differ between districts"
    standard, minor_standard = standards.row(0)
    assets_ok = engine._apply_household_rules(prepared.households.lazy()).select(
        "household_id", "assets_ok"
    )
    households = prepared.households.select(
        "household_id",
        "deductions_fen",
        "addons_fen",
        registration_ok="hukou_local",
    ).join(assets_ok.collect(), on="household_id", how="left")
    persons = prepared.persons.select(
        "person_id", "household_id", "income_fen", "counted", "minor"
    )
    with tempfile.TemporaryDirectory(prefix="doudi-bench-") as directory:
        folder = Path(directory)
        persons.write_parquet(folder / "persons.parquet")
        households.write_parquet(folder / "households.parquet")
        command = [
            python,
            str(OPENFISCA_HELPER),
            str(folder / "persons.parquet"),
            str(folder / "households.parquet"),
            str(folder / "amounts.parquet"),
            "--standard-fen",
            str(standard),
            "--repeat",
            str(REPEAT),
        ]
        if minor_standard is not None:
            command += ["--minor-standard-fen", str(minor_standard)]
        figures, note = _run_helper(command, "openfisca-core", OPENFISCA_TIMEOUT_S)
        if figures is None:
            return failed, note
        amounts = pl.read_parquet(folder / "amounts.parquet")
    mismatches = count_mismatches(expected, amounts)
    return {
        "dibao_openfisca_s": figures["calculate_s"],
        "dibao_openfisca_build_s": figures["build_s"],
        "dibao_openfisca_matches": mismatches == 0,
        "dibao_openfisca_mismatches": mismatches,
    }, None


def run_stage(args: argparse.Namespace) -> tuple[dict[str, object], str]:
    """Time the cycle stage with ``assess_stage.py``; return figures and a note.

    The peak RSS becomes the larger of this process's and the stage's.
    """
    command = [
        sys.executable,
        str(STAGE_SCRIPT),
        "--households",
        str(args.households),
        "--seed",
        str(args.seed),
        "--postgres-url",
        args.postgres_url,
        "--postgres-db",
        args.postgres_db,
    ]
    failed: dict[str, object] = {"stage_sqlite_s": None, "stage_postgres_s": None}
    stage, failure = _run_helper(command, "assess_stage.py", STAGE_TIMEOUT_S)
    if stage is None:
        return failed, str(failure)
    figures = {
        "stage_sqlite_s": stage["stage_sqlite_s"],
        "stage_postgres_s": stage["stage_postgres_s"],
        "stage_assessments": stage["assessments"],
        "stage_peak_rss_mb": stage["peak_rss_mb"],
        "peak_rss_mb": max(peak_rss_mb(), int(stage["peak_rss_mb"])),
    }
    note = (
        "stage_sqlite_s and stage_postgres_s time the policy.assess cycle stage "
        "once in a fresh process per database after loading the same synthetic "
        "city (loading not timed); peak_rss_mb is the larger of the engine "
        "process and the stage processes"
    )
    return figures, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--households", type=int, default=100_000, help="households to generate"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument(
        "--openfisca-python",
        # Only an interpreter path to run, so nothing is written under /tmp.
        default="/tmp/ofvenv/bin/python",  # noqa: S108
        help="Python interpreter with openfisca-core, numpy and polars installed",
    )
    parser.add_argument(
        "--skip-openfisca", action="store_true", help="do not run the OpenFisca part"
    )
    parser.add_argument(
        "--with-stage",
        action="store_true",
        help="also time the policy.assess cycle stage on SQLite and PostgreSQL",
    )
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="with --with-stage: the PostgreSQL server for the stage benchmark",
    )
    parser.add_argument(
        "--postgres-db",
        default="doudi_bench_stage",
        help="with --with-stage: database created for the stage and dropped after",
    )
    args = parser.parse_args()
    notes: list[str] = []

    started = time.perf_counter()
    city = generate_city(args.households, args.seed, ON)
    tables = validate_tables(synth_inputs(city, city_name=CITY), city=CITY)
    del city
    params = PolicyParameters.load()
    _log(f"inputs built in {time.perf_counter() - started:.1f} s")
    results: dict[str, object] = {
        "households": tables.households.height,
        "persons": tables.persons.height,
        "incomes": tables.incomes.height,
        "assets": tables.assets.height,
        "city": CITY,
        "on": ON.isoformat(),
    }

    engine_s, assessment = _best_of(
        "assess", lambda: engine.assess(tables, params, city=CITY, on=ON)
    )
    results["engine_all_s"] = round(engine_s, 3)
    results["peak_rss_mb"] = peak_rss_mb()

    prepared = prepare_dibao_inputs(tables, params)
    dibao_s, engine_amounts = _best_of("engine dibao", lambda: engine_dibao(prepared))
    results["dibao_engine_s"] = round(dibao_s, 4)
    reference = assessment.schemes[dibao.SCHEME]
    results["dibao_engine_matches_assess"] = (
        count_mismatches(reference, engine_amounts, "amount_fen") == 0
        and count_mismatches(reference, engine_amounts, actual_column=HOUSEHOLD_AMOUNT)
        == 0
    )
    separate = engine_amounts.filter(pl.col("route") == "separate").height
    results["dibao_separate_route_households"] = separate
    notes.append(
        "dibao_engine_s times the engine's income and asset tests and "
        "dibao.household_route, separate_route and choose_route on the frames "
        "the engine builds before its rules; the NumPy and OpenFisca versions "
        "implement the household route only and are checked against its amount"
    )

    route_s, route_amounts = _best_of(
        "engine household route", lambda: engine_household_route(prepared)
    )
    results["dibao_engine_household_route_s"] = round(route_s, 4)
    results["dibao_engine_household_route_matches"] = (
        count_mismatches(reference, route_amounts, actual_column=HOUSEHOLD_AMOUNT) == 0
    )

    numpy_s, numpy_amounts = _best_of("numpy dibao", lambda: numpy_dibao(prepared))
    numpy_mismatches = count_mismatches(reference, numpy_amounts)
    results["dibao_numpy_s"] = round(numpy_s, 4)
    results["dibao_numpy_matches"] = numpy_mismatches == 0
    results["dibao_numpy_mismatches"] = numpy_mismatches
    paid = numpy_amounts.filter(pl.col("amount_fen") > 0).height
    results["dibao_household_route_paid"] = paid

    if args.skip_openfisca:
        results["dibao_openfisca_s"] = None
        notes.append("openfisca-core skipped by --skip-openfisca")
    else:
        figures, note = run_openfisca(args.openfisca_python, prepared, reference)
        results.update(figures)
        if note is None:
            notes.append(
                "dibao_openfisca_s is the best calculate time; building the "
                "simulation and setting inputs is dibao_openfisca_build_s; the "
                "asset outcome is an input there"
            )
        else:
            notes.append(note)

    if args.with_stage:
        del tables, assessment, prepared
        stage, note = run_stage(args)
        results.update(stage)
        notes.append(note)
    else:
        results["stage_sqlite_s"] = None
        results["stage_postgres_s"] = None
        notes.append("stage_sqlite_s and stage_postgres_s: run with --with-stage")
    results["notes"] = notes
    print(json.dumps(results))


if __name__ == "__main__":
    main()
