"""Sign-in throttling per number and per address, and enumeration resistance."""

from __future__ import annotations

import re
import statistics
import time

import pytest
from django.test import Client, override_settings

from doudi.portal.models import SignInCode
from doudi.portal.tests.conftest import OTHER_PHONE, RESIDENT_PHONE, last_code, sign_in

pytestmark = pytest.mark.django_db

THROTTLED = b"Too many attempts"


def _ask(client: Client, phone: str, address: str = "192.0.2.1") -> bytes:
    response = client.post(
        "/portal/sign-in/", {"phone": phone}, REMOTE_ADDR=address, follow=True
    )
    return response.content


def test_codes_per_number_limited():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for number in range(5):
        assert THROTTLED not in _ask(client, RESIDENT_PHONE, f"192.0.2.{number}")
    assert THROTTLED in _ask(client, RESIDENT_PHONE, "192.0.2.99")
    assert SignInCode.objects.count() == 5


@override_settings(PORTAL_CODES_PER_ADDRESS_HOUR=3)
def test_codes_per_address_limited():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for tail in range(3):
        assert THROTTLED not in _ask(client, f"+861391234560{tail}")
    assert THROTTLED in _ask(client, OTHER_PHONE)
    assert THROTTLED not in _ask(client, OTHER_PHONE, "192.0.2.200")


@override_settings(PORTAL_CODE_FAILURES_PER_PHONE_HOUR=3, PORTAL_CODE_ATTEMPTS=100)
def test_wrong_codes_per_number_lock():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _ask(client, RESIDENT_PHONE)
    code = last_code(RESIDENT_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        client.post("/portal/sign-in/code/", {"code": wrong})
    response = client.post("/portal/sign-in/code/", {"code": code})
    assert THROTTLED in response.content


@override_settings(PORTAL_CODE_FAILURES_PER_ADDRESS_HOUR=2, PORTAL_CODE_ATTEMPTS=100)
def test_wrong_codes_per_address_lock():
    first = Client(HTTP_ACCEPT_LANGUAGE="en")
    second = Client(HTTP_ACCEPT_LANGUAGE="en")
    _ask(first, RESIDENT_PHONE)
    _ask(second, OTHER_PHONE)
    for _ in range(2):
        first.post("/portal/sign-in/code/", {"code": "999999"}, REMOTE_ADDR="192.0.2.1")
    code = last_code(OTHER_PHONE)
    response = second.post(
        "/portal/sign-in/code/", {"code": code}, REMOTE_ADDR="192.0.2.1"
    )
    assert THROTTLED in response.content


def _page(phone: str) -> tuple[int, bytes]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/portal/sign-in/", {"phone": phone}, follow=True)
    masked = phone[3:6].encode() + b"****" + phone[-4:].encode()
    return response.status_code, response.content.replace(masked, b"MASKED")


def test_registered_and_new_numbers_answer_alike():
    sign_in(Client(), RESIDENT_PHONE)  # now registered
    registered = _page(RESIDENT_PHONE)
    new = _page(OTHER_PHONE)
    assert registered[0] == new[0]
    # The pages differ only in their CSRF tokens.
    assert _without_tokens(registered[1]) == _without_tokens(new[1])


def _without_tokens(content: bytes) -> bytes:
    return re.sub(rb"[A-Za-z0-9]{64}", b"TOKEN", content)


def _timed(phone: str) -> float:
    client = Client()
    started = time.perf_counter()
    client.post("/portal/sign-in/", {"phone": phone})
    return time.perf_counter() - started


@override_settings(PORTAL_CODES_PER_PHONE_HOUR=1000, PORTAL_CODES_PER_ADDRESS_HOUR=1000)
def test_registered_and_new_numbers_take_alike():
    sign_in(Client(), RESIDENT_PHONE)
    registered = [_timed(RESIDENT_PHONE) for _ in range(15)]
    new = [_timed(f"+86137000000{n:02d}") for n in range(15)]
    ratio = statistics.median(registered) / statistics.median(new)
    assert 0.5 < ratio < 2.0, (registered, new)
