"""Time the dibao household rule written for openfisca-core.

Usage: python benchmarks/openfisca_dibao.py PERSONS.parquet HOUSEHOLDS.parquet
         OUTPUT.parquet --standard-fen 165000 [--minor-standard-fen 185000]

Runs in its own virtual environment with openfisca-core, numpy and polars
(``benchmarks/policy_engine.py`` starts it), so doudi is not imported. The
rule is the engine's household route in ``gap`` payment mode: a household
with counted members, local registration, passed asset tests and countable
income below the sum of its members' standards receives the difference plus
its add-ons. The asset outcome and the add-ons come in as inputs. Writes the
amount per household to OUTPUT and prints one JSON object as the last line.
"""

# openfisca-core is not in the project's environment, so mypy types it as Any.
# mypy: allow-subclassing-any, allow-untyped-calls

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import numpy as np
import polars as pl
from openfisca_core.entities import build_entity  # type: ignore[import-not-found]
from openfisca_core.parameters import ParameterNode  # type: ignore[import-not-found]
from openfisca_core.periods import MONTH  # type: ignore[import-not-found]
from openfisca_core.simulations import SimulationBuilder  # type: ignore[import-not-found]
from openfisca_core.taxbenefitsystems import TaxBenefitSystem  # type: ignore[import-not-found]
from openfisca_core.variables import Variable  # type: ignore[import-not-found]

PERIOD = "2026-12"

Person = build_entity(key="person", plural="persons", label="Person", is_person=True)
Household = build_entity(
    key="household",
    plural="households",
    label="Household",
    roles=[{"key": "member", "plural": "members", "label": "Member"}],
)


# OpenFisca names each variable by its class, so class names are snake_case.
class income_fen(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Countable monthly income of the person, in fen"


class counted(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Person is a counted member of the household"


class minor(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Person is below the minors' coverage age"


class deductions_fen(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Deductible spending per month, in fen"


class addons_fen(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Sum of the counted members' add-ons, in fen"


class assets_ok(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "Household passes the asset tests"


class registration_ok(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "Household head has a local hukou"


class counted_members(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH

    def formula(household: Any, period: Any) -> Any:
        return household.sum(household.members("counted", period))


class counted_minors(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH

    def formula(household: Any, period: Any) -> Any:
        members = household.members
        return household.sum(members("counted", period) * members("minor", period))


class countable_income(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH

    def formula(household: Any, period: Any) -> Any:
        members = household.members
        gross = household.sum(
            members("income_fen", period) * members("counted", period)
        )
        return np.maximum(gross - household("deductions_fen", period), 0)


class standard_total(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH

    def formula(household: Any, period: Any, parameters: Any) -> Any:
        dibao = parameters(period).dibao
        members = household("counted_members", period)
        minors = household("counted_minors", period)
        return (
            members - minors
        ) * dibao.standard_fen + minors * dibao.minor_standard_fen


class dibao_amount(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Monthly dibao payment of the household route, in fen"

    def formula(household: Any, period: Any) -> Any:
        income = household("countable_income", period)
        standard = household("standard_total", period)
        eligible = (
            (household("counted_members", period) > 0)
            & (income < standard)
            & household("assets_ok", period)
            & household("registration_ok", period)
        )
        amount = standard - income + household("addons_fen", period)
        return np.where(eligible, amount, 0)


def build_system(standard_fen: int, minor_standard_fen: int) -> Any:
    """Build a TaxBenefitSystem with the two entities, the variables and standards."""
    system = TaxBenefitSystem([Person, Household])
    for variable in (
        income_fen,
        counted,
        minor,
        deductions_fen,
        addons_fen,
        assets_ok,
        registration_ok,
        counted_members,
        counted_minors,
        countable_income,
        standard_total,
        dibao_amount,
    ):
        system.add_variable(variable)
    system.parameters = ParameterNode(
        "",
        data={
            "dibao": {
                "standard_fen": {"values": {"2025-07-01": standard_fen}},
                "minor_standard_fen": {"values": {"2025-07-01": minor_standard_fen}},
            }
        },
    )
    return system


def build_simulation(
    system: Any, persons: pl.DataFrame, households: pl.DataFrame
) -> Any:
    """Declare every person and household and set the input variables."""
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", persons.get_column("person_id").to_list())
    household_ids = households.get_column("household_id").to_list()
    group = builder.declare_entity("household", household_ids)
    builder.join_with_persons(
        group,
        persons.get_column("household_id").to_list(),
        ["member"] * persons.height,
    )
    simulation = builder.build(system)
    for name in ("income_fen", "counted", "minor"):
        simulation.set_input(name, PERIOD, persons.get_column(name).to_numpy())
    for name in ("deductions_fen", "addons_fen", "assets_ok", "registration_ok"):
        simulation.set_input(name, PERIOD, households.get_column(name).to_numpy())
    return simulation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("persons", help="Parquet file with one row per person")
    parser.add_argument("households", help="Parquet file with one row per household")
    parser.add_argument("output", help="Parquet file to write the amounts to")
    parser.add_argument(
        "--standard-fen", type=int, required=True, help="adult standard, in fen"
    )
    parser.add_argument(
        "--minor-standard-fen",
        type=int,
        help="minors' standard, in fen; the adult standard when omitted",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="number of timed runs, each with a new simulation",
    )
    args = parser.parse_args()
    minor_standard = args.minor_standard_fen or args.standard_fen

    persons = pl.read_parquet(args.persons)
    households = pl.read_parquet(args.households)
    system = build_system(args.standard_fen, minor_standard)
    # Persons must be grouped by household for OpenFisca's membership arrays.
    persons = persons.sort("household_id")

    build_times = []
    calculate_times = []
    amounts: Any = None
    for run in range(args.repeat):
        started = time.perf_counter()
        simulation = build_simulation(system, persons, households)
        built = time.perf_counter()
        amounts = simulation.calculate("dibao_amount", PERIOD)
        finished = time.perf_counter()
        build_times.append(built - started)
        calculate_times.append(finished - built)
        print(
            f"openfisca run {run + 1}: build {built - started:.2f} s, "
            f"calculate {finished - built:.2f} s",
            file=sys.stderr,
        )
    pl.DataFrame(
        {
            "household_id": households.get_column("household_id"),
            "amount_fen": np.asarray(amounts, dtype=np.int64),
        }
    ).write_parquet(args.output)
    print(
        json.dumps(
            {
                "build_s": round(min(build_times), 4),
                "calculate_s": round(min(calculate_times), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
