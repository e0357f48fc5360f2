"""Fixtures of the portal tests: a private data folder, residents, sign-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from doudi.notifications.outbound import outbox_path
from doudi.portal import linking
from doudi.portal.models import PortalAccount
from doudi.registry.models import Household, Person

# Synthetic mobile numbers (the 19x range is not the registry's test numbers).
RESIDENT_PHONE = "+8613912345678"
OTHER_PHONE = "+8613987654321"
ALICE_NAME = "王测试"
ALICE_ID = "310101198001010018"


@pytest.fixture(autouse=True)
def _private_data_dir(settings, tmp_path: Path) -> Iterator[None]:
    """Keep the SMS outbox and uploads in the test's folder; empty the cache."""
    settings.DATA_DIR = tmp_path
    cache.clear()
    yield
    cache.clear()


def last_code(phone: str) -> str:
    """Return the code of the last sign-in message written to `phone`."""
    lines = outbox_path().read_text(encoding="utf-8").splitlines()
    messages = [json.loads(line) for line in lines]
    return str([m for m in messages if m["phone"] == phone][-1]["params"]["code"])


def sign_in(client: Client, phone: str = RESIDENT_PHONE) -> Client:
    """Sign `client` in to the portal through the pages, as a resident does."""
    client.post("/portal/sign-in/", {"phone": phone}, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/portal/sign-in/code/", {"code": last_code(phone)})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def resident(db: None) -> Client:
    return sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"))


@pytest.fixture
def resident_account(resident: Client) -> PortalAccount:
    return PortalAccount.objects.get()


@pytest.fixture
def linked_account(
    resident_account: PortalAccount, household: Household
) -> PortalAccount:
    """The signed-in resident, linked to the head of `household` by ID and name."""
    return linking.link_by_identity(resident_account, ALICE_ID, ALICE_NAME)


@pytest.fixture
def alice(household: Household) -> Person:
    return household.memberships.get(relationship="head").person


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Post a form and run what the view queued for after its commit (routing)."""

    def post(client: Client, url: str, data: dict[str, str]):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post
