"""Validation of the engine's input tables and the money helpers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from doudi.policy.inputs import InputError, validate_tables
from doudi.policy.money import RoundingRule, derive_fen, fen_to_yuan, yuan_to_fen
from doudi.policy.tests.test_engine_support import (
    CITY,
    asset,
    household,
    income,
    person,
    tables,
)


def valid_tables() -> dict[str, pl.DataFrame]:
    return tables(
        [household()],
        [person(1), person(2, relationship="spouse")],
        incomes=[income(1, 100)],
        assets=[asset("deposits", 500)],
    )


def test_valid_tables_pass() -> None:
    checked = validate_tables(valid_tables(), city=CITY)
    assert checked.persons.height == 2
    assert checked.households.columns[-1] == "sudden_hardship"


def test_optional_tables_and_columns_filled() -> None:
    data = valid_tables()
    minimal = {
        "households": data["households"].drop("sudden_hardship"),
        "persons": data["persons"],
    }
    checked = validate_tables(minimal)
    assert checked.households["sudden_hardship"].to_list() == [False]
    assert checked.incomes.is_empty()
    assert "award_fen" in checked.enrolment.columns


def check_error(data: dict[str, pl.DataFrame], where: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem) as raised:
        validate_tables(data, city=CITY)
    assert str(raised.value).startswith(where)


def test_missing_column_named() -> None:
    data = valid_tables()
    data["persons"] = data["persons"].drop("birth_date")
    check_error(data, "persons.birth_date", "missing column")


def test_wrong_type_named() -> None:
    data = valid_tables()
    data["incomes"] = data["incomes"].with_columns(
        pl.col("monthly_fen").cast(pl.Float64)
    )
    check_error(data, "incomes.monthly_fen", "invalid type Float64; expected Int64")


def test_null_in_required_column() -> None:
    data = valid_tables()
    data["persons"] = data["persons"].with_columns(in_prison=pl.lit(None, pl.Boolean))
    check_error(data, "persons.in_prison", "2 null values")


def test_invalid_value_named() -> None:
    data = valid_tables()
    data["persons"] = data["persons"].with_columns(relationship=pl.lit("cousin"))
    check_error(data, "persons.relationship", "invalid value 'cousin'")


def test_negative_money_rejected() -> None:
    data = tables([household()], [person(1)], incomes=[income(1, -5)])
    check_error(data, "incomes.monthly_fen", "negative value -500")


def test_repeated_key_rejected() -> None:
    data = tables([household(), household()], [person(1)])
    check_error(data, "households.household_id", "repeated key")


def test_unknown_reference_rejected() -> None:
    data = tables([household()], [person(1), person(2, household_id=9)])
    check_error(data, "persons.household_id", "9 is not in households")


def test_district_code_format() -> None:
    data = tables([household(district_code="3101")], [person(1)])
    check_error(data, "households.district_code", "expected 6 digits")


def test_other_city_rejected() -> None:
    data = tables([household(city="Beijing")], [person(1)])
    check_error(data, "households.city", "assessment is for 'Shanghai'")


def test_unknown_table_rejected() -> None:
    data = {**valid_tables(), "pets": pl.DataFrame()}
    with pytest.raises(InputError, match="unknown table"):
        validate_tables(data)


def test_yuan_to_fen_exact() -> None:
    assert yuan_to_fen(Decimal("1650.5")) == 165_050
    assert fen_to_yuan(165_050) == Decimal("1650.50")
    with pytest.raises(ValueError, match="not a whole number of fen"):
        yuan_to_fen(Decimal("0.001"))


def test_derive_fen_rounding_rules() -> None:
    shenzhen = 136_500
    assert derive_fen(shenzhen, Decimal("1.5"), RoundingRule.CEIL_YUAN) == 204_800
    assert (
        derive_fen(shenzhen, Decimal("1.5"), RoundingRule.ROUND_HALF_UP_YUAN) == 204_800
    )
    assert derive_fen(shenzhen, Decimal("1.5"), RoundingRule.NONE) == 204_750
    hangzhou = 91_700
    assert derive_fen(hangzhou, Decimal("0.85"), RoundingRule.CEIL_YUAN) == 78_000
    assert (
        derive_fen(hangzhou, Decimal("0.85"), RoundingRule.ROUND_HALF_UP_YUAN) == 77_900
    )


def test_derive_fen_none_needs_whole_fen() -> None:
    with pytest.raises(ValueError, match=r"Set rounding\.derived to ceil_yuan"):
        derive_fen(100_001, Decimal("0.5"), RoundingRule.NONE)


def test_support_birth_dates_give_ages() -> None:
    data = tables([household()], [person(1, age=17)])
    born = data["persons"]["birth_date"][0]
    assert born == date(2009, 6, 15)
