"""The benefit screener: a few answers turned into one household for the engine.

Anyone may use the screener without signing in, and nothing is stored. The
answers describe a household coarsely, so they are mapped to the engine's
input tables by fixed rules, the same rules that the tests use to build the
equivalent household in the registry:

- the members are listed as the elderly (aged 70), then the children (aged
  8), then the other adults (aged 40). The first member is the head, an
  elderly member is a parent, a child is a child, and the other adults are
  a spouse and then siblings, so every member counts under the national
  definition of a household;
- members with a severe disability (grade 1, physical) and members with a
  serious illness are taken from the start of that list;
- the household's monthly income is the head's wages;
- savings are deposits; vehicles and homes are counted with no value;
- spending over the last 12 months is medical out-of-pocket spending.

This module does not import Django, so the mapping can be tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

import polars as pl

from doudi.policy.engine import Assessment, assess
from doudi.policy.inputs import (
    ASSETS,
    ENROLMENT,
    HOUSEHOLDS,
    INCOMES,
    PERSONS,
    SPENDING,
    InputTables,
    Scheme,
    empty_table,
)
from doudi.policy.money import yuan_to_fen
from doudi.policy.parameters import PolicyParameters

# The screener's one household; any id would do.
HOUSEHOLD_ID: Final = 1
ELDERLY_AGE: Final = 70
CHILD_AGE: Final = 8
ADULT_AGE: Final = 40
MAX_MEMBERS: Final = 12
# Answers above these are typing errors, not households in difficulty.
MAX_YUAN: Final = Decimal(100_000_000)
MAX_COUNT: Final = 20


class AnswerError(ValueError):
    """Answers that describe no household; the message names the answer."""


@dataclass(frozen=True)
class ScreenerAnswers:
    """The answers to the screener's questions; money in yuan, at most two decimals."""

    district_code: str
    household_size: int
    registered_locally: bool = True
    monthly_income_yuan: Decimal = Decimal(0)
    savings_yuan: Decimal = Decimal(0)
    vehicles: int = 0
    homes: int = 0
    elderly: int = 0
    children: int = 0
    severe_disability: int = 0
    serious_illness: int = 0
    medical_spending_12m_yuan: Decimal = Decimal(0)
    sudden_hardship: bool = False

    def check(self) -> None:
        """Raise AnswerError for the first answer that cannot describe a household."""
        if not 1 <= self.household_size <= MAX_MEMBERS:
            raise AnswerError(
                f"household_size {self.household_size}: give 1 to {MAX_MEMBERS}."
            )
        for name in ("elderly", "children", "severe_disability", "serious_illness"):
            count = getattr(self, name)
            if not 0 <= count <= self.household_size:
                raise AnswerError(
                    f"{name} {count}: give 0 to the household size "
                    f"{self.household_size}."
                )
        if self.elderly + self.children > self.household_size:
            raise AnswerError(
                f"elderly {self.elderly} and children {self.children} add up to "
                f"more than the household size {self.household_size}."
            )
        for name in ("vehicles", "homes"):
            count = getattr(self, name)
            if not 0 <= count <= MAX_COUNT:
                raise AnswerError(f"{name} {count}: give 0 to {MAX_COUNT}.")
        for name in (
            "monthly_income_yuan",
            "savings_yuan",
            "medical_spending_12m_yuan",
        ):
            _check_yuan(name, getattr(self, name))


def _check_yuan(name: str, value: Decimal) -> None:
    if not Decimal(0) <= value <= MAX_YUAN:
        raise AnswerError(f"{name} {value}: give 0 to {MAX_YUAN} yuan.")
    if value != value.quantize(Decimal("0.01")):
        raise AnswerError(f"{name} {value}: give at most two decimals.")


@dataclass(frozen=True)
class Member:
    """One member of the screened household, in the order of the module rules."""

    relationship: str
    age: int
    severe_disability: bool
    serious_illness: bool


def members(answers: ScreenerAnswers) -> list[Member]:
    """List the household's members by the rules at the top of this module."""
    ages = (
        [ELDERLY_AGE] * answers.elderly
        + [CHILD_AGE] * answers.children
        + [ADULT_AGE] * (answers.household_size - answers.elderly - answers.children)
    )
    result = []
    spouse_taken = False
    for index, age in enumerate(ages):
        relationship, spouse_taken = _relationship(index, age, spouse_taken)
        result.append(
            Member(
                relationship=relationship,
                age=age,
                severe_disability=index < answers.severe_disability,
                serious_illness=index < answers.serious_illness,
            )
        )
    return result


