"""Household composition: who counts as a member, and who may apply alone.

National definition (最低生活保障审核确认办法, 民发〔2021〕57号, Art. 7): the
applicant's spouse, minor children, adult children who cannot live
independently (including full-time students up to bachelor level), and
others with a legal duty of support who live with the family long term.
People in prison, in compulsory drug rehabilitation, declared missing, or
clergy living apart for 3 years or more are not counted.

Here the head is the applicant. Parents, grandchildren and siblings count when
they live with the household long term. ``other`` relatives (such as a
son-in-law) have no statutory duty of support towards the head and do not
count. NOTE: the duties of grandchildren and siblings are conditional in the
Civil Code (for example, only when the parents have died). The engine counts
them whenever they live with the household.

Separate application (Art. 8): in a household whose per-capita income is below
``dibao.separate_application_multiplier`` x the standard, a member with a
grade 1-2 disability, a grade 3 intellectual or mental disability, or a
serious illness may apply alone.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

from doudi.policy.schemes import sum_where

# Age of majority (Civil Code Art. 17).
ADULT_AGE: Final = 18
# Age from which a person is elderly (Law on the Protection of the Rights and
# Interests of the Elderly, Art. 2), used for the "elderly" add-on.
ELDERLY_AGE: Final = 60
SEVERE_DISABILITY_GRADES: Final = (1, 2)
SEPARATE_GRADE_3_CATEGORIES: Final = ("intellectual", "mental")
ADDON_CATEGORIES: Final = (
    "elderly",
    "minor",
    "student",
    "single_parent_member",
    "severe_disability",
    "serious_illness",
)
LONG_TERM_RELATIVES: Final = ("parent", "grandchild", "sibling")


def age_on(on: date) -> pl.Expr:
    """Return completed years of age on ``on`` from ``birth_date``."""
    birth = pl.col("birth_date")
    birthday_not_reached = (birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day()) > (
        on.month * 100 + on.day
    )
    years = pl.lit(on.year, dtype=pl.Int32) - birth.dt.year().cast(pl.Int32)
    return years - birthday_not_reached.cast(pl.Int32)


def excluded() -> pl.Expr:
    """Flag a person whom the national definition never counts."""
    return (
        pl.col("in_prison")
        | pl.col("in_drug_rehab")
        | pl.col("declared_missing")
        | pl.col("clergy_apart_3y")
    )


def severe_disability() -> pl.Expr:
    return pl.col("disability_grade").is_in(SEVERE_DISABILITY_GRADES).fill_null(False)


def may_apply_alone_by_health() -> pl.Expr:
    """Flag the health conditions of Art. 8, before the household income test."""
    grade_3_mental = (pl.col("disability_grade") == 3) & pl.col(
        "disability_category"
    ).is_in(SEPARATE_GRADE_3_CATEGORIES)
    return (
        severe_disability()
        | grade_3_mental.fill_null(False)
        | pl.col("serious_illness")
    )


def _cannot_live_independently() -> pl.Expr:
    student = pl.col("full_time_student") & (
        pl.col("student_level") == "up_to_bachelor"
    )
    no_capacity = pl.col("work_capacity") == "none"
    return student.fill_null(False) | no_capacity.fill_null(False)


def counted() -> pl.Expr:
    """Flag a person counted in the household under Art. 7; needs ``age``."""
    relationship = pl.col("relationship")
    long_term = pl.col("lives_with_household_long_term")
    adult_child = (relationship == "child") & (_cannot_live_independently() | long_term)
    minor_child = (relationship == "child") & (pl.col("age") < ADULT_AGE)
    relative = relationship.is_in(LONG_TERM_RELATIVES) & long_term
    member = relationship.is_in(("head", "spouse")) | minor_child | adult_child
    return ~excluded() & (member | relative)


def person_flags(persons: pl.LazyFrame, on: date) -> pl.LazyFrame:
    """Add age and the membership and health flags that need no district values."""
    return persons.with_columns(age=age_on(on)).with_columns(
        excluded=excluded(),
        counted=counted(),
        minor=pl.col("age") < ADULT_AGE,
        severe_disability=severe_disability(),
        may_apply_alone_by_health=may_apply_alone_by_health(),
    )


def person_standards(persons: pl.LazyFrame, *, addons: bool) -> pl.LazyFrame:
    """Add each person's own standard and add-on.

    ``persons`` must carry the district columns ``standard_fen`` and
    ``minor_standard_fen``, and ``addon_<category>_fen`` when ``addons`` is
    true. Without add-ons every person's ``addon_fen`` is 0, which skips a
    group-by over all persons.
    """
    with_standard = persons.with_columns(own_standard_fen=_own_standard())
    if not addons:
        return with_standard.with_columns(addon_fen=pl.lit(0, dtype=pl.Int64))
    single_parent = _single_parent_households(with_standard)
    with_household = with_standard.join(single_parent, on="household_id", how="left")
    return with_household.with_columns(addon_fen=_addon()).drop(
        "single_parent_household"
    )


def _single_parent_households(persons: pl.LazyFrame) -> pl.LazyFrame:
    """Flag households with a counted head, no counted spouse and a minor child."""
    counted_member = pl.col("counted")
    relationship = pl.col("relationship")
    return persons.group_by("household_id").agg(
        single_parent_household=(
            (counted_member & (relationship == "head")).any()
            & ~(counted_member & (relationship == "spouse")).any()
            & (counted_member & (relationship == "child") & pl.col("minor")).any()
        )
    )


def _own_standard() -> pl.Expr:
    """Select each person's standard: the minors' standard where one is set."""
    minor_standard = pl.col("minor_standard_fen")
    return (
        pl.when(pl.col("minor") & minor_standard.is_not_null())
        .then(minor_standard)
        .otherwise(pl.col("standard_fen"))
    )


def _addon() -> pl.Expr:
    """Select the largest add-on of the person's categories.

    NOTE: whether add-ons of several categories add up is a local rule. The
    engine pays one add-on per person, the largest.
    """
    single_parent_member = pl.col("single_parent_household") & pl.col(
        "relationship"
    ).is_in(("head", "child"))
    in_category = {
        "elderly": pl.col("age") >= ELDERLY_AGE,
        "minor": pl.col("minor"),
        "student": pl.col("full_time_student"),
        "single_parent_member": single_parent_member,
        "severe_disability": pl.col("severe_disability"),
        "serious_illness": pl.col("serious_illness"),
    }
    amounts = [
        pl.when(condition).then(pl.col(f"addon_{category}_fen")).otherwise(0)
        for category, condition in in_category.items()
    ]
    return pl.max_horizontal(amounts).fill_null(0)


def composition_aggregations() -> list[pl.Expr]:
    """Count members per household and sum their standards and add-ons."""
    is_counted = pl.col("counted")
    return [
        sum_where(is_counted).alias("counted_members"),
        sum_where(pl.col("excluded")).alias("excluded_members"),
        sum_where(~is_counted & ~pl.col("excluded")).alias("uncounted_members"),
        sum_where(is_counted & pl.col("minor")).alias("counted_minors"),
        sum_where(is_counted & pl.col("serious_illness")).alias(
            "seriously_ill_members"
        ),
        sum_where(is_counted, pl.col("own_standard_fen")).alias("standard_total_fen"),
        sum_where(is_counted, pl.col("addon_fen")).alias("addons_fen"),
    ]
