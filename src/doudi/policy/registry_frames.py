"""Map registry-shaped frames (one row per fact) to the engine's input tables.

The registry, like the synthetic city, records facts as rows (one per person
and kind); the engine wants one column per fact. Both the cycle stage, which
reads the database, and `synth_inputs`, which reads a generated city, go
through `inputs_from_frames`, so the two cannot map facts differently.

What the registry does not record yet is filled with neutral values:
everyone lives with the household long term, no one is in prison, in drug
rehabilitation, missing or clergy, no one has a supporter outside, no floor
area is recorded, and the spending and enrolment tables are empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from doudi.policy.inputs import (
    ASSETS,
    ENROLMENT,
    HOUSEHOLDS,
    INCOMES,
    PERSONS,
    SPENDING,
    InputTables,
    empty_table,
)

# School levels that are full-time study up to bachelor level.
UP_TO_BACHELOR_LEVELS: Final = (
    "primary",
    "junior_secondary",
    "senior_secondary",
    "vocational",
    "undergraduate",
)
ABSENCE_FLAGS: Final = (
    "in_prison",
    "in_drug_rehab",
    "declared_missing",
    "clergy_apart_3y",
)


@dataclass(frozen=True)
class RegistryFrames:
    """Registry rows valid on one day.

    - households: household_id, community_code (12-digit division code)
    - persons: person_id, household_id, relationship, birth_date, hukou_type
    - facts: person_id, kind, code, grade (income facts excluded)
    - incomes: person_id, kind, monthly_fen
    - assets: household_id, kind, count, value_fen
    """

    households: pl.DataFrame
    persons: pl.DataFrame
    facts: pl.DataFrame
    incomes: pl.DataFrame
    assets: pl.DataFrame


def inputs_from_frames(
    frames: RegistryFrames, *, city_name: str, source: str = "declared"
) -> InputTables:
    """Build the engine's input tables; `source` labels every income row.

    Households are marked as declared data: verified department data comes
    with the data exchange, which does not feed the registry yet.
    """
    return InputTables(
        households=_households(frames, city_name),
        persons=_persons(frames),
        incomes=frames.incomes.select(
            "person_id", "kind", "monthly_fen", source=pl.lit(source)
        ).cast(INCOMES.full_schema),
        assets=frames.assets.select(
            "household_id",
            "kind",
            "count",
            "value_fen",
            floor_area_m2=pl.lit(None, dtype=pl.Float64),
            for_seriously_ill=pl.lit(None, dtype=pl.Boolean),
        ).cast(ASSETS.full_schema),
        spending=empty_table(SPENDING),
        enrolment=empty_table(ENROLMENT),
    )


def _households(frames: RegistryFrames, city_name: str) -> pl.DataFrame:
    heads = frames.persons.filter(pl.col("relationship") == "head").select(
        "household_id", hukou_local=pl.col("hukou_type") == "local"
    )
    return (
        frames.households.join(heads, on="household_id", how="left")
        .select(
            "household_id",
            city=pl.lit(city_name),
            district_code=pl.col("community_code").str.slice(0, 6),
            hukou_local=pl.col("hukou_local").fill_null(False),
            data_source=pl.lit("declared"),
            sudden_hardship=pl.lit(False),
        )
        .cast(HOUSEHOLDS.full_schema)
    )


def _fact(frames: RegistryFrames, kind: str, **columns: pl.Expr) -> pl.DataFrame:
    rows = frames.facts.filter(pl.col("kind") == kind)
    return rows.unique("person_id", keep="first").select("person_id", **columns)


def _persons(frames: RegistryFrames) -> pl.DataFrame:
    code = pl.col("code")
    facts = [
        _fact(
            frames,
            "disability",
            disability_grade=pl.col("grade"),
            disability_category=code,
        ),
        _fact(frames, "illness", serious_illness=code == "serious"),
        _fact(frames, "work_capacity", work_capacity=code),
        _fact(frames, "employment", employment=code),
        _fact(
            frames,
            "schooling",
            full_time_student=code != "preschool",
            student_level=pl.when(code.is_in(UP_TO_BACHELOR_LEVELS))
            .then(pl.lit("up_to_bachelor"))
            .when(code == "postgraduate")
            .then(pl.lit("postgraduate")),
        ),
        _fact(frames, "care_level", care_level=code),
        _fact(frames, "unsupported_child", unsupported_child=pl.lit(True)),
    ]
    persons = frames.persons.select(
        "person_id", "household_id", "relationship", "birth_date"
    )
    for fact in facts:
        persons = persons.join(fact, on="person_id", how="left")
    return persons.select(
        "person_id",
        "household_id",
        "relationship",
        "birth_date",
        "disability_grade",
        "disability_category",
        serious_illness=pl.col("serious_illness").fill_null(False),
        work_capacity=pl.col("work_capacity"),
        employment=pl.col("employment"),
        full_time_student=pl.col("full_time_student").fill_null(False),
        student_level=pl.col("student_level"),
        lives_with_household_long_term=pl.lit(True),
        **{name: pl.lit(False) for name in ABSENCE_FLAGS},
        care_level=pl.col("care_level"),
        unsupported_child=pl.col("unsupported_child").fill_null(False),
        has_able_supporter_outside=pl.lit(False),
    ).cast(PERSONS.full_schema)
