"""Security of the portal: CSP header, CSRF, staff middleware, URLs and logs."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings

from doudi.portal.models import HelpRequest
from doudi.portal.tests.conftest import ALICE_ID, RESIDENT_PHONE, last_code

pytestmark = pytest.mark.django_db

CSP = "doudi.core.security.ContentSecurityPolicyMiddleware"
FORM = {"who": "me", "kind": "care", "urgency": "today", "contact_method": "this_phone"}


@pytest.fixture
def with_csp(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, CSP]


def test_csp_header_forbids_inline_script(with_csp):
    response = Client().get("/portal/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_csp_header_on_staff_pages(with_csp):
    assert "Content-Security-Policy" in Client().get("/portal/sign-in/")


def test_portal_pages_have_no_inline_script(resident: Client):
    url = resident.get("/portal/help/")["Location"]
    for path in [
        "/portal/",
        "/portal/sign-in/",
        "/portal/requests/",
        url,
        "/portal/link/",
    ]:
        body = resident.get(path).content.decode()
        assert "<script>" not in body, path
        assert " onclick=" not in body, path
        assert " onchange=" not in body, path
        assert " style=" not in body, path


def test_csrf_enforced():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/portal/sign-in/", {"phone": RESIDENT_PHONE})
    assert response.status_code == 403


@override_settings(OTP_REQUIRED=True)
def test_staff_second_factor_leaves_residents_alone(resident: Client, household, send):
    # A resident signed in to the portal is no staff user, and a linked
    # resident user is exempt from the staff second-factor check.
    resident.post("/portal/link/", {"name": "王测试", "resident_id": ALICE_ID})
    assert resident.get("/portal/").status_code == 200
    url = resident.get("/portal/help/")["Location"]
    assert send(resident, url + "send/", FORM).status_code == 302
    assert HelpRequest.objects.count() == 1


def test_resident_user_signed_in_to_django_still_works(
    resident: Client, linked_account
):
    resident.force_login(linked_account.user)
    with override_settings(OTP_REQUIRED=True):
        assert resident.get("/portal/requests/").status_code == 200


def test_urls_carry_no_personal_data(resident: Client, send, caplog):
    caplog.set_level(logging.DEBUG)
    url = resident.get("/portal/help/")["Location"]
    response = send(
        resident, url + "send/", {**FORM, "details": "Synthetic secret detail"}
    )
    for location in [url, response["Location"]]:
        assert "139" not in location
        assert "Synthetic" not in location
    assert "13912345678" not in caplog.text
    assert "Synthetic secret detail" not in caplog.text


def test_phone_kept_encrypted_at_rest(resident_account):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM portal_portalaccount")
        stored_phone, index = cursor.fetchone()
    assert "13912345678" not in stored_phone
    assert "13912345678" not in index


def test_outbox_code_not_in_database(resident_account):
    code = last_code(RESIDENT_PHONE)
    from doudi.portal.models import SignInCode

    assert not SignInCode.objects.filter(code_hash=code).exists()


def test_session_cookie_secure_in_production_settings():
    from doudi import settings as site

    assert site.SESSION_COOKIE_SECURE == site.IS_PRODUCTION
    assert site.CSRF_COOKIE_SECURE == site.IS_PRODUCTION
    assert site.SESSION_COOKIE_HTTPONLY
