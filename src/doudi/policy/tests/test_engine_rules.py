"""Worked cases for each rule of the engine, built as small frames.

Unless a test says otherwise the standard is 1,000 yuan, the minors'
standard 1,200 yuan, the edge line 1.5 x and tekun 1.3 x the standard (see
``BASE_OVERRIDES``), and no asset rule is set.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from doudi.policy.engine import Assessment, assess
from doudi.policy.parameters import ParameterNotFound, PolicyParameters
from doudi.policy.schema import ParameterData
from doudi.policy.tests.test_engine_support import (
    CITY,
    ON,
    asset,
    enrolment,
    household,
    income,
    params,
    person,
    spending,
    tables,
)

BEIJING_ASSET_RULES: dict[str, ParameterData] = {
    "assets__financial_months": Decimal(24),
    "assets__vehicle_allowed": False,
    "assets__vehicle_allowed_if_seriously_ill": True,
    "assets__max_homes": 1,
    "assets__floor_area_exception_m2": Decimal("34.2"),
}


@cache
def base_params() -> PolicyParameters:
    return params()


@cache
def asset_params() -> PolicyParameters:
    return params(**BEIJING_ASSET_RULES)


def run(
    persons: list[dict[str, Any]],
    *,
    parameters: PolicyParameters | None = None,
    on: date = ON,
    households: list[dict[str, Any]] | None = None,
    city: str = CITY,
    **rows: Any,
) -> Assessment:
    data = tables(households or [household()], persons, **rows)
    return assess(data, parameters or base_params(), city=city, on=on)


def result(
    assessment: Assessment, scheme: str, household_id: int = 1
) -> dict[str, Any]:
    return assessment.row(household_id, scheme)


# --- Household composition ------------------------------------------------------


def test_composition_excludes_absent_members() -> None:
    persons = [
        person(1),
        person(2, relationship="spouse", in_prison=True),
        person(3, relationship="child", age=30, in_drug_rehab=True),
        person(4, relationship="child", age=25, declared_missing=True),
        person(5, relationship="sibling", age=35, clergy_apart_3y=True),
    ]
    row = result(run(persons), "dibao")
    assert row["counted_members"] == 1
    assert row["excluded_members"] == 4


def test_composition_adult_children() -> None:
    persons = [
        person(1, age=50),
        person(
            2,
            relationship="child",
            age=20,
            full_time_student=True,
            student_level="up_to_bachelor",
            lives_with_household_long_term=False,
        ),
        person(
            3,
            relationship="child",
            age=24,
            full_time_student=True,
            student_level="postgraduate",
            lives_with_household_long_term=False,
        ),
        person(4, relationship="child", age=28),
        person(5, relationship="child", age=12, lives_with_household_long_term=False),
    ]
    row = result(run(persons), "dibao")
    # The head, the undergraduate, the adult child at home and the minor.
    assert row["counted_members"] == 4
    assert row["uncounted_members"] == 1


def test_composition_relatives_need_long_term_residence() -> None:
    persons = [
        person(1),
        person(2, relationship="parent", age=70),
        person(3, relationship="parent", age=72, lives_with_household_long_term=False),
        person(4, relationship="other", age=30),
    ]
    row = result(run(persons), "dibao")
    assert row["counted_members"] == 2
    assert row["uncounted_members"] == 2


# --- Income ---------------------------------------------------------------------


def test_income_leaves_out_disregarded_kinds() -> None:
    persons = [person(1, age=70)]
    incomes = [
        income(1, 300, "pension"),
        income(1, 200, "scholarship"),
        income(1, 150, "old_age_allowance"),
    ]
    assessment = run(persons, incomes=incomes)
    person_row = assessment.persons.row(0, named=True)
    assert person_row["income_fen"] == 45_000
    assert person_row["tekun_income_fen"] == 30_000


def test_income_of_uncounted_member_ignored() -> None:
    persons = [person(1), person(2, relationship="spouse", in_prison=True)]
    incomes = [income(1, 300), income(2, 5000)]
    row = result(run(persons, incomes=incomes), "dibao")
    assert row["gross_income_fen"] == 30_000


def test_deductions_per_month_round_down() -> None:
    persons = [person(1)]
    incomes = [income(1, 900)]
    costs = [
        spending("medical_out_of_pocket", 1000),
        spending("employment_cost", 200),
        spending("education", 5000),
    ]
    row = result(run(persons, incomes=incomes, spending_rows=costs), "dibao")
    # (1,000 + 200) / 12 = 100 yuan; education is not deductible.
    assert row["deductions_fen"] == 10_000
    assert row["countable_income_fen"] == 80_000


def test_deductions_leave_income_at_zero() -> None:
    costs = [spending("disability_rehab", 1001)]
    row = result(
        run([person(1)], incomes=[income(1, 50)], spending_rows=costs), "dibao"
    )
    assert row["deductions_fen"] == 8_341
    assert row["countable_income_fen"] == 0


# --- Assets ---------------------------------------------------------------------


def test_financial_assets_at_limit_pass() -> None:
    limit_yuan = 24 * 1000 * 2
    persons = [person(1), person(2, relationship="spouse")]
    at_limit = run(
        persons, parameters=asset_params(), assets=[asset("deposits", limit_yuan)]
    )
    over = run(
        persons,
        parameters=asset_params(),
        assets=[asset("deposits", limit_yuan), asset("debts_owed", 1)],
    )
    assert result(at_limit, "dibao")["financial_assets_ok"] is True
    assert result(at_limit, "dibao")["eligible"] is True
    assert result(over, "dibao")["financial_assets_ok"] is False
    assert result(over, "dibao")["eligible"] is False


def test_vehicle_rule_and_seriously_ill_exception() -> None:
    car = asset("vehicle", 50_000)
    ill_car = asset("vehicle", 50_000, for_seriously_ill=True)
    ill = [person(1, serious_illness=True)]
    healthy = [person(1)]
    cases = [
        (healthy, [car], False),
        (healthy, [ill_car], False),
        (ill, [ill_car], True),
        (ill, [asset("vehicle", 90_000, count=2, for_seriously_ill=True)], False),
    ]
    for persons, assets, expected in cases:
        row = result(run(persons, parameters=asset_params(), assets=assets), "dibao")
        assert row["vehicle_ok"] is expected, (persons, assets)


def test_housing_rule_and_floor_area_exception() -> None:
    persons = [person(1), person(2, relationship="spouse")]
    cases = [
        ([asset("housing", 1_000_000, floor_area_m2=60.0)], True),
        ([asset("housing", 1_500_000, count=2, floor_area_m2=80.0)], False),
        ([asset("housing", 1_500_000, count=2, floor_area_m2=60.0)], True),
        ([asset("housing", 1_500_000, count=2)], False),
    ]
    for assets, expected in cases:
        row = result(run(persons, parameters=asset_params(), assets=assets), "dibao")
        assert row["housing_ok"] is expected, assets


def test_unset_asset_rules_not_checked() -> None:
    row = result(run([person(1)], assets=[asset("deposits", 10_000_000)]), "dibao")
    assert row["financial_assets_ok"] is None
    assert row["vehicle_ok"] is None
    assert row["housing_ok"] is None
    assert row["assets_ok"] is True


# --- Dibao ----------------------------------------------------------------------


def test_dibao_gap_payment() -> None:
    persons = [person(1), person(2, relationship="spouse")]
    row = result(run(persons, incomes=[income(1, 600)]), "dibao")
    assert row["eligible"] is True
    assert row["route"] == "household"
    assert row["per_capita_income_fen"] == 30_000
    assert row["threshold_fen"] == 100_000
    assert row["amount_fen"] == 140_000


def test_dibao_income_at_standard_not_eligible() -> None:
    row = result(run([person(1)], incomes=[income(1, 1000)]), "dibao")
    assert row["income_ok"] is False
    assert row["eligible"] is False
    assert row["amount_fen"] == 0


def test_dibao_gap_exact_without_per_capita_rounding() -> None:
    persons = [
        person(1),
        person(2, relationship="spouse"),
        person(3, relationship="parent", age=70),
    ]
    incomes = [{"person_id": 1, "kind": "wages", "monthly_fen": 100_001, "source": "x"}]
    row = result(run(persons, incomes=incomes), "dibao")
    # 3 x 1,000 yuan less 1,000.01 yuan; per-capita income is 333.33... yuan.
    assert row["amount_fen"] == 199_999
    assert row["per_capita_income_fen"] == 33_333


def test_dibao_minors_standard() -> None:
    persons = [person(1), person(2, relationship="child", age=10)]
    row = result(run(persons), "dibao")
    assert row["standard_total_fen"] == 220_000
    assert row["amount_fen"] == 220_000


def test_dibao_category_addons_do_not_stack() -> None:
    parameters = params(
        dibao__addons={"elderly": Decimal(100), "severe_disability": Decimal(300)}
    )
    persons = [
        person(1, age=70, disability_grade=1, disability_category="physical"),
        person(2, relationship="spouse", age=68),
    ]
    row = result(run(persons, parameters=parameters), "dibao")
    assert row["addons_fen"] == 40_000
    assert row["amount_fen"] == 240_000


def test_dibao_tiered_payment() -> None:
    tiers = [
        {"up_to_share_of_standard": Decimal("0.5"), "pays_share": Decimal(1)},
        {"up_to_share_of_standard": Decimal(1), "pays_share": Decimal("0.5")},
    ]
    parameters = params(dibao__payment_mode="tiered", dibao__tiers=tiers)
    persons = [person(1), person(2, relationship="child", age=8)]
    low = result(
        run(persons, parameters=parameters, incomes=[income(1, 1000)]), "dibao"
    )
    high = result(
        run(persons, parameters=parameters, incomes=[income(1, 1400)]), "dibao"
    )
    # Per-capita 500 is at most 0.5 x the average standard of 1,100.
    assert low["recommended_tier"] == "tier_1"
    assert low["amount_fen"] == 220_000
    assert high["recommended_tier"] == "tier_2"
    assert high["amount_fen"] == 110_000


def test_dibao_tiers_must_reach_standard() -> None:
    tiers = [{"up_to_share_of_standard": Decimal("0.8"), "pays_share": Decimal(1)}]
    # The parameter layer rejects such tiers before the engine reads them.
    with pytest.raises(ValueError, match="at least 1"):
        params(dibao__payment_mode="tiered", dibao__tiers=tiers)


def test_dibao_separate_application() -> None:
    persons = [
        person(1),
        person(2, relationship="spouse"),
        person(
            3,
            relationship="child",
            age=30,
            disability_grade=1,
            disability_category="physical",
        ),
    ]
    below_line = run(persons, incomes=[income(1, 3600)])
    above_line = run(persons, incomes=[income(1, 4500)])
    row = result(below_line, "dibao")
    assert row["route"] == "separate"
    assert row["separate_applicants"] == 1
    assert row["amount_fen"] == 100_000
    assert result(above_line, "dibao")["eligible"] is False


def test_dibao_larger_route_recommended() -> None:
    persons = [person(1), person(2, relationship="spouse", serious_illness=True)]
    row = result(run(persons, incomes=[income(1, 1900)]), "dibao")
    # The household gap is 100 yuan; the ill spouse alone gets 1,000 yuan.
    assert row["household_amount_fen"] == 10_000
    assert row["separate_amount_fen"] == 100_000
    assert row["route"] == "separate"
    assert row["amount_fen"] == 100_000


def test_dibao_needs_local_registration() -> None:
    row = result(run([person(1)], households=[household(hukou_local=False)]), "dibao")
    assert row["registration_ok"] is False
    assert row["eligible"] is False


def test_dibao_without_counted_members() -> None:
    row = result(run([person(1, in_prison=True)]), "dibao")
    assert row["counted_members"] == 0
    assert row["per_capita_income_fen"] is None
    assert row["eligible"] is False


def test_dibao_hangzhou_county_shares() -> None:
    households = [
        household(1, city="Hangzhou", district_code="330112"),
        household(2, city="Hangzhou", district_code="330122"),
        household(3, city="Hangzhou", district_code="330102"),
    ]
    persons = [person(1, 1), person(2, 2), person(3, 3)]
    assessment = run(
        persons,
        households=households,
        city="Hangzhou",
        on=date(2023, 6, 1),
        parameters=PolicyParameters.load(),
    )
    # Published: 917 x 0.85 = 779.45 as 780, 917 x 0.80 = 733.6 as 734.
    assert result(assessment, "dibao", 1)["standard_fen"] == 78_000
    assert result(assessment, "dibao", 2)["standard_fen"] == 73_400
    assert result(assessment, "dibao", 3)["standard_fen"] == 91_700


# --- Gradual exit ---------------------------------------------------------------


def test_gradual_exit_keeps_award() -> None:
    enrolled = [enrolment("dibao", award_yuan=800)]
    row = result(
        run([person(1)], incomes=[income(1, 1500)], enrolments=enrolled), "dibao"
    )
    assert row["income_ok"] is False
    assert row["route"] == "gradual_exit"
    assert row["eligible"] is True
    assert row["amount_fen"] == 80_000
    assert row["gradual_exit_until"] == date(2027, 6, 1)


def test_gradual_exit_ends_after_period() -> None:
    enrolled = [enrolment("dibao", exit_started=date(2026, 5, 1), award_yuan=800)]
    assessment = run([person(1)], incomes=[income(1, 1500)], enrolments=enrolled)
    row = result(assessment, "dibao")
    assert row["gradual_exit_until"] == date(2026, 11, 1)
    assert row["eligible"] is False
    assert row["active"] is False
    assert result(assessment, "edge")["not_on_other_scheme"] is True


def test_gradual_exit_needs_work_income() -> None:
    enrolled = [enrolment("dibao", award_yuan=800)]
    persons = [person(1, age=65)]
    row = result(
        run(persons, incomes=[income(1, 1500, "pension")], enrolments=enrolled),
        "dibao",
    )
    assert row["gradual_exit"] is False
    assert row["eligible"] is False


# --- Tekun ----------------------------------------------------------------------


def test_tekun_elderly_alone() -> None:
    persons = [person(1, age=75, care_level="fully_dependent")]
    row = result(run(persons, incomes=[income(1, 400, "pension")]), "tekun")
    assert row["eligible"] is True
    assert row["persons"] == 1
    assert row["basic_living_fen"] == 130_000
    assert row["amount_fen"] == 130_000
    assert row["recommended_tier"] == "fully_dependent"


def test_tekun_able_supporter_blocks() -> None:
    persons = [person(1, age=75), person(2, relationship="child", age=45)]
    row = result(run(persons), "tekun")
    assert row["candidates"] == 1
    assert row["eligible"] is False


def test_tekun_supporter_outside_blocks() -> None:
    row = result(run([person(1, age=75, has_able_supporter_outside=True)]), "tekun")
    assert row["eligible"] is False


def test_tekun_own_income_at_standard_blocks() -> None:
    row = result(
        run([person(1, age=75)], incomes=[income(1, 1000, "pension")]), "tekun"
    )
    assert row["eligible"] is False


def test_tekun_disregards_old_age_allowance() -> None:
    incomes = [income(1, 900, "pension"), income(1, 300, "old_age_allowance")]
    assessment = run([person(1, age=85)], incomes=incomes)
    assert result(assessment, "tekun")["eligible"] is True
    assert result(assessment, "dibao")["eligible"] is False


def test_tekun_unsupported_child_with_grandparent() -> None:
    persons = [
        person(1, age=66),
        person(2, relationship="grandchild", age=9, unsupported_child=True),
    ]
    row = result(run(persons), "tekun")
    assert row["persons"] == 2
    assert row["amount_fen"] == 260_000


def test_tekun_listed_disability_grades() -> None:
    physical = run(
        [person(1, age=30, disability_grade=3, disability_category="physical")]
    )
    hearing = run(
        [person(1, age=30, disability_grade=1, disability_category="hearing")]
    )
    assert result(physical, "tekun")["eligible"] is True
    assert result(hearing, "tekun")["eligible"] is False


def test_tekun_minor_over_16_needs_enrolment() -> None:
    orphan = person(1, age=17, work_capacity="full")
    enrolled = run([orphan], enrolments=[enrolment("tekun")])
    new = run([orphan])
    assert result(enrolled, "tekun")["eligible"] is True
    assert result(new, "tekun")["eligible"] is False


def test_tekun_student_continues_when_enrolled() -> None:
    student = person(1, age=19, full_time_student=True, student_level="up_to_bachelor")
    enrolled = run([student], enrolments=[enrolment("tekun")])
    new = run([student])
    assert result(enrolled, "tekun")["eligible"] is True
    assert result(new, "tekun")["eligible"] is False


# --- Edge -----------------------------------------------------------------------


def test_edge_between_standard_and_line() -> None:
    persons = [person(1), person(2, relationship="spouse")]
    between = run(persons, incomes=[income(1, 2400)])
    at_line = run(persons, incomes=[income(1, 3000)])
    assert result(between, "edge")["eligible"] is True
    assert result(between, "edge")["threshold_fen"] == 150_000
    assert result(at_line, "edge")["eligible"] is False


def test_edge_excludes_dibao_and_tekun() -> None:
    on_dibao = run([person(1)], incomes=[income(1, 500)])
    enrolled_tekun = run(
        [person(1)], incomes=[income(1, 1200)], enrolments=[enrolment("tekun")]
    )
    assert result(on_dibao, "edge")["not_on_other_scheme"] is False
    assert result(on_dibao, "edge")["eligible"] is False
    assert result(enrolled_tekun, "edge")["eligible"] is False


def test_edge_line_rounded_up_in_shenzhen() -> None:
    assessment = run(
        [person(1)],
        households=[household(city="Shenzhen", district_code="440304")],
        city="Shenzhen",
        on=date(2023, 6, 1),
        parameters=PolicyParameters.load(),
    )
    # Published: 1,365 x 1.5 = 2,047.5 as 2,048 yuan.
    assert result(assessment, "edge")["threshold_fen"] == 204_800


# --- Rigid spending and temporary assistance -------------------------------------


def test_rigid_spending_over_share() -> None:
    persons = [person(1), person(2, relationship="spouse")]
    incomes = [income(1, 6000)]
    over = run(persons, incomes=incomes, spending_rows=[spending("education", 43_201)])
    at_share = run(
        persons, incomes=incomes, spending_rows=[spending("education", 43_200)]
    )
    row = result(over, "rigid")
    # 0.6 x 12 x 6,000 = 43,200 yuan; income per person per year is 36,000.
    assert row["eligible"] is True
    assert row["valid_until"] == date(2027, 12, 1)
    assert row["amount_fen"] == 0
    assert result(at_share, "rigid")["spending_ok"] is False
    assert result(at_share, "rigid")["eligible"] is False


def test_rigid_excludes_edge_households() -> None:
    persons = [person(1)]
    costs = [spending("medical_out_of_pocket", 50_000)]
    row = result(run(persons, incomes=[income(1, 1200)], spending_rows=costs), "rigid")
    assert row["not_on_other_scheme"] is False
    assert row["eligible"] is False


def test_temporary_sudden_hardship_any_registration() -> None:
    households = [household(hukou_local=False, sudden_hardship=True)]
    row = result(
        run([person(1)], households=households, incomes=[income(1, 9000)]), "temporary"
    )
    assert row["eligible"] is True
    assert row["recommended_tier"] == "sudden"
    assert row["amount_fen"] is None


def test_temporary_spending_hardship() -> None:
    costs = [spending("medical_out_of_pocket", 30_000)]
    row = result(
        run([person(1)], incomes=[income(1, 3000)], spending_rows=costs), "temporary"
    )
    assert row["eligible"] is True
    assert row["recommended_tier"] == "spending"


# --- Rules that do not apply yet -------------------------------------------------


def test_rules_not_yet_in_force_not_applied() -> None:
    persons = [
        person(1),
        person(
            2, relationship="spouse", disability_grade=1, disability_category="mental"
        ),
    ]
    assessment = run(
        persons,
        incomes=[income(1, 2800)],
        on=date(2021, 7, 1),
        parameters=PolicyParameters.load(),
    )
    dibao = result(assessment, "dibao")
    edge = result(assessment, "edge")
    # Shanghai's 1,330 applies; the national edge line only from 2023.
    assert dibao["standard_fen"] == 133_000
    assert dibao["income_ok"] is False
    assert dibao["separate_line_fen"] == 199_500
    assert dibao["route"] == "separate"
    assert edge["threshold_fen"] is None
    assert edge["eligible"] is False


def test_separate_application_before_2021_rules() -> None:
    persons = [
        person(1),
        person(
            2, relationship="spouse", disability_grade=1, disability_category="mental"
        ),
    ]
    assessment = run(
        persons,
        incomes=[income(1, 2800)],
        on=date(2021, 6, 30),
        parameters=PolicyParameters.load(),
    )
    dibao = result(assessment, "dibao")
    assert dibao["standard_fen"] == 124_000
    assert dibao["separate_line_fen"] is None
    assert dibao["separate_applicants"] == 0
    assert dibao["eligible"] is False


def test_missing_required_parameter_named() -> None:
    with pytest.raises(ParameterNotFound, match=r"dibao\.standard for Shanghai"):
        run([person(1)], on=date(2001, 1, 1), parameters=PolicyParameters.load())
