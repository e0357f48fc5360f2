"""Dibao (最低生活保障): eligibility and the monthly payment.

A household qualifies when its countable per-capita income is below the
standard, its assets pass the asset tests and it is registered locally
(社会救助暂行办法 Art. 9). The standard is the city's ``dibao.standard`` x the
district's ``dibao.district_share``, rounded by ``rounding.derived``; counted
minors use ``dibao.minor_standard`` where the city sets one.

Payment (Art. 12, and 民发〔2021〕57号 Art. 23), by ``dibao.payment_mode``:

- ``gap``: the sum of the members' standards less household countable
  income, which is (standard - per-capita income) x members when no minors'
  standard applies. No rounding is applied to it.
- ``tiered``: the first tier of ``dibao.tiers`` whose
  ``up_to_share_of_standard`` x standard is at or above per-capita income
  pays ``pays_share`` x each member's standard (rounded by
  ``rounding.derived``).

Each counted member then adds the largest ``dibao.addons`` amount of the
categories they are in.

Two routes are assessed: the whole household, and separate application by
members who may apply alone (see ``household``), each as a one-person
household with their own income and standard and the household's asset test.
NOTE: the separate route ignores the household's deductible costs, which are
not recorded per person. The route with the larger amount is recommended;
because each route's amount only falls as income rises, so does the larger.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from doudi.policy.inputs import Scheme
from doudi.policy.schemes import (
    all_passed,
    below_per_capita,
    result_name,
    sum_where,
)

SCHEME: Final = Scheme.DIBAO.value
TIER_COLUMNS: Final = ("num", "den", "adult_fen", "minor_fen")


def tier_column(index: int, field: str) -> str:
    """Name the district column of one tier field; ``index`` counts from 1."""
    return f"tier_{index}_{field}"


def _tier_matches(income: pl.Expr, standard_total: pl.Expr, index: int) -> pl.Expr:
    # income / members <= num / den x standard_total / members, in integers.
    num = pl.col(tier_column(index, "num"))
    den = pl.col(tier_column(index, "den"))
    return (income * den <= num * standard_total).fill_null(False)


def _tier_index(income: pl.Expr, standard_total: pl.Expr, tiers: int) -> pl.Expr:
    if tiers == 0:
        return pl.lit(None, dtype=pl.Int32)
    # The first tier that matches wins, so take the first non-null index.
    matches = [
        pl.when(_tier_matches(income, standard_total, index)).then(pl.lit(index))
        for index in range(1, tiers + 1)
    ]
    return pl.coalesce(matches).cast(pl.Int32)


def _tier_amount(
    tier: pl.Expr, adults: pl.Expr, minors: pl.Expr, tiers: int
) -> pl.Expr:
    amount = pl.lit(0, dtype=pl.Int64)
    for index in range(1, tiers + 1):
        per_adult = pl.col(tier_column(index, "adult_fen"))
        per_minor = pl.col(tier_column(index, "minor_fen"))
        this_tier = (
            adults.cast(pl.Int64) * per_adult + minors.cast(pl.Int64) * per_minor
        )
        amount = pl.when(tier == index).then(this_tier).otherwise(amount)
    return amount


def base_payment(
    income: pl.Expr,
    standard_total: pl.Expr,
    adults: pl.Expr,
    minors: pl.Expr,
    tiers: int,
) -> tuple[pl.Expr, pl.Expr]:
    """Return (payment before add-ons, tier) for income below the standard.

    The payment is 0 and the tier null when income is not below
    ``standard_total``.
    """
    below = income < standard_total
    tiered = pl.col("payment_mode") == "tiered"
    tier = pl.when(below & tiered).then(_tier_index(income, standard_total, tiers))
    gap = standard_total - income
    tiered_or_gap = (
        pl.when(tiered).then(_tier_amount(tier, adults, minors, tiers)).otherwise(gap)
    )
    amount = pl.when(below).then(tiered_or_gap).otherwise(0)
    return amount.cast(pl.Int64), tier


def _name(name: str) -> str:
    return result_name(SCHEME, name)


def household_route(households: pl.LazyFrame, tiers: int) -> pl.LazyFrame:
    """Assess the whole household: income test, tier and amount."""
    members = pl.col("counted_members")
    minors = pl.col("counted_minors")
    income = pl.col("countable_income_fen")
    standard_total = pl.col("standard_total_fen")
    amount, tier = base_payment(income, standard_total, members - minors, minors, tiers)
    income_ok = (members > 0) & (income < standard_total)
    eligible = all_passed(income_ok, pl.col("assets_ok"), pl.col("registration_ok"))
    return households.with_columns(
        **{
            _name("income_ok"): income_ok,
            _name("threshold_fen"): pl.col("standard_fen"),
            _name("payment_mode"): pl.col("payment_mode"),
            _name("addons_fen"): pl.col("addons_fen"),
            _name("separate_line_fen"): pl.col("separate_line_fen"),
            _name("household_eligible"): eligible,
            _name("household_tier"): pl.when(eligible).then(tier),
            _name("household_amount_fen"): pl.when(eligible)
            .then(amount + pl.col("addons_fen"))
            .otherwise(0),
        }
    )


SEPARATE_HOUSEHOLD_COLUMNS: Final = (
    "household_id",
    "counted_members",
    "countable_income_fen",
    "separate_line_fen",
    "assets_ok",
    "registration_ok",
    "payment_mode",
)


def separate_route(
    persons: pl.LazyFrame, households: pl.LazyFrame, tiers: int
) -> pl.LazyFrame:
    """Assess members who may apply alone; one row per household with any."""
    tier_columns = [
        tier_column(index, field)
        for index in range(1, tiers + 1)
        for field in TIER_COLUMNS
    ]
    household_columns = households.select(*SEPARATE_HOUSEHOLD_COLUMNS, *tier_columns)
    candidates = persons.filter(
        pl.col("counted") & pl.col("may_apply_alone_by_health")
    ).join(household_columns, on="household_id", how="inner")

    minor = pl.col("minor").cast(pl.Int32)
    income = pl.col("income_fen")
    standard = pl.col("own_standard_fen")
    amount, _ = base_payment(income, standard, 1 - minor, minor, tiers)
    household_below_line = below_per_capita(
        pl.col("countable_income_fen"),
        pl.col("counted_members"),
        pl.col("separate_line_fen"),
    )
    eligible = all_passed(
        household_below_line,
        income < standard,
        pl.col("assets_ok"),
        pl.col("registration_ok"),
    )
    person_amount = pl.when(eligible).then(amount + pl.col("addon_fen")).otherwise(0)
    return candidates.group_by("household_id").agg(
        pl.len().cast(pl.Int32).alias(_name("separate_candidates")),
        sum_where(eligible).alias(_name("separate_applicants")),
        person_amount.sum().alias(_name("separate_amount_fen")),
    )


def choose_route(households: pl.LazyFrame) -> pl.LazyFrame:
    """Pick the route with the larger amount; the household route wins ties.

    ``households`` must carry ``household_route``'s columns and those of
    ``separate_route`` (0 where no member may apply alone).
    """
    household = pl.col(_name("household_amount_fen"))
    household_eligible = pl.col(_name("household_eligible"))
    separate = pl.col(_name("separate_amount_fen"))
    applicants = pl.col(_name("separate_applicants"))
    use_separate = (applicants > 0) & (separate > household)
    route = (
        pl.when(use_separate)
        .then(pl.lit("separate"))
        .when(household_eligible)
        .then(pl.lit("household"))
    )
    tier = pl.col(_name("household_tier"))
    return households.with_columns(
        **{
            _name("eligible"): household_eligible | (applicants > 0),
            _name("amount_fen"): pl.when(use_separate)
            .then(separate)
            .otherwise(household),
            _name("route"): route,
            _name("recommended_tier"): pl.when(~use_separate & tier.is_not_null())
            .then(pl.format("tier_{}", tier))
            .otherwise(None),
        }
    )
