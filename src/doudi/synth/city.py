"""Generate a synthetic Shanghai: households, persons, facts, money and truth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from doudi.synth import addresses, assets, conditions, incomes, people
from doudi.synth.arrays import BoolArray, IntArray
from doudi.synth.facts import FactContext, build_facts
from doudi.synth.hardship import apply_hardship
from doudi.synth.households import Member, Skeleton, build_skeleton
from doudi.synth.regions import load_regions
from doudi.synth.streams import numpy_stream
from doudi.synth.truth import compute_truth, dibao_standard_fen

# ESTIMATE: share of households headed by someone aged 50+ with no child in
# the household that have lost their only child (失独家庭).
LOST_ONLY_CHILD_SHARE: Final = 0.01

HOUSEHOLD_SCHEMA: Final = pl.Schema(
    {
        "hh_key": pl.Int64,
        "community_code": pl.Utf8,
        "address": pl.Utf8,
        "single_parent": pl.Boolean,
        "lost_only_child": pl.Boolean,
    }
)


@dataclass(frozen=True)
class SynthCity:
    """A generated city: one polars frame per table, plus how it was made.

    Keys: ``hh_key`` runs 1..N over households and ``person_key`` 1..P over
    persons. Money is integer fen. ``truth`` is computed from true values and
    is meant for tests and benchmarks only.
    """

    seed: int
    as_of: date
    regions: pl.DataFrame
    households: pl.DataFrame
    persons: pl.DataFrame
    facts: pl.DataFrame
    incomes: pl.DataFrame
    assets: pl.DataFrame
    truth: pl.DataFrame


def generate_city(households: int, seed: int, as_of: date) -> SynthCity:
    """Generate a synthetic city of ``households`` households.

    The same arguments give identical frames on the same numpy and polars
    versions. Raises ValueError when
    ``households`` is below 1, ``seed`` is negative, ``as_of`` is after today
    (resident IDs cannot encode a future birth date) or before the earliest
    recorded dibao standard.
    """
    _check_arguments(households, seed, as_of)
    regions = load_regions()
    communities = regions.filter(pl.col("level") == "community")

    skeleton = build_skeleton(numpy_stream(seed, "households"), households, communities)
    persons = people.build_persons(skeleton, communities, as_of, seed)
    births = people.birth_dates(skeleton, as_of)
    ages = people.ages_in_years(births, as_of)
    health = conditions.draw_conditions(
        numpy_stream(seed, "conditions"), skeleton, ages
    )

    urban = communities["urban"].to_numpy().astype(bool)[skeleton.community]
    income_rows, asset_rows = _draw_money(
        seed, skeleton, ages, health, urban, dibao_standard_fen(as_of)
    )
    below_line = _below_dibao_line(skeleton, income_rows, as_of)

    context = FactContext(
        numpy_stream(seed, "facts"), skeleton, health, ages, births, as_of
    )
    facts = build_facts(context, persons["resident_id"], below_line)
    income_frame = incomes.incomes_frame(
        numpy_stream(seed, "declared_incomes"), income_rows
    )
    asset_frame = assets.assets_frame(numpy_stream(seed, "declared_assets"), asset_rows)
    return SynthCity(
        seed=seed,
        as_of=as_of,
        regions=regions,
        households=_households_frame(seed, skeleton, regions, communities, ages),
        persons=persons,
        facts=facts,
        incomes=income_frame,
        assets=asset_frame,
        truth=compute_truth(persons, facts, income_frame, asset_frame, as_of),
    )


def _check_arguments(households: int, seed: int, as_of: date) -> None:
    if households < 1:
        raise ValueError(f"households must be at least 1, not {households}.")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed}.")
    if as_of > date.today():
        raise ValueError(
            f"as_of {as_of.isoformat()} is in the future; resident IDs cannot "
            "encode birth dates after today, so use today or an earlier date."
        )
    dibao_standard_fen(as_of)


def _draw_money(
    seed: int,
    skeleton: Skeleton,
    ages: IntArray,
    health: conditions.Conditions,
    urban: BoolArray,
    standard_fen: int,
) -> tuple[incomes.IncomeRows, assets.AssetRows]:
    housing_count = assets.draw_housing_counts(numpy_stream(seed, "housing"), skeleton)
    rows = incomes.draw_incomes(numpy_stream(seed, "incomes"), skeleton, ages, health)
    heads = np.flatnonzero(skeleton.member == Member.HEAD)
    rows = incomes.add_property_income(
        numpy_stream(seed, "property"), rows, heads, housing_count
    )
    rows = apply_hardship(
        numpy_stream(seed, "hardship"), rows, skeleton, health, standard_fen
    )
    totals = incomes.household_totals(rows, skeleton.household_of, heads.size)
    forgone = incomes.forgone_wages(
        numpy_stream(seed, "forgone"), skeleton, ages, health
    )
    totals += np.bincount(
        skeleton.household_of, weights=forgone, minlength=heads.size
    ).astype(np.int64)
    asset_rows = assets.draw_assets(
        numpy_stream(seed, "assets"), skeleton, totals, housing_count, urban
    )
    return rows, asset_rows


def _below_dibao_line(
    skeleton: Skeleton, rows: incomes.IncomeRows, as_of: date
) -> BoolArray:
    households = skeleton.template.size
    totals = incomes.household_totals(rows, skeleton.household_of, households)
    sizes = np.bincount(skeleton.household_of, minlength=households)
    return _as_bool(totals // sizes < dibao_standard_fen(as_of))


def _as_bool(values: npt.ArrayLike) -> BoolArray:
    return np.asarray(values, dtype=np.bool_)


def _households_frame(
    seed: int,
    skeleton: Skeleton,
    regions: pl.DataFrame,
    communities: pl.DataFrame,
    ages: IntArray,
) -> pl.DataFrame:
    rng = numpy_stream(seed, "household_frame")
    prefixes = addresses.address_prefixes(regions)
    count = skeleton.template.size
    return pl.DataFrame(
        {
            "hh_key": np.arange(1, count + 1, dtype=np.int64),
            "community_code": communities["code"].gather(skeleton.community),
            "address": addresses.draw_addresses(rng, prefixes, skeleton.community),
            "single_parent": _single_parent(skeleton, ages),
            "lost_only_child": _lost_only_child(rng, skeleton, ages),
        },
        schema=HOUSEHOLD_SCHEMA,
    )


def _household_any(skeleton: Skeleton, condition: BoolArray) -> BoolArray:
    counts = np.bincount(
        skeleton.household_of, weights=condition, minlength=skeleton.template.size
    )
    return _as_bool(counts > 0)


def _single_parent(skeleton: Skeleton, ages: IntArray) -> BoolArray:
    """Flag a head without a spouse who lives with a child under 18."""
    child = np.isin(skeleton.member, [Member.CHILD, Member.ADULT_CHILD])
    minor_child = _household_any(skeleton, child & (ages < 18))
    spouse = _household_any(skeleton, skeleton.member == Member.SPOUSE)
    return minor_child & ~spouse


def _lost_only_child(
    rng: np.random.Generator, skeleton: Skeleton, ages: IntArray
) -> BoolArray:
    child = np.isin(skeleton.member, [Member.CHILD, Member.ADULT_CHILD])
    has_child = _household_any(skeleton, child)
    head_age = ages[skeleton.member == Member.HEAD]
    eligible = (head_age >= 50) & ~has_child
    lost: BoolArray = eligible & (rng.random(eligible.size) < LOST_ONLY_CHILD_SHARE)
    return lost
