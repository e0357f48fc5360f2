"""Shared fixtures: a small region tree, named users of each role, households."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from doudi.privacy import triggers
from doudi.privacy.choices import Role
from doudi.privacy.keys import reset_keyring
from doudi.privacy.models import AuditEntry, AuditLink, User
from doudi.registry import services
from doudi.registry.choices import HukouNature, HukouType, Relationship, ResidenceStatus
from doudi.registry.models import Household, Person, Region

# Synthetic IDs with valid check characters (never issued to a person).
ALICE_ID = "310101198001010018"
BOB_ID = "310104197505050034"
CAROL_ID = "310101200503030027"


def _region(code: str, name: str, level: str, parent: Region | None) -> Region:
    path = f"{parent.path if parent else ''}{code}/"
    return Region.objects.create(
        code=code, name=name, level=level, parent=parent, path=path
    )


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Messages raised outside a request are English, so tests can match them.

    Pages still choose their language per request through the middleware.
    """
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_keyring() -> Iterator[None]:
    reset_keyring()
    yield
    reset_keyring()


def signed_in(user: User) -> Client:
    """Return a test client signed in as `user` (no second factor)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def regions(db: None) -> dict[str, Region]:
    city = _region("310000", "上海市", "city", None)
    huangpu = _region("310101", "黄浦区", "district", city)
    xuhui = _region("310104", "徐汇区", "district", city)
    nanjing = _region("310101002", "南京东路街道", "street", huangpu)
    tianping = _region("310104003", "天平路街道", "street", xuhui)
    return {
        "city": city,
        "huangpu": huangpu,
        "xuhui": xuhui,
        "nanjing": nanjing,
        "tianping": tianping,
        "home": _region("310101002001", "示例一社区", "community", nanjing),
        "neighbour": _region("310101002002", "示例二社区", "community", nanjing),
        "far": _region("310104003001", "示例三社区", "community", tianping),
    }


def make_user(
    username: str,
    role: Role,
    region: Region | None,
    password: str | None = None,
    **extra: Any,
) -> User:
    """Create a user; without `password` the account cannot sign in (fast)."""
    return User.objects.create_user(
        username=username,
        password=password,
        role=role,
        region=region,
        is_staff=role != Role.RESIDENT,
        **extra,
    )


@pytest.fixture
def users(regions: dict[str, Region]) -> dict[str, User]:
    """Named users: the owner works in `home`; the outsider in `neighbour`."""
    return {
        "owner": make_user("owner", Role.COMMUNITY_WORKER, regions["home"]),
        "outsider": make_user("outsider", Role.COMMUNITY_WORKER, regions["neighbour"]),
        "street": make_user("street", Role.STREET_REVIEWER, regions["nanjing"]),
        "other_district": make_user("xuhui", Role.DISTRICT_APPROVER, regions["xuhui"]),
        "district": make_user("huangpu", Role.DISTRICT_APPROVER, regions["huangpu"]),
        "city": make_user("city", Role.CITY_ADMIN, regions["city"]),
        "auditor": make_user("auditor", Role.AUDITOR, regions["city"]),
        "analyst": make_user("analyst", Role.ANALYST, regions["city"]),
        "provider": make_user("provider", Role.PROVIDER_STAFF, regions["city"]),
    }


def add_person(
    actor: User,
    household: Household,
    relationship: Relationship,
    resident_id: str,
    name: str,
    sex: str,
    born: date,
) -> Person:
    return services.create_person(
        actor,
        household=household,
        relationship=relationship,
        joined=date(2020, 1, 1),
        name=name,
        sex=sex,
        birth_date=born,
        resident_id=resident_id,
        phone="13800000000" if relationship == Relationship.HEAD else None,
        hukou_type=HukouType.LOCAL,
        hukou_nature=HukouNature.URBAN,
        hukou_region_code="310101",
        residence_status=ResidenceStatus.REGISTERED,
    )


@pytest.fixture
def household(users: dict[str, User], regions: dict[str, Region]) -> Household:
    """A household of two in the owner's community."""
    owner = users["owner"]
    home = services.create_household(
        owner, region=regions["home"], address="测试路1号101室"
    )
    add_person(
        owner, home, Relationship.HEAD, ALICE_ID, "王测试", "M", date(1980, 1, 1)
    )
    add_person(
        owner, home, Relationship.CHILD, CAROL_ID, "王小测", "F", date(2005, 3, 3)
    )
    return home


@pytest.fixture
def far_household(users: dict[str, User], regions: dict[str, Region]) -> Household:
    worker = make_user("far_worker", Role.COMMUNITY_WORKER, regions["far"])
    far = services.create_household(worker, region=regions["far"], address="远方路9号")
    add_person(worker, far, Relationship.HEAD, BOB_ID, "李测试", "M", date(1975, 5, 5))
    return far


@pytest.fixture
def clean_audit_after(transactional_db: None) -> Iterator[None]:
    """Empty the append-only tables before Django flushes a transactional test.

    Flushing deletes rows, which the triggers reject; this drops the
    triggers, clears the tables and puts the triggers back.
    """
    yield
    triggers.drop(connection)
    AuditLink.objects.all().delete()
    AuditEntry.objects.all().delete()
    triggers.install(connection)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.environ.get("DOUDI_REQUIRE_BROWSER"):
        pytest.fail(
            f"DOUDI_REQUIRE_BROWSER is set but Chromium is missing at {CHROMIUM}: "
            "install Debian's chromium package (make browser)"
        )
    pytest.skip(
        "Chromium is not installed; set DOUDI_REQUIRE_BROWSER=1 to fail instead"
    )
