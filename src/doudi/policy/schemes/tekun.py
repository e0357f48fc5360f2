"""Tekun (特困人员): people with no capacity to work, no livelihood, no supporter.

Per person (特困人员认定办法, Ministry of Civil Affairs, 2021):

- No capacity to work: aged ``tekun.elderly_age`` or over, under
  ``tekun.child_age``, or a listed disability: intellectual or mental grade
  1-2, physical grade 1-3, visual grade 1. A person already covered (the
  household is enrolled in tekun) stays covered until ``minor.coverage_age``,
  and past it while a full-time student. A new applicant aged from
  ``tekun.child_age`` to below ``minor.coverage_age`` does not qualify by
  age.
- No source of livelihood: the person's own income, less the kinds in
  ``tekun.income_disregarded``, is below the dibao standard, and the
  household's assets pass the asset tests.
- No able supporter: no supporter outside the household, and no other
  counted member aged 18 to below ``tekun.elderly_age`` with full or partial
  work capacity (unknown capacity counts as able). A minor recorded as an
  unsupported child (事实无人抚养儿童) has no able supporter.
- Registered locally.

The household row counts the people who qualify and pays each the basic
living standard, ``tekun.multiplier`` x the dibao standard (rounded by
``rounding.derived``). The recommended tier is the highest care level among
them. NOTE: the care allowance that depends on the care level is a local
amount with no parameter yet, so it is not included.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from doudi.policy.inputs import Scheme
from doudi.policy.schemes import all_passed, result_name, sum_where
from doudi.policy.schemes.household import ADULT_AGE

SCHEME: Final = Scheme.TEKUN.value
# Disability category -> the grades that mean no capacity to work.
NO_CAPACITY_GRADES: Final = {
    "intellectual": (1, 2),
    "mental": (1, 2),
    "physical": (1, 2, 3),
    "visual": (1,),
}
CARE_LEVEL_ORDER: Final = ("self_care", "partly_dependent", "fully_dependent")


def listed_disability() -> pl.Expr:
    grade = pl.col("disability_grade")
    category = pl.col("disability_category")
    listed = pl.lit(False)
    for name, grades in NO_CAPACITY_GRADES.items():
        listed = listed | ((category == name) & grade.is_in(grades))
    return listed.fill_null(False)


def able_supporter() -> pl.Expr:
    """Flag a counted working-age adult able to work; needs ``listed_disability``."""
    capacity = pl.col("work_capacity")
    has_capacity = capacity.is_in(("full", "partial")) | capacity.is_null()
    working_age = (pl.col("age") >= ADULT_AGE) & (pl.col("age") < pl.col("elderly_age"))
    return pl.col("counted") & working_age & has_capacity & ~pl.col("listed_disability")


def supporter_aggregations() -> list[pl.Expr]:
    return [sum_where(pl.col("able_supporter")).alias("able_supporters")]


def _no_capacity() -> pl.Expr:
    age = pl.col("age")
    return (
        (age >= pl.col("elderly_age"))
        | (age < pl.col("child_age"))
        | pl.col("listed_disability")
    )


def candidates(persons: pl.LazyFrame) -> pl.LazyFrame:
    """Keep the persons who might qualify, before household columns are joined.

    This keeps everyone whom ``assess_persons`` could find eligible, so that
    the join with the households touches fewer rows.
    """
    possible = _no_capacity() | (pl.col("age") < pl.col("coverage_age"))
    return persons.filter(
        ~pl.col("excluded") & (possible | pl.col("full_time_student"))
    )


def _covered_young_person() -> pl.Expr:
    enrolled = pl.col("tekun_enrolled").fill_null(False)
    under_age = pl.col("age") < pl.col("coverage_age")
    return enrolled & (under_age | pl.col("full_time_student"))


def assess_persons(persons: pl.LazyFrame) -> pl.LazyFrame:
    """Assess candidates; ``persons`` carries household and district columns."""
    other_supporters = pl.col("able_supporters") - pl.col("able_supporter").cast(
        pl.Int32
    )
    unsupported_minor = pl.col("minor") & pl.col("unsupported_child")
    capacity_ok = _no_capacity() | _covered_young_person()
    livelihood_ok = pl.col("tekun_income_fen") < pl.col("standard_fen")
    supporter_ok = ~pl.col("has_able_supporter_outside") & (
        unsupported_minor | (other_supporters == 0)
    )
    return persons.with_columns(
        tekun_capacity_ok=~pl.col("excluded") & capacity_ok,
        tekun_eligible=all_passed(
            pl.col("tekun_basic_fen").is_not_null(),
            ~pl.col("excluded"),
            capacity_ok,
            livelihood_ok,
            pl.col("assets_ok"),
            supporter_ok,
            pl.col("registration_ok"),
        ),
    )


def _care_rank() -> pl.Expr:
    ranks = {level: rank for rank, level in enumerate(CARE_LEVEL_ORDER)}
    return pl.col("care_level").replace_strict(
        ranks, default=None, return_dtype=pl.Int8
    )


def household_counts(persons: pl.LazyFrame) -> pl.LazyFrame:
    """Count assessed persons per household, with the top care level rank."""
    eligible = pl.col("tekun_eligible")
    return persons.group_by("household_id").agg(
        tekun_candidates=sum_where(pl.col("tekun_capacity_ok")),
        tekun_persons=sum_where(eligible),
        tekun_care_rank=_care_rank().filter(eligible).max(),
    )


def assess_households(households: pl.LazyFrame) -> pl.LazyFrame:
    """Add the tekun result columns to household rows that carry the counts."""
    labels = dict(enumerate(CARE_LEVEL_ORDER))
    persons = pl.col("tekun_persons").fill_null(0)
    columns = {
        "eligible": persons > 0,
        "amount_fen": pl.when(persons > 0)
        .then(persons.cast(pl.Int64) * pl.col("tekun_basic_fen"))
        .otherwise(0),
        "recommended_tier": pl.col("tekun_care_rank").replace_strict(
            labels, default=None, return_dtype=pl.Utf8
        ),
        "candidates": pl.col("tekun_candidates").fill_null(0),
        "persons": persons,
        "basic_living_fen": pl.col("tekun_basic_fen"),
    }
    return households.with_columns(
        **{result_name(SCHEME, name): value for name, value in columns.items()}
    )
