"""The screener agrees with the engine on the equivalent registry household.

Hypothesis draws screener answers; the test builds the household those
answers describe in the registry, by the mapping rules of
`doudi.portal.screener`, and runs the engine on its registry records the
way the personal menu does. Both must give the same outcome per scheme.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doudi.assessments.registry_inputs import read_registry
from doudi.policy.inputs import Scheme
from doudi.policy.registry_frames import inputs_from_frames
from doudi.policychanges.effective import effective_parameters
from doudi.portal import menu, menu_inputs
from doudi.portal.screener import ScreenerAnswers, birth_date, members, screen
from doudi.privacy.models import User
from doudi.registry import resident_id, services
from doudi.registry.choices import (
    FactKind,
    FactSource,
    HukouNature,
    HukouType,
    Relationship,
    ResidenceStatus,
)
from doudi.registry.models import Household, HouseholdAsset, PersonFact, Region
from doudi.registry.resident_id import Sex

CITY = "Shanghai"
_serial = itertools.count()


@st.composite
def answers(draw: st.DrawFn) -> ScreenerAnswers:
    size = draw(st.integers(1, 6))
    elderly = draw(st.integers(0, size))
    children = draw(st.integers(0, size - elderly))
    yuan = st.integers(0, 20_000).map(Decimal)
    return ScreenerAnswers(
        district_code="310101",
        household_size=size,
        registered_locally=draw(st.booleans()),
        monthly_income_yuan=draw(yuan),
        savings_yuan=draw(st.integers(0, 200_000).map(Decimal)),
        vehicles=draw(st.integers(0, 1)),
        homes=draw(st.integers(0, 2)),
        elderly=elderly,
        children=children,
        severe_disability=draw(st.integers(0, size)),
        serious_illness=draw(st.integers(0, size)),
    )


def _born(age: int, on: date, serial: int) -> date:
    """Return a birth date that makes a person `age` on `on`, varied by `serial`."""
    first = birth_date(age, on)
    days_reached = (on - date(on.year, 1, 1)).days
    return first + timedelta(days=serial % (days_reached + 1))


def _add_person(
    actor: User, home: Household, relationship: str, age: int, on: date, local: bool
):
    serial = next(_serial)
    born = _born(age, on, serial)
    sex = Sex.MALE if serial % 2 else Sex.FEMALE
    rng = random.Random(serial)
    for _attempt in range(20):
        try:
            return services.create_person(
                actor,
                household=home,
                relationship=Relationship(relationship),
                joined=date(2000, 1, 1),
                name=f"测试{serial}",
                sex=sex,
                birth_date=born,
                resident_id=resident_id.generate(
                    rng, region_code="310101", born=born, sex=sex
                ),
                phone=None,
                hukou_type=HukouType.LOCAL if local else HukouType.ELSEWHERE,
                hukou_nature=HukouNature.URBAN,
                hukou_region_code="310101",
                residence_status=ResidenceStatus.REGISTERED,
            )
        except ValidationError:
            continue  # The drawn ID is taken; draw another.
    raise AssertionError("no free synthetic resident ID")


def equivalent_household(
    actor: User, community: Region, given_answers: ScreenerAnswers, on: date
) -> Household:
    """Record the household the answers describe, by the screener's rules."""
    home = services.create_household(actor, region=community, address="测试路")
    start = date(2000, 1, 1)
    for index, member in enumerate(members(given_answers)):
        person = _add_person(
            actor,
            home,
            member.relationship,
            member.age,
            on,
            given_answers.registered_locally,
        )
        if member.severe_disability:
            PersonFact.objects.create(
                person=person,
                kind=FactKind.DISABILITY,
                code="physical",
                grade=1,
                valid_from=start,
                source=FactSource.DECLARED,
            )
        if member.serious_illness:
            PersonFact.objects.create(
                person=person,
                kind=FactKind.ILLNESS,
                code="serious",
                valid_from=start,
                source=FactSource.DECLARED,
            )
        if index == 0 and given_answers.monthly_income_yuan:
            PersonFact.objects.create(
                person=person,
                kind=FactKind.INCOME,
                code="wages",
                amount_fen=int(given_answers.monthly_income_yuan * 100),
                valid_from=start,
                source=FactSource.DECLARED,
            )
    _add_assets(home, given_answers, start)
    return home


def _add_assets(home: Household, given_answers: ScreenerAnswers, start: date) -> None:
    rows = [
        ("deposits", 1, int(given_answers.savings_yuan * 100)),
        ("vehicle", given_answers.vehicles, 0),
        ("housing", given_answers.homes, 0),
    ]
    for kind, count, value_fen in rows:
        if count and (value_fen or kind != "deposits"):
            HouseholdAsset.objects.create(
                household=home,
                kind=kind,
                count=count,
                value_fen=value_fen,
                valid_from=start,
                source=FactSource.DECLARED,
            )


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(given_answers=answers())
def test_screener_equals_engine_on_registry(regions, users, given_answers):
    on = timezone.localdate()
    home = equivalent_household(users["owner"], regions["home"], given_answers, on)

    screened = {
        result.scheme: result
        for result in screen(given_answers, effective_parameters(), city=CITY, on=on)
    }
    recorded = menu.live_rows(home, on)

    for scheme in Scheme:
        row = recorded[scheme.value]
        result = screened[scheme.value]
        assert result.eligible == row["eligible"], scheme
        assert result.recommended_tier == row["recommended_tier"], scheme
        assert result.amount_fen == row["amount_fen"], scheme


def test_menu_inputs_match_monthly_reader(regions, users):
    """The menu's one-household reader gives the rows of the monthly reader."""
    on = timezone.localdate()
    given_answers = ScreenerAnswers(
        district_code="310101",
        household_size=4,
        elderly=1,
        children=1,
        severe_disability=1,
        serious_illness=2,
        monthly_income_yuan=Decimal(3200),
        savings_yuan=Decimal(5000),
        vehicles=1,
        homes=1,
    )
    home = equivalent_household(users["owner"], regions["home"], given_answers, on)

    mine = menu_inputs.input_tables(home, on, city=CITY)
    monthly = inputs_from_frames(read_registry(on), city_name=CITY).for_household(
        home.pk
    )

    for name in ("households", "persons", "incomes", "assets"):
        left = getattr(mine, name).sort(getattr(mine, name).columns)
        right = getattr(monthly, name).sort(getattr(monthly, name).columns)
        assert left.equals(right), name
