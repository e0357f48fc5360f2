"""Household composition: who lives together, their ages, sexes and places.

Each household follows a template (a list of members such as head, spouse and
child). Ages are drawn for the head and derived for the others from a
generation gap of 22-40 years. A child is that much younger than the head, a
parent that much older, and a grandchild that much younger than its own
parent. Template weights and age ranges are ESTIMATES tuned so that the
generated city matches the age and household-size targets in
``calibration``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

import numpy as np
import polars as pl

from doudi.synth import calibration
from doudi.synth.arrays import BoolArray, FloatArray, IntArray

DAYS_PER_YEAR: Final = 365.2425
MAX_AGE: Final = 100.0
# Half a year above 18, so that rounding ages to whole days never makes a
# spouse younger than 18.
MIN_SPOUSE_AGE: Final = 18.5


class Member(IntEnum):
    """Member kind inside a template; several kinds share one relationship."""

    HEAD = 0
    SPOUSE = 1
    CHILD = 2
    ADULT_CHILD = 3  # the child whose own children and spouse live here
    FATHER = 4
    MOTHER = 5
    PARENT = 6  # a lone parent of either sex
    GRANDCHILD = 7
    SIBLING = 8
    CHILD_IN_LAW = 9


# Relationship to the head, indexed by Member.
RELATIONSHIPS: Final = (
    "head",
    "spouse",
    "child",
    "child",
    "parent",
    "parent",
    "parent",
    "grandchild",
    "sibling",
    "other",
)


@dataclass(frozen=True)
class Template:
    """A household type: its members and how its head is drawn."""

    name: str
    members: tuple[Member, ...]
    weight: float  # relative weight among templates of the same size
    head_age: tuple[float, float]  # range of the head's age in years
    head_age_beta: tuple[float, float]  # shape of the head age within the range
    head_male: float  # probability that the head is a man
    migrant: float  # probability that the household is a migrant household


H, S, C, AC = Member.HEAD, Member.SPOUSE, Member.CHILD, Member.ADULT_CHILD
FA, MO, PA, GC = Member.FATHER, Member.MOTHER, Member.PARENT, Member.GRANDCHILD
SB, CL = Member.SIBLING, Member.CHILD_IN_LAW

# ESTIMATE: weights, age ranges and shares are tuned, not published. Columns:
# name, members, weight within its size, head age range in years, beta shape
# of the head age within that range, P(head is a man), P(migrant household).
# fmt: off
TEMPLATES: Final = (
    Template("single_young",
             (H,), 0.57, (20, 45), (1.0, 1.3), 0.78, 0.85),
    Template("single_middle",
             (H,), 0.17, (45, 60), (1.0, 1.0), 0.62, 0.50),
    Template("single_old",
             (H,), 0.24, (60, 97), (1.3, 2.5), 0.35, 0.05),
    Template("couple_young",
             (H, S), 0.29, (21, 45), (1.2, 1.4), 0.62, 0.80),
    Template("couple_middle",
             (H, S), 0.18, (45, 60), (1.0, 1.0), 0.62, 0.45),
    Template("couple_old",
             (H, S), 0.285, (60, 93), (1.3, 2.7), 0.65, 0.04),
    Template("lone_parent",
             (H, C), 0.07, (28, 56), (1.2, 1.0), 0.25, 0.30),
    Template("old_parent_child",
             (H, AC), 0.09, (55, 92), (1.2, 1.6), 0.40, 0.05),
    Template("adult_and_parent",
             (H, PA), 0.03, (25, 62), (1.0, 1.0), 0.55, 0.20),
    Template("couple_child",
             (H, S, C), 0.74, (26, 66), (2.1, 1.2), 0.65, 0.58),
    Template("couple_parent",
             (H, S, PA), 0.07, (25, 62), (1.0, 1.0), 0.62, 0.25),
    Template("grandparents",
             (H, S, GC), 0.06, (50, 80), (1.2, 1.8), 0.62, 0.08),
    Template("lone_parent_two",
             (H, C, C), 0.04, (28, 55), (1.0, 1.0), 0.25, 0.30),
    Template("siblings",
             (H, SB, SB), 0.04, (20, 45), (1.0, 1.5), 0.65, 0.85),
    Template("old_parent_child_grandchild",
             (H, AC, GC), 0.05, (48, 82), (1.0, 1.4), 0.35, 0.08),
    Template("couple_two_children",
             (H, S, C, C), 0.46, (30, 62), (1.8, 1.2), 0.65, 0.55),
    Template("couple_child_parent",
             (H, S, C, PA), 0.34, (28, 62), (1.3, 1.3), 0.65, 0.30),
    Template("couple_adult_child_grandchild",
             (H, S, AC, GC), 0.20, (48, 78), (1.2, 1.4), 0.65, 0.10),
    Template("couple_child_two_parents",
             (H, S, C, FA, MO), 0.50, (28, 58), (1.3, 1.3), 0.65, 0.25),
    Template("three_generations",
             (H, S, AC, CL, GC), 0.50, (48, 78), (1.2, 1.4), 0.65, 0.15),
    Template("couple_two_children_two_parents",
             (H, S, C, C, FA, MO), 0.5, (30, 55), (1.2, 1.2), 0.65, 0.25),
    Template("three_generations_two_grandchildren",
             (H, S, AC, CL, GC, GC), 0.5, (48, 78), (1.2, 1.4), 0.65, 0.15),
)
# fmt: on

# ESTIMATE: approximate resident population of each district in 2020, in
# 10,000 persons, used only as weights when placing households.
DISTRICT_POPULATION: Final[dict[str, float]] = {
    "310101": 66,
    "310104": 111,
    "310105": 69,
    "310106": 98,
    "310107": 124,
    "310109": 76,
    "310110": 124,
    "310112": 265,
    "310113": 224,
    "310114": 183,
    "310115": 568,
    "310116": 82,
    "310117": 191,
    "310118": 127,
    "310120": 114,
    "310151": 64,
}
# ESTIMATE: a residents' committee houses about twice as many people as a
# villagers' committee in the same district.
URBAN_COMMUNITY_WEIGHT: Final = 2.0


@dataclass(frozen=True)
class Skeleton:
    """Households and persons as parallel numpy arrays, before attributes.

    Household arrays have one entry per household; person arrays one entry
    per person, ordered by household and by position in the template.
    """

    template: IntArray  # index into TEMPLATES
    community: IntArray  # row index into the community frame
    migrant: BoolArray
    rural_nature: BoolArray  # household registration of rural nature
    household_of: IntArray  # per person: index of the household
    member: IntArray  # per person: Member value
    age_days: IntArray  # per person: age on the as-of date, in days
    male: BoolArray  # per person


def template_probabilities() -> FloatArray:
    """Return the probability of each template from size shares and weights."""
    probabilities = np.zeros(len(TEMPLATES))
    for size, share in calibration.HOUSEHOLD_SIZE_SHARES.items():
        indices = [i for i, t in enumerate(TEMPLATES) if len(t.members) == size]
        weights = np.array([TEMPLATES[i].weight for i in indices])
        probabilities[indices] = share * weights / weights.sum()
    normalised: FloatArray = probabilities / probabilities.sum()
    return normalised


def community_probabilities(communities: pl.DataFrame) -> FloatArray:
    """Return the chance that a household lives in each community row."""
    district = communities["code"].str.slice(0, 6).to_numpy()
    urban = communities["urban"].to_numpy().astype(bool)
    weight = np.where(urban, URBAN_COMMUNITY_WEIGHT, 1.0)
    probabilities = np.zeros(len(weight))
    for code, population in DISTRICT_POPULATION.items():
        in_district = district == code
        probabilities[in_district] = population * weight[in_district]
        probabilities[in_district] /= weight[in_district].sum()
    normalised: FloatArray = probabilities / probabilities.sum()
    return normalised


def build_skeleton(
    rng: np.random.Generator, households: int, communities: pl.DataFrame
) -> Skeleton:
    """Draw templates, places, ages and sexes for ``households`` households."""
    template = rng.choice(len(TEMPLATES), size=households, p=template_probabilities())
    community = rng.choice(
        communities.height, size=households, p=community_probabilities(communities)
    )
    migrant = rng.random(households) < _template_values(template, "migrant")
    urban = communities["urban"].to_numpy().astype(bool)[community]
    rural_nature = _draw_rural_nature(rng, migrant, urban)

    household_of, member = _expand_members(template)
    age_years = _draw_ages(rng, template, household_of, member)
    age_days = np.floor(age_years * DAYS_PER_YEAR).astype(np.int64)
    male = _draw_sexes(rng, template, household_of, member)
    return Skeleton(
        template, community, migrant, rural_nature, household_of, member, age_days, male
    )


def _template_values(template: IntArray, field: str) -> FloatArray:
    values = np.array([getattr(t, field) for t in TEMPLATES], dtype=np.float64)
    return values[template]


def _draw_rural_nature(
    rng: np.random.Generator, migrant: BoolArray, urban: BoolArray
) -> BoolArray:
    # ESTIMATE: share of rural-nature registration among locals in rural and
    # urban communities, and among migrants.
    probability = np.where(migrant, 0.60, np.where(urban, 0.05, 0.70))
    return rng.random(len(migrant)) < probability


def _expand_members(template: IntArray) -> tuple[IntArray, IntArray]:
    sizes = np.array([len(t.members) for t in TEMPLATES])[template]
    household_of = np.repeat(np.arange(len(template), dtype=np.int64), sizes)
    starts = np.cumsum(sizes) - sizes
    slot = np.arange(household_of.size) - np.repeat(starts, sizes)

    max_size = max(len(t.members) for t in TEMPLATES)
    table = np.full((len(TEMPLATES), max_size), -1, dtype=np.int64)
    for i, t in enumerate(TEMPLATES):
        table[i, : len(t.members)] = [int(m) for m in t.members]
    member = table[template[household_of], slot]
    return household_of, member


def _draw_head_ages(rng: np.random.Generator, template: IntArray) -> FloatArray:
    bounds = np.array([t.head_age for t in TEMPLATES], dtype=np.float64)[template]
    shapes = np.array([t.head_age_beta for t in TEMPLATES], dtype=np.float64)[template]
    share = rng.beta(shapes[:, 0], shapes[:, 1])
    return bounds[:, 0] + share * (bounds[:, 1] - bounds[:, 0])


def _generation_gap(rng: np.random.Generator, older_age: FloatArray) -> FloatArray:
    """Draw a parent-to-child age gap of 22-40 years that keeps the child >= 0."""
    upper = np.clip(np.minimum(40.0, older_age), 22.0, None)
    return 22.0 + rng.random(older_age.size) * (upper - 22.0)


def _draw_ages(
    rng: np.random.Generator,
    template: IntArray,
    household_of: IntArray,
    member: IntArray,
) -> FloatArray:
    head_age = _draw_head_ages(rng, template)
    # The adult child whose children live here must be old enough to have them.
    anchor_age = head_age - _generation_gap(rng, head_age - 22.0)
    anchor_age = np.maximum(anchor_age, 22.0)

    ages = np.empty(member.size)
    for kind in Member:
        selected = np.flatnonzero(member == kind)
        head = head_age[household_of[selected]]
        anchor = anchor_age[household_of[selected]]
        ages[selected] = _member_ages(rng, kind, head, anchor)
    return np.clip(ages, 0.0, MAX_AGE - 0.01)


def _member_ages(
    rng: np.random.Generator, kind: Member, head: FloatArray, anchor: FloatArray
) -> FloatArray:
    """Derive the ages of members of one kind from the head's and anchor's."""
    count = head.size
    if kind == Member.HEAD:
        return head
    if kind == Member.SPOUSE:
        return np.clip(head + rng.normal(-2.0, 3.0, count), MIN_SPOUSE_AGE, MAX_AGE)
    if kind == Member.CHILD:
        return head - _generation_gap(rng, head)
    if kind == Member.ADULT_CHILD:
        return anchor
    if kind in (Member.FATHER, Member.MOTHER, Member.PARENT):
        return head + _generation_gap(rng, MAX_AGE - head)
    if kind == Member.GRANDCHILD:
        return anchor - _generation_gap(rng, anchor)
    if kind == Member.SIBLING:
        return np.clip(head + rng.normal(0.0, 4.0, count), 16.5, MAX_AGE)
    return np.clip(anchor + rng.normal(0.0, 3.0, count), 20.5, MAX_AGE)


def _draw_sexes(
    rng: np.random.Generator,
    template: IntArray,
    household_of: IntArray,
    member: IntArray,
) -> BoolArray:
    head_male = rng.random(template.size) < _template_values(template, "head_male")
    anchor_male = rng.random(template.size) < 0.5
    # ESTIMATE: 51.5 % of children are boys (a birth sex ratio near 106).
    other_male = rng.random(member.size) < 0.515

    male = other_male.copy()
    head = head_male[household_of]
    anchor = anchor_male[household_of]
    male[member == Member.HEAD] = head[member == Member.HEAD]
    male[member == Member.SPOUSE] = ~head[member == Member.SPOUSE]
    male[member == Member.ADULT_CHILD] = anchor[member == Member.ADULT_CHILD]
    male[member == Member.CHILD_IN_LAW] = ~anchor[member == Member.CHILD_IN_LAW]
    male[member == Member.FATHER] = True
    male[member == Member.MOTHER] = False
    return male
