"""Per-person health, schooling, activity and care needs, as numpy arrays.

Disability and serious illness are drawn with age-dependent relative risks
(ESTIMATES) that are scaled so that the whole city matches the prevalence
targets in ``calibration``. Activity (employment, schooling) depends on age,
sex and health.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from doudi.synth import calibration
from doudi.synth.arrays import BoolArray, FloatArray, IntArray
from doudi.synth.households import Member, Skeleton

DISABILITY_CATEGORIES: Final = tuple(calibration.DISABILITY_CATEGORY_SHARES)
SCHOOL_LEVELS: Final = (
    "preschool",
    "primary",
    "junior_secondary",
    "senior_secondary",
    "vocational",
    "undergraduate",
    "postgraduate",
)
# Age at which each school level starts, in the order of SCHOOL_LEVELS.
SCHOOL_ENTRY_AGES: Final = (3, 6, 12, 15, 15, 18, 22)
ACTIVITIES: Final = (
    "employed",
    "unemployed",
    "retired",
    "student",
    "not_in_labour_force",
)
EMPLOYED, UNEMPLOYED, RETIRED, STUDENT, INACTIVE = range(len(ACTIVITIES))
WORK_CAPACITIES: Final = ("full", "partial", "none")
FULL_CAPACITY, PARTIAL_CAPACITY, NO_CAPACITY = range(len(WORK_CAPACITIES))
ADL_ITEMS: Final = (
    "eating",
    "dressing",
    "bathing",
    "toileting",
    "moving_indoors",
    "continence",
)
FULLY_DEPENDENT_MIN_ITEMS: Final = 4
CARE_LEVELS: Final = ("self_care", "partly_dependent", "fully_dependent")
WORKING_AGE: Final = (16, 59)
# ESTIMATE: statutory retirement ages before the 2025 reform: men at 60,
# women at 50 (workers) or 55 (staff), taken as half each.
RETIREMENT_AGE_MALE: Final = 60
RETIREMENT_AGES_FEMALE: Final = (50, 55)

# ESTIMATE: relative risk of disability and serious illness by age band.
AGE_BANDS: Final = (0, 15, 45, 60, 70, 80)
DISABILITY_RELATIVE_RISK: Final = (0.25, 0.5, 1.0, 2.2, 3.5, 6.0)
SERIOUS_ILLNESS_RELATIVE_RISK: Final = (0.1, 0.4, 1.0, 2.0, 2.8, 3.5)
# ESTIMATE: share with a recorded chronic illness by age band.
CHRONIC_SHARE: Final = (0.01, 0.03, 0.10, 0.22, 0.30, 0.35)

# ESTIMATE: ADL thresholds on a latent frailty scale, in the order of
# ADL_ITEMS; bathing is the first item that older people need help with.
ADL_THRESHOLDS: Final = (3.3, 2.8, 2.4, 2.9, 2.8, 3.1)


@dataclass(frozen=True)
class Conditions:
    """Health and activity of each person; -1 or 0 means none."""

    disability_category: IntArray  # index into DISABILITY_CATEGORIES, or -1
    disability_grade: IntArray  # 1-4, or 0
    serious_illness: BoolArray
    chronic_illness: BoolArray
    school_level: IntArray  # index into SCHOOL_LEVELS, or -1
    activity: IntArray  # index into ACTIVITIES, or -1 under 16
    work_capacity: IntArray  # index into WORK_CAPACITIES, or -1 outside 16-59
    retirement_age: IntArray  # statutory retirement age in years
    care_assessed: BoolArray
    # One row per assessed person, in person order, and one column per ADL
    # item: True where the person needs help.
    adl_needs_help: BoolArray


def draw_conditions(
    rng: np.random.Generator, skeleton: Skeleton, ages: IntArray
) -> Conditions:
    """Draw every person's conditions from age, sex and household."""
    category, grade = _draw_disability(rng, ages)
    serious = _draw_by_risk(
        rng, ages, SERIOUS_ILLNESS_RELATIVE_RISK, calibration.SERIOUS_ILLNESS_PREVALENCE
    )
    chronic = rng.random(ages.size) < np.array(CHRONIC_SHARE)[_age_band(ages)]
    school = _draw_school_level(rng, ages, skeleton.member)
    retirement_age = retirement_ages(rng, skeleton.male)
    activity = _draw_activity(
        rng, skeleton, ages, school, grade, serious, retirement_age
    )
    capacity = _work_capacity(rng, ages, grade, serious, chronic)
    assessed = (ages >= 60) | ((grade >= 1) & (grade <= 2))
    adl = _draw_adl(rng, ages[assessed], grade[assessed])
    return Conditions(
        disability_category=category,
        disability_grade=grade,
        serious_illness=serious,
        chronic_illness=chronic,
        school_level=school,
        activity=activity,
        work_capacity=capacity,
        retirement_age=retirement_age,
        care_assessed=assessed,
        adl_needs_help=adl,
    )


