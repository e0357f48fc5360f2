"""Verified figures replace declared ones in the engine's inputs."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from django.conf import settings

from doudi.assessments.registry_inputs import read_registry
from doudi.policy.inputs import InputTables, validate_tables
from doudi.policy.registry_frames import inputs_from_frames
from doudi.registry.choices import AssetKind
from doudi.registry.models import Household
from doudi.verification.batch import verify_all
from doudi.verification.engine_inputs import with_verified
from doudi.verification.tests.factories import (
    AS_OF,
    alice,
    authorise,
    carol,
    declare_asset,
    declare_income,
    fact,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def declared_and_found(users, household, far_household) -> None:
    authorise(users["owner"], household)
    declare_income(alice(), "wages", 250_000, date(2024, 1, 1))
    declare_income(alice(), "pension", 120_000, date(2024, 1, 1))
    declare_asset(household, AssetKind.DEPOSITS, 10_000, date(2024, 1, 1))
    fact(alice(), "income", "wages", 312_345, date(2025, 1, 1))
    fact(carol(), "asset", "deposits", 99_900, date(2025, 2, 1))
    fact(carol(), "spending", "education", 150_000, date(2025, 3, 1))


def _inputs(day: date) -> InputTables:
    return inputs_from_frames(read_registry(day), city_name=settings.DOUDI_CITY)


def _incomes(tables: InputTables) -> dict[tuple[int, str], tuple[int, str]]:
    return {
        (row["person_id"], row["kind"]): (row["monthly_fen"], row["source"])
        for row in tables.incomes.to_dicts()
    }


def _source(tables: InputTables, household: Household) -> str:
    rows = tables.households.filter(pl.col("household_id") == household.pk)
    return str(rows.get_column("data_source").item())


def test_unverified_households_keep_declarations(declared_and_found, household):
    tables, verified = with_verified(_inputs(AS_OF), AS_OF)

    assert verified == 0
    assert _incomes(tables)[(alice().pk, "wages")] == (250_000, "declared")
    assert _source(tables, household) == "declared"


def test_verified_kinds_replace_declared_ones(
    declared_and_found, household, far_household
):
    verify_all(AS_OF)

    tables, verified = with_verified(_inputs(AS_OF), AS_OF)

    assert verified == 1
    incomes = _incomes(tables)
    assert incomes[(alice().pk, "wages")] == (312_345, "verified")
    # No department reported a pension, so the declared value is kept.
    assert incomes[(alice().pk, "pension")] == (120_000, "declared")
    deposits = tables.assets.filter(pl.col("household_id") == household.pk)
    assert deposits.get_column("value_fen").to_list() == [99_900]
    spending = tables.spending.to_dicts()
    assert spending == [
        {"household_id": household.pk, "kind": "education", "amount_12m_fen": 150_000}
    ]
    assert _source(tables, household) == "verified"
    assert _source(tables, far_household) == "declared"
    validate_tables(tables)


def test_verification_older_than_review_interval_is_not_used(declared_and_found):
    verify_all(AS_OF)
    later = date(2026, 1, 31)

    tables, verified = with_verified(_inputs(later), later)

    assert verified == 0
    assert _incomes(tables)[(alice().pk, "wages")] == (250_000, "declared")


def test_verification_after_the_day_is_not_used(declared_and_found, household):
    verify_all(AS_OF)
    earlier = date(2025, 5, 31)

    tables, verified = with_verified(_inputs(earlier), earlier)

    assert verified == 0
    assert _source(tables, household) == "declared"
