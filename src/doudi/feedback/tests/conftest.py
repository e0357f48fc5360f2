"""Fixtures of the feedback tests: a linked resident, an award, a closed case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from doudi.cases.models import Case, CaseKind, Channel, Decision, Step
from doudi.conftest import ALICE_ID
from doudi.feedback.testing import linked_account, portal_client
from doudi.payments.models import Award
from doudi.portal.models import PortalAccount
from doudi.privacy.models import User
from doudi.registry.models import Household
from doudi.services.models import Organization, Service

PHONE = "+8613911113333"
ALICE_NAME = "王测试"


@pytest.fixture(autouse=True)
def _private_data_dir(settings, tmp_path: Path) -> Iterator[None]:
    settings.DATA_DIR = tmp_path
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def account(household: Household) -> PortalAccount:
    return linked_account(PHONE, ALICE_ID, ALICE_NAME)


@pytest.fixture
def resident(account: PortalAccount) -> Client:
    return portal_client(account)


def closed_case(household: Household, scheme: str = "dibao") -> Case:
    now = timezone.now()
    return Case.objects.create(
        household=household,
        scheme=scheme,
        channel=Channel.WALK_IN,
        kind=CaseKind.APPLICATION,
        step=Step.AWARDED,
        opened_at=now,
        region=household.region,
        region_path=household.region.path,
        decision=Decision.APPROVED,
        decided_on=now.date(),
        closed_at=now,
    )


def award_for(household: Household, granted_by: User, scheme: str = "dibao") -> Award:
    case = closed_case(household, scheme)
    return Award.objects.create(
        household=household,
        case=case,
        scheme=scheme,
        amount_fen=80_000,
        approved_on=date(2026, 1, 5),
        start_month=date(2026, 2, 1),
        starts_on=date(2026, 2, 1),
        status_since=date(2026, 2, 1),
        review_interval_months=12,
        next_review_on=date(2027, 2, 1),
        district_code=household.region.code[:6],
        granted_by=granted_by,
        granted_at=timezone.now(),
    )


@pytest.fixture
def award(household: Household, users: dict[str, User]) -> Award:
    return award_for(household, users["district"])


@pytest.fixture
def far_award(far_household: Household, users: dict[str, User]) -> Award:
    return award_for(far_household, users["other_district"])


@pytest.fixture
def service(db: None) -> Service:
    organization = Organization.objects.create(
        name="示例社工站", description="测试", organization_type="social_work"
    )
    return Service.objects.create(
        organization=organization,
        name="Home visits",
        status="active",
        last_modified=timezone.now(),
    )