def _age_band(ages: IntArray) -> IntArray:
    return np.searchsorted(np.array(AGE_BANDS), ages, side="right") - 1


def _draw_by_risk(
    rng: np.random.Generator,
    ages: IntArray,
    relative_risk: tuple[float, ...],
    prevalence: float,
) -> BoolArray:
    """Draw a condition whose expected share over all persons is ``prevalence``."""
    risk = np.array(relative_risk)[_age_band(ages)]
    probability = np.clip(risk * prevalence / risk.mean(), 0.0, 1.0)
    drawn: BoolArray = rng.random(ages.size) < probability
    return drawn


def _draw_disability(
    rng: np.random.Generator, ages: IntArray
) -> tuple[IntArray, IntArray]:
    disabled = _draw_by_risk(
        rng, ages, DISABILITY_RELATIVE_RISK, calibration.DISABILITY_PREVALENCE
    )
    shares = np.array(list(calibration.DISABILITY_CATEGORY_SHARES.values()))
    category = rng.choice(len(shares), size=ages.size, p=shares / shares.sum())
    grades = np.array(list(calibration.DISABILITY_GRADE_SHARES))
    grade_shares = np.array(list(calibration.DISABILITY_GRADE_SHARES.values()))
    grade = rng.choice(grades, size=ages.size, p=grade_shares / grade_shares.sum())
    return (
        np.where(disabled, category, -1).astype(np.int64),
        np.where(disabled, grade, 0).astype(np.int64),
    )


def _draw_school_level(
    rng: np.random.Generator, ages: IntArray, member: IntArray
) -> IntArray:
    # ESTIMATE: enrolment by age; "vocational" covers secondary and higher
    # vocational schools. Students aged 18+ are children of the household,
    # because students living on their own are in collective households,
    # which the generator does not make.
    draw = rng.random(ages.size)
    dependant = np.isin(
        member, [Member.CHILD, Member.ADULT_CHILD, Member.GRANDCHILD, Member.SIBLING]
    )
    draw = np.where((ages >= 18) & ~dependant, 1.0, draw)
    level = np.full(ages.size, -1, dtype=np.int64)
    level[(ages >= 3) & (ages <= 5) & (draw < 0.92)] = 0
    level[(ages >= 6) & (ages <= 11)] = 1
    level[(ages >= 12) & (ages <= 14)] = 2
    upper_secondary = (ages >= 15) & (ages <= 17)
    level[upper_secondary & (draw < 0.60)] = 3
    level[upper_secondary & (draw >= 0.60) & (draw < 0.95)] = 4
    tertiary = (ages >= 18) & (ages <= 21)
    level[tertiary & (draw < 0.55)] = 5
    level[tertiary & (draw >= 0.55) & (draw < 0.70)] = 4
    level[(ages >= 22) & (ages <= 24) & (draw < 0.12)] = 6
    return level


