"""The demo city gets cases at every step, some overdue, once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from doudi.cases.demo import PLAN, seed_cases
from doudi.cases.models import Case, Step
from doudi.registry import bulk_load
from doudi.synth import generate_city

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def synthetic_city():
    return generate_city(3000, 5, date(2026, 11, 30))


@pytest.fixture
def loaded_city(synthetic_city):
    bulk_load.load_city(synthetic_city)


@pytest.mark.usefixtures("loaded_city")
def test_seed_covers_every_step():
    summary = seed_cases()

    expected = {
        Step.ACCEPT,
        Step.SURVEY,
        Step.VERIFICATION,
        Step.STREET_REVIEW,
        Step.PUBLIC_NOTICE,
        Step.DISTRICT_APPROVAL,
        Step.AWARDED,
        Step.REFUSED,
        Step.WITHDRAWN,
    }
    assert set(summary) == expected
    assert sum(summary.values()) == len(PLAN)
    today = timezone.localdate()
    open_cases = Case.objects.filter(closed_at__isnull=True)
    assert open_cases.filter(next_due__lt=today).count() >= 4
    assert Case.objects.filter(kind="appeal").count() == 1


@pytest.mark.usefixtures("loaded_city")
def test_seed_twice_adds_nothing():
    first = seed_cases()

    second = seed_cases()

    assert second == first
    assert Case.objects.filter(kind="application").count() == len(PLAN)


@pytest.mark.usefixtures("loaded_city")
def test_command_refuses_outside_development():
    with (
        override_settings(ENVIRONMENT="production"),
        pytest.raises(Exception, match="development"),
    ):
        call_command("cases_demo")
