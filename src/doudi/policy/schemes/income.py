"""Countable income (最低生活保障审核确认办法, 民发〔2021〕57号, Art. 13).

Income is wages, net business income, net property income, net transfer
income, pensions and other benefits, monthly. The kinds listed in the
district's ``income.disregarded`` are left out; tekun uses its own list,
``tekun.income_disregarded``. Only counted members' income counts towards the
household.

The costs listed in ``income.deductible`` are deducted from household income.
They are taken from the ``spending`` table: ``disability_rehab`` is
``disability_rigid_costs``, ``medical_out_of_pocket`` is
``illness_rigid_costs`` and ``employment_cost`` is ``employment_costs``.
Countable income is never below 0.

Income kinds are summed per person in classes: kinds that every district
treats alike share a class, so the sums need no join with the district.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

from doudi.policy.inputs import INCOME_KINDS, SPENDING_KINDS, WORK_INCOME_KINDS
from doudi.policy.schemes import by_district, sum_where

MONTHS_PER_YEAR: Final = 12
# Spending kind of each deductible cost named by ``income.deductible``.
DEDUCTIBLE_SPENDING: Final = {
    "disability_rigid_costs": "disability_rehab",
    "illness_rigid_costs": "medical_out_of_pocket",
    "employment_costs": "employment_cost",
}
PERSON_INCOME_COLUMNS: Final = ("income_fen", "tekun_income_fen", "work_income_fen")


@dataclass(frozen=True)
class IncomeClasses:
    """Income kinds grouped by how every district treats them.

    ``counted[c][d]`` and ``tekun_counted[c][d]`` are true when class ``c``
    counts in district ``d`` for dibao and for tekun. ``work[c]`` is true for
    work income.
    """

    class_of_kind: dict[str, int]
    counted: list[tuple[bool, ...]]
    tekun_counted: list[tuple[bool, ...]]
    work: list[bool]

    def column(self, index: int) -> str:
        return f"income_class_{index}_fen"

    @property
    def varies(self) -> bool:
        """Tell whether some class is treated differently in some district."""
        flags = [*self.counted, *self.tekun_counted]
        return any(len(set(by_district)) > 1 for by_district in flags)


def income_classes(
    disregarded: Sequence[tuple[Sequence[str], Sequence[str]]],
) -> IncomeClasses:
    """Group income kinds by their treatment.

    ``disregarded`` gives each district's dibao and tekun lists of
    disregarded kinds, in district index order.
    """
    signatures: dict[tuple[bool, tuple[bool, ...], tuple[bool, ...]], int] = {}
    class_of_kind: dict[str, int] = {}
    for kind in INCOME_KINDS:
        signature = (
            kind in WORK_INCOME_KINDS,
            tuple(kind not in dibao for dibao, _ in disregarded),
            tuple(kind not in tekun for _, tekun in disregarded),
        )
        class_of_kind[kind] = signatures.setdefault(signature, len(signatures))
    ordered = sorted(signatures, key=signatures.__getitem__)
    return IncomeClasses(
        class_of_kind=class_of_kind,
        counted=[signature[1] for signature in ordered],
        tekun_counted=[signature[2] for signature in ordered],
        work=[signature[0] for signature in ordered],
    )


def person_class_sums(incomes: pl.LazyFrame, classes: IncomeClasses) -> pl.LazyFrame:
    """Sum each person's monthly income by class; persons without income are absent."""
    income_class = pl.col("kind").replace_strict(
        classes.class_of_kind, return_dtype=pl.UInt8
    )
    amount = pl.col("monthly_fen")
    return (
        incomes.with_columns(income_class=income_class)
        .group_by("person_id")
        .agg(
            sum_where(pl.col("income_class") == index, amount).alias(
                classes.column(index)
            )
            for index in range(len(classes.work))
        )
    )


def person_income_columns(classes: IncomeClasses) -> dict[str, pl.Expr]:
    """Expressions for countable, tekun-countable and work income of a person.

    The person frame must carry the class sums and ``district_idx``.
    """
    totals = {name: pl.lit(0, dtype=pl.Int64) for name in PERSON_INCOME_COLUMNS}
    for index, is_work in enumerate(classes.work):
        amount = pl.col(classes.column(index)).fill_null(0)
        counted = by_district(classes.counted[index], pl.Boolean())
        tekun_counted = by_district(classes.tekun_counted[index], pl.Boolean())
        totals["income_fen"] += pl.when(counted).then(amount).otherwise(0)
        totals["tekun_income_fen"] += pl.when(tekun_counted).then(amount).otherwise(0)
        if is_work:
            totals["work_income_fen"] += amount
    return totals


def household_income_aggregations() -> list[pl.Expr]:
    """Sum counted members' income per household, before deductions."""
    is_counted = pl.col("counted")
    return [
        sum_where(is_counted, pl.col("income_fen")).alias("gross_income_fen"),
        sum_where(is_counted, pl.col("work_income_fen")).alias("work_income_fen"),
    ]


def spending_column(kind: str) -> str:
    return f"spending_{kind}_12m_fen"


def household_spending(spending: pl.LazyFrame) -> pl.LazyFrame:
    """Sum the spending of the last 12 months per household and kind."""
    amount = pl.col("amount_12m_fen")
    return spending.group_by("household_id").agg(
        sum_where(pl.col("kind") == kind, amount).alias(spending_column(kind))
        for kind in SPENDING_KINDS
    )


def deductions(deductible: Sequence[Sequence[str]]) -> pl.Expr:
    """Deductible spending per month, rounded down to the fen.

    ``deductible`` gives each district's ``income.deductible`` list in district
    index order. NOTE: the 12-month total is divided by 12 and rounded down to
    the fen, so the deduction never exceeds what was spent. No parameter names
    this rounding.
    """
    total = pl.lit(0, dtype=pl.Int64)
    for cost, kind in DEDUCTIBLE_SPENDING.items():
        applies = by_district([cost in costs for costs in deductible], pl.Boolean())
        amount = pl.col(spending_column(kind))
        total += pl.when(applies).then(amount).otherwise(0)
    return total // MONTHS_PER_YEAR


def countable_income() -> pl.Expr:
    """Gross income less deductions, never below 0."""
    net = pl.col("gross_income_fen") - pl.col("deductions_fen")
    return net.clip(lower_bound=0)
