"""Fixtures of the policy change tests: two policy officers and a small city."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from doudi.conftest import make_user
from doudi.policychanges import effective
from doudi.policychanges.services import Proposal
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry import bulk_load
from doudi.registry.models import Region
from doudi.synth import generate_city

CITY_AS_OF = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _fresh_effective_cache() -> Iterator[None]:
    """Each test starts without parameters cached from another test's database."""
    effective.clear_cache()
    yield
    effective.clear_cache()


@pytest.fixture
def officers(regions: dict[str, Region]) -> dict[str, User]:
    """Two city administrators: `a` proposes and `b` decides."""
    return {
        "a": make_user("officer_a", Role.CITY_ADMIN, regions["city"]),
        "b": make_user("officer_b", Role.CITY_ADMIN, regions["city"]),
    }


@pytest.fixture(scope="session")
def synthetic_city():
    return generate_city(120, 11, CITY_AS_OF)


@pytest.fixture
def loaded_city(db: None, synthetic_city) -> Region:
    """Load the synthetic Shanghai and return its city region."""
    bulk_load.load_city(synthetic_city)
    return Region.objects.get(level="city")


def standard_proposal(value: str = "1800", day: date = date(2027, 1, 1)) -> Proposal:
    return Proposal(
        name="dibao.standard",
        district_code="",
        effective_from=day,
        value=Decimal(value),
        source="沪民规〔2026〕1号",
        reason="Annual adjustment",
    )