def _relationship(index: int, age: int, spouse_taken: bool) -> tuple[str, bool]:
    if index == 0:
        return "head", spouse_taken
    if age == ELDERLY_AGE:
        return "parent", spouse_taken
    if age == CHILD_AGE:
        return "child", spouse_taken
    if not spouse_taken:
        return "spouse", True
    return "sibling", spouse_taken


def birth_date(age: int, on: date) -> date:
    """Return a birth date that makes a person exactly `age` on `on`."""
    return date(on.year - age, 1, 1)


def input_tables(answers: ScreenerAnswers, *, city: str, on: date) -> InputTables:
    """Build the engine's input tables of the one screened household."""
    answers.check()
    listed = members(answers)
    return InputTables(
        households=_households(answers, city),
        persons=_persons(listed, on),
        incomes=_incomes(answers),
        assets=_assets(answers),
        spending=_spending(answers),
        enrolment=empty_table(ENROLMENT),
    )


def _households(answers: ScreenerAnswers, city: str) -> pl.DataFrame:
    row = {
        "household_id": HOUSEHOLD_ID,
        "city": city,
        "district_code": answers.district_code,
        "hukou_local": answers.registered_locally,
        "data_source": "declared",
        "sudden_hardship": answers.sudden_hardship,
    }
    return pl.DataFrame([row], schema=HOUSEHOLDS.full_schema)


def _persons(listed: list[Member], on: date) -> pl.DataFrame:
    rows = [
        {
            "person_id": index + 1,
            "household_id": HOUSEHOLD_ID,
            "relationship": member.relationship,
            "birth_date": birth_date(member.age, on),
            "disability_grade": 1 if member.severe_disability else None,
            "disability_category": "physical" if member.severe_disability else None,
            "serious_illness": member.serious_illness,
            "work_capacity": None,
            "employment": None,
            "full_time_student": False,
            "student_level": None,
            "lives_with_household_long_term": True,
            "in_prison": False,
            "in_drug_rehab": False,
            "declared_missing": False,
            "clergy_apart_3y": False,
            "care_level": None,
            "unsupported_child": False,
            "has_able_supporter_outside": False,
        }
        for index, member in enumerate(listed)
    ]
    return pl.DataFrame(rows, schema=PERSONS.full_schema)


def _incomes(answers: ScreenerAnswers) -> pl.DataFrame:
    fen = yuan_to_fen(answers.monthly_income_yuan)
    rows = [] if fen == 0 else [(1, "wages", fen, "declared")]
    return pl.DataFrame(rows, schema=INCOMES.full_schema, orient="row")


def _assets(answers: ScreenerAnswers) -> pl.DataFrame:
    rows = []
    savings = yuan_to_fen(answers.savings_yuan)
    if savings:
        rows.append((HOUSEHOLD_ID, "deposits", 1, savings, None, None))
    if answers.vehicles:
        rows.append((HOUSEHOLD_ID, "vehicle", answers.vehicles, 0, None, None))
    if answers.homes:
        rows.append((HOUSEHOLD_ID, "housing", answers.homes, 0, None, None))
    return pl.DataFrame(rows, schema=ASSETS.full_schema, orient="row")


def _spending(answers: ScreenerAnswers) -> pl.DataFrame:
    fen = yuan_to_fen(answers.medical_spending_12m_yuan)
    rows = [] if fen == 0 else [(HOUSEHOLD_ID, "medical_out_of_pocket", fen)]
    return pl.DataFrame(rows, schema=SPENDING.full_schema, orient="row")


@dataclass(frozen=True)
class SchemeResult:
    """The engine's outcome for one scheme, with the row it explains."""

    scheme: str
    eligible: bool
    # None where a caseworker sets the amount case by case.
    amount_fen: int | None
    recommended_tier: str | None
    row: dict[str, object]


def screen(
    answers: ScreenerAnswers, params: PolicyParameters, *, city: str, on: date
) -> list[SchemeResult]:
    """Run the policy engine on the answers; one result per scheme, in order.

    Raises AnswerError for invalid answers, and the engine's ParameterNotFound
    when the district has no standard on `on`.
    """
    result: Assessment = assess(
        input_tables(answers, city=city, on=on), params, city=city, on=on
    )
    return [_result(result, scheme.value) for scheme in Scheme]


def _result(result: Assessment, scheme: str) -> SchemeResult:
    row = result.row(HOUSEHOLD_ID, scheme)
    return SchemeResult(
        scheme=scheme,
        eligible=bool(row["eligible"]),
        amount_fen=row["amount_fen"],
        recommended_tier=row["recommended_tier"],
        row=row,
    )
