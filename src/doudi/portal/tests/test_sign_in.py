"""Sign-in by phone and one-time code: codes, expiry, hashing, logs."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from doudi.notifications.outbound import outbox_path
from doudi.portal import signin
from doudi.portal.accounts import ACCOUNT_KEY
from doudi.portal.models import PortalAccount, SignInCode
from doudi.portal.tests.conftest import RESIDENT_PHONE, last_code, sign_in
from doudi.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _ask(client: Client, phone: str = "139 1234 5678") -> None:
    response = client.post("/portal/sign-in/", {"phone": phone})
    assert response.status_code == 302


def test_code_signs_in_and_creates_account():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client)
    account = PortalAccount.objects.get()
    assert client.session[ACCOUNT_KEY] == account.pk
    assert account.phone == RESIDENT_PHONE
    assert account.person is None
    assert client.get("/portal/").status_code == 200


def test_second_sign_in_reuses_account():
    sign_in(Client())
    sign_in(Client())
    assert PortalAccount.objects.count() == 1


def test_code_stored_only_hashed():
    _ask(Client())
    code = last_code(RESIDENT_PHONE)
    stored = SignInCode.objects.get()
    assert code not in stored.code_hash
    assert code not in stored.phone_index


def test_wrong_code_rejected():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _ask(client)
    wrong = "000000" if last_code(RESIDENT_PHONE) != "000000" else "111111"
    response = client.post("/portal/sign-in/code/", {"code": wrong})
    assert response.status_code == 200
    assert b"wrong or has expired" in response.content
    assert ACCOUNT_KEY not in client.session


def test_expired_code_rejected():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _ask(client)
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/portal/sign-in/code/", {"code": last_code(RESIDENT_PHONE)})
    assert b"wrong or has expired" in response.content
    assert ACCOUNT_KEY not in client.session


def test_code_works_once():
    client = Client()
    _ask(client)
    code = last_code(RESIDENT_PHONE)
    signin.verify_code(RESIDENT_PHONE, code)
    assert SignInCode.objects.get().used_at is not None
    with pytest.raises(ValidationError):
        signin.verify_code(RESIDENT_PHONE, code)


def test_new_code_replaces_old():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _ask(client)
    first = last_code(RESIDENT_PHONE)
    _ask(client)
    second = last_code(RESIDENT_PHONE)
    if first == second:
        pytest.skip("the two random codes happen to be equal")
    response = client.post("/portal/sign-in/code/", {"code": first})
    assert b"wrong or has expired" in response.content


def test_code_stops_after_five_wrong():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _ask(client)
    code = last_code(RESIDENT_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post("/portal/sign-in/code/", {"code": wrong})
    response = client.post("/portal/sign-in/code/", {"code": code})
    assert b"wrong or has expired" in response.content


def test_invalid_phone_names_fix():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/portal/sign-in/", {"phone": "12345"})
    assert response.status_code == 200
    assert b"is not a mainland mobile number" in response.content
    assert b"11 digits" in response.content
    assert not outbox_path().exists()


def test_log_names_only_message_id(caplog):
    caplog.set_level(logging.DEBUG)
    _ask(Client())
    code = last_code(RESIDENT_PHONE)
    message_id = json.loads(outbox_path().read_text().splitlines()[-1])["id"]
    text = caplog.text
    assert message_id in text
    assert code not in text
    assert "13912345678" not in text
    assert SignInCode.objects.get().message_id == message_id


def test_sign_in_audited():
    sign_in(Client())
    account = PortalAccount.objects.get()
    entry = AuditEntry.objects.get(action="login", object_type="portal.account")
    assert entry.object_id == str(account.pk)
    assert "1391234" not in json.dumps(entry.detail)


def test_sign_in_rotates_session_key():
    client = Client()
    _ask(client)
    before = client.session.session_key
    client.post("/portal/sign-in/code/", {"code": last_code(RESIDENT_PHONE)})
    assert client.session.session_key != before


def test_next_path_followed_and_checked():
    client = Client()
    client.get("/portal/sign-in/?next=/portal/requests/")
    _ask(client)
    response = client.post("/portal/sign-in/code/", {"code": last_code(RESIDENT_PHONE)})
    assert response["Location"] == "/portal/requests/"
    other = Client()
    other.get("/portal/sign-in/?next=https://elsewhere.example/")
    _ask(other)
    response = other.post("/portal/sign-in/code/", {"code": last_code(RESIDENT_PHONE)})
    assert response["Location"] == "/portal/"


def test_protected_page_redirects_to_sign_in():
    response = Client().get("/portal/requests/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/sign-in/?next=")


def test_sign_out_ends_portal_session(resident: Client):
    resident.post("/portal/sign-out/")
    assert resident.get("/portal/requests/").status_code == 302
