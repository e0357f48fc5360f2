"""Builders of small input tables and parameters for the engine tests.

Every test builds its households from these helpers, so a case states only
the facts that matter to it. Everything else takes a neutral default: an
adult head in good health, living locally, with no income or assets.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from doudi.policy.inputs import (
    ASSETS,
    ENROLMENT,
    HOUSEHOLDS,
    INCOMES,
    PERSONS,
    SPENDING,
    TableSpec,
)
from doudi.policy.parameters import PolicyParameters
from doudi.policy.schema import ParameterData
from doudi.policy.testcases import DEFAULTS

ON = date(2026, 12, 1)
CITY = "Shanghai"
DISTRICT = "310104"
# Parameters the worked cases fix for themselves, so that they do not depend
# on the figures in the parameter files. The dates come before any entry in
# those files, so the overrides replace each whole history.
BASE_OVERRIDES: dict[str, ParameterData] = {
    "dibao.standard": Decimal(1000),
    "dibao.minor_standard": Decimal(1200),
    "dibao.payment_mode": "gap",
    "dibao.district_share": Decimal(1),
    "rounding.derived": "ceil_yuan",
    "edge.multiplier": Decimal("1.5"),
    "tekun.multiplier": Decimal("1.3"),
    "income.local_disposable_per_capita_last_year": Decimal(60000),
    "rigid.spending_share": Decimal("0.6"),
}
OVERRIDE_FROM = date(2000, 1, 1)


def params(**overrides: ParameterData) -> PolicyParameters:
    """Return the loaded parameters with Shanghai's values fixed for tests.

    Keyword names use ``__`` for the dot: ``assets__financial_months=24``.
    """
    values = {**BASE_OVERRIDES}
    values.update({name.replace("__", "."): value for name, value in overrides.items()})
    history = {name: [(OVERRIDE_FROM, value)] for name, value in values.items()}
    return PolicyParameters.load().with_overrides(history, city=CITY)


def birth_date(age: int) -> date:
    """Return a birth date that gives ``age`` completed years on ON."""
    return date(ON.year - age, 6, 15)


def household(household_id: int = 1, **values: Any) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "city": CITY,
        "district_code": DISTRICT,
        "hukou_local": True,
        "data_source": "declared",
        "sudden_hardship": False,
        **values,
    }


def person(
    person_id: int,
    household_id: int = 1,
    *,
    relationship: str = "head",
    age: int = 40,
    **values: Any,
) -> dict[str, Any]:
    return {
        **DEFAULTS["persons"],
        "person_id": person_id,
        "household_id": household_id,
        "relationship": relationship,
        "birth_date": birth_date(age),
        "work_capacity": "full" if 16 <= age < 60 else None,
        **values,
    }


def income(person_id: int, yuan: int, kind: str = "wages") -> dict[str, Any]:
    return {
        "person_id": person_id,
        "kind": kind,
        "monthly_fen": yuan * 100,
        "source": "declared",
    }


def asset(
    kind: str, yuan: int, household_id: int = 1, count: int = 1, **values: Any
) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "kind": kind,
        "count": count,
        "value_fen": yuan * 100,
        "floor_area_m2": None,
        "for_seriously_ill": None,
        **values,
    }


def spending(kind: str, yuan: int, household_id: int = 1) -> dict[str, Any]:
    return {"household_id": household_id, "kind": kind, "amount_12m_fen": yuan * 100}


def enrolment(
    scheme: str,
    household_id: int = 1,
    *,
    since: date = date(2024, 1, 1),
    exit_started: date | None = None,
    award_yuan: int | None = None,
) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "scheme": scheme,
        "since": since,
        "exit_started": exit_started,
        "award_fen": None if award_yuan is None else award_yuan * 100,
    }


def frame(spec: TableSpec, rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=spec.full_schema)


def tables(
    households: list[dict[str, Any]],
    persons: list[dict[str, Any]],
    incomes: list[dict[str, Any]] | None = None,
    assets: list[dict[str, Any]] | None = None,
    spending_rows: list[dict[str, Any]] | None = None,
    enrolments: list[dict[str, Any]] | None = None,
) -> dict[str, pl.DataFrame]:
    return {
        "households": frame(HOUSEHOLDS, households),
        "persons": frame(PERSONS, persons),
        "incomes": frame(INCOMES, incomes or []),
        "assets": frame(ASSETS, assets or []),
        "spending": frame(SPENDING, spending_rows or []),
        "enrolment": frame(ENROLMENT, enrolments or []),
    }
