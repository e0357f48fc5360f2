"""Report figures: what counts as verified on a day, and how items compare."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doudi.exchange.kinds import FeedKind
from doudi.registry.choices import AssetKind
from doudi.verification import services
from doudi.verification.figures import months_before, spending_window
from doudi.verification.models import RequestPurpose, VerificationItem
from doudi.verification.tests.factories import (
    AS_OF,
    alice,
    authorise,
    batch,
    carol,
    declare_asset,
    declare_income,
    fact,
)

pytestmark = pytest.mark.django_db
LONG_AGO = date(2024, 1, 1)


def _verify(users, household, as_of: date = AS_OF):
    return services.verify_household(
        users["owner"], household, as_of=as_of, purpose=RequestPurpose.APPLICATION
    )


def _item(report, category: str, item: str, person=None) -> VerificationItem:
    found: VerificationItem = report.items.get(
        category=category, item=item, person=person
    )
    return found


def test_income_compared_per_member(users, household) -> None:
    authorise(users["owner"], household)
    declare_income(alice(), "wages", 200_000, LONG_AGO)
    fact(alice(), "income", "wages", 300_000, date(2025, 1, 1))

    report = _verify(users, household).report

    item = _item(report, "income", "wages", alice())
    assert item.declared_fen == 200_000
    assert item.verified_fen == 300_000
    assert item.discrepancy_fen == 100_000
    assert item.discrepancy_share == Decimal("0.5000")
    assert item.severity == "major"
    assert item.sources[0]["source"] == "tax"
    assert item.sources[0]["department"] == "市税务局"
    assert item.sources[0]["first"] == "2025-01-01"
    assert report.declared_income_fen == 200_000
    assert report.verified_income_fen == 300_000
    assert report.severity == "major"


def test_superseded_facts_ignored(users, household) -> None:
    authorise(users["owner"], household)
    declare_income(alice(), "wages", 300_000, LONG_AGO)
    correction = batch(FeedKind.WAGES_TAX)
    fact(
        alice(), "income", "wages", 900_000, date(2025, 1, 1), superseded_by=correction
    )
    fact(alice(), "income", "wages", 310_000, date(2025, 1, 1), in_batch=correction)

    item = _item(_verify(users, household).report, "income", "wages", alice())

    assert item.verified_fen == 310_000
    assert [source["batch"] for source in item.sources] == [correction.pk]
    # 100 yuan a month is within the floor for income, so the flag is minor.
    assert item.severity == "minor"


def test_income_validity_edges(users, household) -> None:
    authorise(users["owner"], household)
    fact(alice(), "income", "wages", 1_000, date(2025, 1, 1), valid_to=AS_OF)
    fact(alice(), "income", "pension", 2_000, AS_OF)
    fact(alice(), "income", "benefit", 4_000, AS_OF + timedelta(days=1))
    fact(carol(), "income", "wages", 8_000, date(2025, 1, 1), valid_to=date(2025, 7, 1))

    report = _verify(users, household).report

    assert not report.items.filter(person=alice(), item="wages").exists()
    assert _item(report, "income", "pension", alice()).verified_fen == 2_000
    assert not report.items.filter(item="benefit").exists()
    assert _item(report, "income", "wages", carol()).verified_fen == 8_000


def test_assets_are_household_totals(users, household) -> None:
    authorise(users["owner"], household)
    declare_asset(household, AssetKind.DEPOSITS, 1_000_000, LONG_AGO)
    fact(alice(), "asset", "deposits", 1_500_000, date(2025, 3, 1))
    fact(carol(), "asset", "deposits", 1_500_000, date(2025, 3, 1))
    fact(alice(), "asset", "vehicle", 5_000_000, date(2025, 3, 1), quantity=Decimal(1))

    report = _verify(users, household).report

    deposits = _item(report, "asset", "deposits")
    assert deposits.person is None
    assert deposits.declared_fen == 1_000_000
    assert deposits.verified_fen == 3_000_000
    assert deposits.discrepancy_share == Decimal("2.0000")
    vehicle = _item(report, "asset", "vehicle")
    assert vehicle.declared_fen == 0
    assert vehicle.discrepancy_share is None
    assert vehicle.severity == "major"
    assert report.declared_assets_fen == 1_000_000
    assert report.verified_assets_fen == 8_000_000
    assert report.major_items == 2


def test_declared_but_unverified_item(users, household) -> None:
    authorise(users["owner"], household)
    declare_income(carol(), "pension", 50_000, LONG_AGO)

    item = _item(_verify(users, household).report, "income", "pension", carol())

    assert item.verified_fen == 0
    assert item.discrepancy_fen == -50_000
    assert item.discrepancy_share == Decimal("-1.0000")
    assert item.sources == []


def test_spending_window_edges(users, household) -> None:
    authorise(users["owner"], household)
    first, last = spending_window(AS_OF)
    assert (first, last) == (date(2024, 7, 1), AS_OF)
    fact(alice(), "spending", "medical_out_of_pocket", 1, first - timedelta(days=1))
    fact(alice(), "spending", "medical_out_of_pocket", 20, first)
    fact(carol(), "spending", "medical_out_of_pocket", 300, last)
    fact(alice(), "spending", "medical_out_of_pocket", 4_000, last + timedelta(days=1))

    report = _verify(users, household).report

    item = _item(report, "spending", "medical_out_of_pocket")
    assert item.verified_fen == 320
    assert item.declared_fen is None
    assert item.severity == "none"
    assert report.verified_spending_fen == 320


@pytest.mark.parametrize(
    ("day", "earlier"),
    [
        (date(2024, 2, 29), date(2023, 2, 28)),
        (date(2025, 3, 31), date(2024, 3, 31)),
        (date(2025, 1, 15), date(2024, 1, 15)),
    ],
)
def test_months_before(day, earlier) -> None:
    assert months_before(day, 12) == earlier


def test_spending_window_in_leap_year() -> None:
    assert spending_window(date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))


DAYS = st.integers(min_value=-500, max_value=60)
FACTS = st.lists(
    st.tuples(
        st.sampled_from(["alice", "carol"]),
        st.sampled_from(
            [
                ("income", "wages"),
                ("income", "pension"),
                ("asset", "deposits"),
                ("spending", "education"),
            ]
        ),
        st.integers(min_value=0, max_value=10_000_000),
        DAYS,
        st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
        st.booleans(),
    ),
    max_size=12,
)


def _brute_force(rows, as_of: date) -> dict[tuple[str, str, str], int]:
    first, last = spending_window(as_of)
    totals: dict[tuple[str, str, str], int] = {}
    for who, (category, item), amount, start, length, superseded in rows:
        valid_from = as_of + timedelta(days=start)
        valid_to = valid_from + timedelta(days=length) if length else None
        if superseded:
            continue
        if category == "spending":
            counts = first <= valid_from <= last
        else:
            counts = valid_from <= as_of and (valid_to is None or valid_to > as_of)
        if counts:
            key = (who if category == "income" else "", category, item)
            totals[key] = totals.get(key, 0) + amount
    return totals


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=FACTS)
def test_verified_totals_match_brute_force(users, household, rows) -> None:
    from doudi.exchange.models import ExchangeFact
    from doudi.verification.models import VerificationReport, VerificationRequest

    VerificationItem.objects.all().delete()
    VerificationReport.objects.all().delete()
    VerificationRequest.objects.all().delete()
    ExchangeFact.objects.all().delete()
    if not household.authorisations.exists():
        authorise(users["owner"], household)
    people = {"alice": alice(), "carol": carol()}
    replaced = batch(FeedKind.WAGES_TAX)
    for who, (category, item), amount, start, length, superseded in rows:
        valid_from = AS_OF + timedelta(days=start)
        fact(
            people[who],
            category,
            item,
            amount,
            valid_from,
            valid_to=valid_from + timedelta(days=length) if length else None,
            superseded_by=replaced if superseded else None,
        )

    report = _verify(users, household).report

    names = {people["alice"].pk: "alice", people["carol"].pk: "carol"}
    found = {
        (names.get(item.person_id, ""), item.category, item.item): item.verified_fen
        for item in report.items.all()
        if item.verified_fen
    }
    expected = {key: value for key, value in _brute_force(rows, AS_OF).items() if value}
    assert found == expected
    assert report.verified_income_fen == sum(
        value for key, value in expected.items() if key[1] == "income"
    )
    assert report.verified_spending_fen == sum(
        value for key, value in expected.items() if key[1] == "spending"
    )