def _draw_activity(
    rng: np.random.Generator,
    skeleton: Skeleton,
    ages: IntArray,
    school: IntArray,
    grade: IntArray,
    serious: BoolArray,
    retirement_age: IntArray,
) -> IntArray:
    in_labour_force = rng.random(ages.size) < _participation(
        skeleton, ages, grade, serious
    )
    unemployment = np.where((grade >= 3) | serious, 0.15, calibration.UNEMPLOYMENT_RATE)
    unemployed = rng.random(ages.size) < unemployment

    working = np.where(unemployed, UNEMPLOYED, EMPLOYED)
    activity = np.where(in_labour_force, working, INACTIVE)
    # ESTIMATE: a tenth of employed people past retirement age keep working;
    # everyone else past that age is retired.
    keeps_working = (activity == EMPLOYED) & (rng.random(ages.size) < 0.10)
    retired = (ages >= retirement_age) & ~keeps_working
    activity = np.where(retired, RETIRED, activity)
    activity = np.where((ages >= 16) & (school >= 0), STUDENT, activity)
    return np.where(ages >= 16, activity, -1).astype(np.int64)


def retirement_ages(rng: np.random.Generator, male: BoolArray) -> IntArray:
    """Draw each person's statutory retirement age."""
    female_age = rng.choice(np.array(RETIREMENT_AGES_FEMALE), size=male.size)
    return np.where(male, RETIREMENT_AGE_MALE, female_age).astype(np.int64)


def _participation(
    skeleton: Skeleton, ages: IntArray, grade: IntArray, serious: BoolArray
) -> FloatArray:
    # ESTIMATE: labour force participation of working-age people outside
    # school, lowered by severe disability and serious illness.
    base = np.where(skeleton.male, 0.94, 0.86)
    base = np.where(ages >= 55, base * 0.7, base)
    # Heads and migrants mostly work, because a migrant without work usually
    # leaves the city.
    head = skeleton.member == Member.HEAD
    migrant = skeleton.migrant[skeleton.household_of]
    base = np.where(head | migrant, 0.99, base)
    base = np.where((grade >= 1) & (grade <= 2), 0.15, base)
    base = np.where(grade >= 3, base * 0.6, base)
    base = np.where(serious, base * 0.3, base)
    # A head's parent living with the family is rarely in work.
    parent = np.isin(skeleton.member, [Member.FATHER, Member.MOTHER, Member.PARENT])
    return np.where(parent, base * 0.3, base)


def _work_capacity(
    rng: np.random.Generator,
    ages: IntArray,
    grade: IntArray,
    serious: BoolArray,
    chronic: BoolArray,
) -> IntArray:
    draw = rng.random(ages.size)
    # ESTIMATE: grade 1-2 and most serious illness mean no capacity; grade 3-4
    # and some chronic illness mean partial capacity.
    none = ((grade >= 1) & (grade <= 2)) | (serious & (draw < 0.6))
    partial = (grade >= 3) | (serious & (draw >= 0.6)) | (chronic & (draw < 0.3))
    capacity = np.where(
        none, NO_CAPACITY, np.where(partial, PARTIAL_CAPACITY, FULL_CAPACITY)
    )
    working_age = (ages >= WORKING_AGE[0]) & (ages <= WORKING_AGE[1])
    return np.where(working_age, capacity, -1).astype(np.int64)


def _draw_adl(rng: np.random.Generator, ages: IntArray, grade: IntArray) -> BoolArray:
    """Draw which ADL items each person needs help with.

    A latent frailty, rising with age past 60 and with severe disability,
    plus item-level noise is compared with each item's threshold, so that
    the items are correlated.
    """
    age_effect = np.clip(ages - 60, 0, None) / 10.0 * 0.55
    disability_effect = np.select([grade == 1, grade == 2], [2.2, 1.3], 0.0)
    frailty = rng.normal(0.0, 1.0, ages.size) + age_effect + disability_effect
    noise = rng.normal(0.0, 0.6, (ages.size, len(ADL_ITEMS)))
    needs_help: BoolArray = (frailty[:, None] + noise) > np.array(ADL_THRESHOLDS)
    return needs_help


def care_level_index(adl_needs_help: BoolArray) -> IntArray:
    """Classify ADL results into CARE_LEVELS indices.

    Needing help with FULLY_DEPENDENT_MIN_ITEMS or more items is fully
    dependent, with at least one item partly dependent, else self-care.
    """
    failing = adl_needs_help.sum(axis=1)
    level = np.where(failing >= 1, 1, 0)
    return np.where(failing >= FULLY_DEPENDENT_MIN_ITEMS, 2, level).astype(np.int64)
