"""The facts frame: one row per recorded fact about a person.

Kinds and codes:

- ``disability``: code is the category, ``grade`` 1-4, ``reference`` the
  20-character certificate number (resident ID, category digit, grade digit).
- ``illness``: ``serious`` or ``chronic``.
- ``work_capacity``: ``full``, ``partial`` or ``none``, for ages 16-59.
- ``employment``: the activity of everyone aged 16 and over.
- ``schooling``: the current school level; ``valid_from`` is the 1 September
  on which the person entered that level.
- ``living_alone``: ``yes`` for people aged 60 and over in one-person
  households.
- ``care_level``: for people aged 60 and over and people with a grade 1-2
  disability. ``detail`` is a JSON object of the six ADL items, true where
  the person needs help.
- ``released_prisoner``, ``unsupported_child`` and ``migrant_in_difficulty``:
  ``yes``.

``valid_to`` is null for every fact: each fact holds on the as-of date.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import polars as pl

from doudi.synth import calibration
from doudi.synth.arrays import BoolArray, DateArray, IntArray
from doudi.synth.columns import labels
from doudi.synth.conditions import (
    ACTIVITIES,
    ADL_ITEMS,
    CARE_LEVELS,
    DISABILITY_CATEGORIES,
    RETIRED,
    SCHOOL_ENTRY_AGES,
    SCHOOL_LEVELS,
    WORK_CAPACITIES,
    Conditions,
    care_level_index,
)
from doudi.synth.households import DAYS_PER_YEAR, Member, Skeleton

# ESTIMATE: shares of the special-situation kinds.
RELEASED_PRISONER_SHARE: Final = 0.0015  # of people aged 18-64
UNSUPPORTED_CHILD_SHARE: Final = 0.15  # of minors living with no adult aged 18-59
MIGRANT_IN_DIFFICULTY_SHARE: Final = 0.50  # of migrants below the dibao line

FACT_SCHEMA: Final = pl.Schema(
    {
        "person_key": pl.Int64,
        "kind": pl.Utf8,
        "code": pl.Utf8,
        "grade": pl.Int8,
        "reference": pl.Utf8,
        "valid_from": pl.Date,
        "valid_to": pl.Date,
        "detail": pl.Utf8,
    }
)


class FactContext:
    """Inputs shared by the builders of each fact kind."""

    def __init__(
        self,
        rng: np.random.Generator,
        skeleton: Skeleton,
        conditions: Conditions,
        ages: IntArray,
        births: DateArray,
        as_of: date,
    ) -> None:
        self.rng = rng
        self.skeleton = skeleton
        self.conditions = conditions
        self.ages = ages
        self.births = births
        self.as_of = np.datetime64(as_of, "D")

    def since(
        self, persons: IntArray, max_years: float, min_age: float = 0.0
    ) -> DateArray:
        """Draw a start date up to ``max_years`` before as-of.

        The date is not before the person reaches ``min_age`` years, nor
        after as-of.
        """
        days = np.floor(self.rng.random(persons.size) * max_years * DAYS_PER_YEAR)
        start = self.as_of - days.astype("timedelta64[D]")
        return np.minimum(
            np.maximum(start, self.birthday(persons, min_age)), self.as_of
        )

    def birthday(self, persons: IntArray, age: float | IntArray) -> DateArray:
        """Return the approximate date on which each person reaches ``age``."""
        days = np.floor(np.asarray(age, dtype=np.float64) * DAYS_PER_YEAR)
        reached: DateArray = self.births[persons] + days.astype("timedelta64[D]")
        return reached


def build_facts(
    context: FactContext,
    resident_ids: pl.Series,
    below_dibao_line: BoolArray,
) -> pl.DataFrame:
    """Build the facts frame, grouped by kind and sorted by person within kind.

    Sorting the whole frame by person would double its peak memory.
    """
    frames = [
        _disability(context, resident_ids),
        _illness(context),
        _work_capacity(context),
        _employment(context),
        _schooling(context),
        _living_alone(context),
        _care_level(context),
        _released_prisoners(context),
        _unsupported_children(context),
        _migrants_in_difficulty(context, below_dibao_line),
    ]
    return pl.concat(frames)


def _frame(
    persons: IntArray,
    kind: str,
    code: pl.Series | str,
    valid_from: DateArray,
    grade: IntArray | None = None,
    reference: pl.Series | None = None,
    detail: pl.Series | None = None,
) -> pl.DataFrame:
    frame = pl.DataFrame({"person_key": persons + 1, "valid_from": valid_from})
    columns = {
        "kind": kind,
        "code": code,
        "grade": grade,
        "reference": reference,
        "valid_to": None,
        "detail": detail,
    }
    filled = [
        pl.lit(values).alias(name)
        if values is None or isinstance(values, str)
        else pl.Series(name, values)
        for name, values in columns.items()
    ]
    return frame.with_columns(filled).select(
        pl.col(name).cast(dtype) for name, dtype in FACT_SCHEMA.items()
    )


def _disability(context: FactContext, resident_ids: pl.Series) -> pl.DataFrame:
    category = context.conditions.disability_category
    persons = np.flatnonzero(category >= 0)
    names = labels(DISABILITY_CATEGORIES, category[persons])
    grade = context.conditions.disability_grade[persons]
    digits = np.array(
        [int(calibration.DISABILITY_CATEGORY_DIGITS[n]) for n in DISABILITY_CATEGORIES]
    )
    suffix = pl.Series(digits[category[persons]] * 10 + grade).cast(pl.Utf8)
    reference = resident_ids.gather(persons) + suffix
    return _frame(
        persons, "disability", names, context.since(persons, 10.0), grade, reference
    )


def _illness(context: FactContext) -> pl.DataFrame:
    serious = np.flatnonzero(context.conditions.serious_illness)
    chronic = np.flatnonzero(context.conditions.chronic_illness)
    return pl.concat(
        [
            _frame(serious, "illness", "serious", context.since(serious, 5.0)),
            _frame(chronic, "illness", "chronic", context.since(chronic, 10.0)),
        ]
    ).sort("person_key", maintain_order=True)


def _work_capacity(context: FactContext) -> pl.DataFrame:
    capacity = context.conditions.work_capacity
    persons = np.flatnonzero(capacity >= 0)
    codes = labels(WORK_CAPACITIES, capacity[persons])
    return _frame(persons, "work_capacity", codes, context.since(persons, 2.0, 16.0))


def _employment(context: FactContext) -> pl.DataFrame:
    activity = context.conditions.activity
    persons = np.flatnonzero(activity >= 0)
    codes = labels(ACTIVITIES, activity[persons])
    started = context.since(persons, 10.0, 16.0)

    # Retired people have been retired since they reached retirement age.
    retirement_age = context.conditions.retirement_age[persons]
    retirement = context.birthday(persons, retirement_age)
    retired = activity[persons] == RETIRED
    valid_from = np.where(retired, np.minimum(retirement, context.as_of), started)
    return _frame(persons, "employment", codes, valid_from)


def _schooling(context: FactContext) -> pl.DataFrame:
    level = context.conditions.school_level
    persons = np.flatnonzero(level >= 0)
    entry_age = np.array(SCHOOL_ENTRY_AGES)[level[persons]]
    years_in_level = np.clip(context.ages[persons] - entry_age, 0, None)

    as_of = context.as_of.astype(object)
    school_year = as_of.year if as_of.month >= 9 else as_of.year - 1
    entry_year = school_year - years_in_level
    september = (entry_year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + 8
    return _frame(
        persons,
        "schooling",
        labels(SCHOOL_LEVELS, level[persons]),
        september.astype("datetime64[D]"),
    )


def _living_alone(context: FactContext) -> pl.DataFrame:
    skeleton = context.skeleton
    size = np.bincount(skeleton.household_of, minlength=skeleton.template.size)
    alone = (size[skeleton.household_of] == 1) & (context.ages >= 60)
    persons = np.flatnonzero(alone)
    return _frame(persons, "living_alone", "yes", context.since(persons, 10.0))


def _care_level(context: FactContext) -> pl.DataFrame:
    persons = np.flatnonzero(context.conditions.care_assessed)
    needs_help = context.conditions.adl_needs_help
    pieces: list[pl.Expr] = []
    for i, item in enumerate(ADL_ITEMS):
        opening = "{" if i == 0 else ", "
        pieces.append(pl.lit(f'{opening}"{item}": '))
        pieces.append(
            pl.when(pl.col(item)).then(pl.lit("true")).otherwise(pl.lit("false"))
        )
    pieces.append(pl.lit("}"))
    flags = pl.DataFrame({item: needs_help[:, i] for i, item in enumerate(ADL_ITEMS)})
    detail = flags.select(pl.concat_str(pieces).alias("detail"))["detail"]
    return _frame(
        persons,
        "care_level",
        labels(CARE_LEVELS, care_level_index(needs_help)),
        context.since(persons, 1.0),
        detail=detail,
    )


def _released_prisoners(context: FactContext) -> pl.DataFrame:
    # ESTIMATE: nine in ten released prisoners are men.
    ages, male = context.ages, context.skeleton.male
    share = np.where(male, 1.8, 0.2) * RELEASED_PRISONER_SHARE
    adult = (ages >= 18) & (ages <= 64)
    persons = np.flatnonzero(adult & (context.rng.random(ages.size) < share))
    return _frame(
        persons, "released_prisoner", "yes", context.since(persons, 5.0, 18.0)
    )


def _unsupported_children(context: FactContext) -> pl.DataFrame:
    skeleton, ages = context.skeleton, context.ages
    working_age_adult = (ages >= 18) & (ages <= 59)
    adults = np.bincount(
        skeleton.household_of,
        weights=working_age_adult,
        minlength=skeleton.template.size,
    )
    candidate = (ages < 18) & (adults[skeleton.household_of] == 0)
    candidate &= skeleton.member == Member.GRANDCHILD
    draw = context.rng.random(ages.size)
    persons = np.flatnonzero(candidate & (draw < UNSUPPORTED_CHILD_SHARE))
    return _frame(persons, "unsupported_child", "yes", context.since(persons, 5.0))


def _migrants_in_difficulty(
    context: FactContext, below_dibao_line: BoolArray
) -> pl.DataFrame:
    skeleton = context.skeleton
    household = skeleton.household_of
    candidate = skeleton.migrant[household] & below_dibao_line[household]
    draw = context.rng.random(household.size)
    persons = np.flatnonzero(candidate & (draw < MIGRANT_IN_DIFFICULTY_SHARE))
    return _frame(persons, "migrant_in_difficulty", "yes", context.since(persons, 0.5))
