"""Sign-in: argon2 password hashes, the TOTP second factor, lockout, audit.

These tests post to the real sign-in view with real password hashes and
TOTP devices. They make no network request: redirects are only checked,
never followed off the site.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from doudi.conftest import make_user
from doudi.privacy import throttle
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry, User

SIGN_IN_URL = "/account/sign-in/"
PASSWORD = "correct horse battery staple 7"
WRONG_PASSWORD = "not the password 7"
UNKNOWN_NAME = "nobody-7f3a9c"
API_LIST_URL = "/api/v1/households"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # The throttle counts failures in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def worker(regions) -> User:
    return make_user(
        "signer", Role.COMMUNITY_WORKER, regions["home"], password=PASSWORD
    )


@pytest.fixture
def device(worker: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)


def _code(device: TOTPDevice, drift: int = 0) -> str:
    number = totp(
        device.bin_key, device.step, device.t0, device.digits, device.drift + drift
    )
    return f"{number:0{device.digits}d}"


def _wrong_code(device: TOTPDevice) -> str:
    # The device accepts the codes of the neighbouring time steps too.
    accepted = {_code(device, drift) for drift in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222") if code not in accepted)


def _sign_in(
    client: Client,
    username: str,
    password: str,
    code: str = "",
    next_url: str | None = None,
):
    data = {"username": username, "password": password, "otp_token": code}
    if next_url is not None:
        data["next"] = next_url
    return client.post(SIGN_IN_URL, data)


def _session_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


# Password hashing


def test_hashers_start_with_argon2():
    assert django_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_password_stored_as_argon2(worker):
    assert worker.password.startswith("argon2$argon2id$")


def test_password_not_stored_plain(worker):
    assert PASSWORD not in worker.password


# Password only (second factor not required)


def test_right_password_signs_in(settings, worker):
    settings.OTP_REQUIRED = False
    client = Client()
    response = _sign_in(client, "signer", PASSWORD)
    assert response.status_code == 302
    assert _session_user_id(client) == str(worker.pk)


def test_sign_in_is_audited(settings, worker):
    settings.OTP_REQUIRED = False
    _sign_in(Client(), "signer", PASSWORD)
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.actor == worker
    assert entry.ip_address == "127.0.0.1"


def test_wrong_password_fails(settings, worker):
    settings.OTP_REQUIRED = False
    client = Client()
    response = _sign_in(client, "signer", WRONG_PASSWORD)
    assert response.status_code == 400
    assert _session_user_id(client) is None


def test_optional_code_may_be_left_out(settings, worker, device):
    settings.OTP_REQUIRED = False
    client = Client()
    response = _sign_in(client, "signer", PASSWORD)
    assert response.status_code == 302
    assert _session_user_id(client) == str(worker.pk)


def test_optional_code_must_be_right_if_given(settings, worker, device):
    settings.OTP_REQUIRED = False
    client = Client()
    response = _sign_in(client, "signer", PASSWORD, "000000")
    assert response.status_code == 400
    assert _session_user_id(client) is None


def test_success_keeps_address_failure_count(settings, worker, users):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    settings.OTP_REQUIRED = False
    for _ in range(2):
        _sign_in(Client(), "outsider", WRONG_PASSWORD)
    _sign_in(Client(), "signer", PASSWORD)
    _sign_in(Client(), "street", WRONG_PASSWORD)
    client = Client()
    response = _sign_in(client, "signer", PASSWORD)
    assert response.status_code == 400
    assert _session_user_id(client) is None


def test_lock_message_states_configured_minutes(settings, worker):
    settings.LOGIN_FAILURE_LIMIT = 1
    settings.LOGIN_LOCKOUT_SECONDS = 120
    _sign_in(Client(), "signer", WRONG_PASSWORD)
    response = Client().post(
        SIGN_IN_URL,
        {"username": "signer", "password": PASSWORD, "otp_token": ""},
        headers={"accept-language": "en"},
    )
    assert "Wait 2 minutes" in response.content.decode()


# The TOTP second factor


def test_otp_required_rejects_missing_code(settings, worker, device):
    settings.OTP_REQUIRED = True
    client = Client()
    response = _sign_in(client, "signer", PASSWORD)
    assert response.status_code == 400
    assert _session_user_id(client) is None


def test_otp_required_rejects_wrong_code(settings, worker, device):
    settings.OTP_REQUIRED = True
    client = Client()
    response = _sign_in(client, "signer", PASSWORD, _wrong_code(device))
    assert response.status_code == 400
    assert _session_user_id(client) is None


def test_otp_required_without_device_fails(settings, worker):
    settings.OTP_REQUIRED = True
    client = Client()
    response = _sign_in(client, "signer", PASSWORD, "123456")
    assert response.status_code == 400
    assert _session_user_id(client) is None


def test_otp_required_accepts_right_code(settings, worker, device):
    settings.OTP_REQUIRED = True
    client = Client()
    response = _sign_in(client, "signer", PASSWORD, _code(device))
    assert response.status_code == 302
    assert _session_user_id(client) == str(worker.pk)


def test_verified_session_reaches_registry(settings, worker, device):
    settings.OTP_REQUIRED = True
    client = Client()
    _sign_in(client, "signer", PASSWORD, _code(device))
    assert client.get(API_LIST_URL).status_code == 200


def test_code_with_spaces_accepted(settings, worker, device):
    settings.OTP_REQUIRED = True
    code = _code(device)
    response = _sign_in(Client(), "signer", PASSWORD, f"{code[:3]} {code[3:]}")
    assert response.status_code == 302


def test_code_cannot_be_replayed(settings, worker, device):
    settings.OTP_REQUIRED = True
    code = _code(device)
    _sign_in(Client(), "signer", PASSWORD, code)
    response = _sign_in(Client(), "signer", PASSWORD, code)
    assert response.status_code == 400


def test_resident_needs_no_code(settings, household):
    settings.OTP_REQUIRED = True
    person = household.memberships.first().person
    make_user("resident", Role.RESIDENT, None, password=PASSWORD, person=person)
    response = _sign_in(Client(), "resident", PASSWORD)
    assert response.status_code == 302


# The middleware


def test_middleware_logs_out_unverified_staff(settings, users):
    settings.OTP_REQUIRED = True
    client = Client()
    client.force_login(users["owner"])
    response = client.get(reverse("registry:household_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:login")
    assert _session_user_id(client) is None


def test_middleware_answers_api_with_401(settings, users):
    settings.OTP_REQUIRED = True
    client = Client()
    client.force_login(users["owner"])
    response = client.get(API_LIST_URL)
    assert response.status_code == 401
    assert "detail" in response.json()
    assert _session_user_id(client) is None


def test_middleware_ignores_when_not_required(settings, users):
    settings.OTP_REQUIRED = False
    client = Client()
    client.force_login(users["owner"])
    assert client.get(API_LIST_URL).status_code == 200


# Lockout after repeated failures


def _fail(times: int) -> None:
    for _ in range(times):
        _sign_in(Client(), "signer", WRONG_PASSWORD)


def test_lockout_rejects_right_password(settings, worker):
    settings.OTP_REQUIRED = False
    _fail(settings.LOGIN_FAILURE_LIMIT)
    client = Client()
    response = _sign_in(client, "signer", PASSWORD)
    assert response.status_code == 400
    assert _session_user_id(client) is None


def test_below_limit_not_locked(settings, worker):
    settings.OTP_REQUIRED = False
    _fail(settings.LOGIN_FAILURE_LIMIT - 1)
    assert _sign_in(Client(), "signer", PASSWORD).status_code == 302


def test_lockout_ignores_name_case(settings, worker):
    settings.OTP_REQUIRED = False
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _sign_in(Client(REMOTE_ADDR="192.0.2.10"), "SIGNER", WRONG_PASSWORD)
    response = _sign_in(Client(REMOTE_ADDR="192.0.2.11"), "signer", PASSWORD)
    assert response.status_code == 400


def test_lockout_by_address(settings, worker):
    settings.OTP_REQUIRED = False
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for number in range(8):
        _sign_in(Client(REMOTE_ADDR="192.0.2.20"), f"guess{number}", WRONG_PASSWORD)
    response = _sign_in(Client(REMOTE_ADDR="192.0.2.20"), "signer", PASSWORD)
    assert response.status_code == 400


def test_one_accounts_failures_leave_others_open(settings, worker):
    # An office behind one address: one person's typing errors lock only
    # that person's account.
    settings.OTP_REQUIRED = False
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _sign_in(Client(REMOTE_ADDR="192.0.2.40"), "someone", WRONG_PASSWORD)
    response = _sign_in(Client(REMOTE_ADDR="192.0.2.40"), "signer", PASSWORD)
    assert response.status_code == 302


def test_locked_attempt_is_audited(settings, worker):
    settings.OTP_REQUIRED = False
    _fail(settings.LOGIN_FAILURE_LIMIT)
    _sign_in(Client(), "signer", PASSWORD)
    locked = AuditEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED, detail__reason="locked"
    )
    assert locked.count() == 1


def test_lockout_outlasts_cache_default_timeout(settings, tmp_path):
    # The file cache's incr rewrites the value with the cache's default
    # timeout, but the lockout must still last LOGIN_LOCKOUT_SECONDS.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
            "TIMEOUT": 1,
        }
    }
    settings.LOGIN_LOCKOUT_SECONDS = 60
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        throttle.record_failure("signer", "192.0.2.30")
    time.sleep(1.5)
    assert throttle.is_locked("signer", None)


# Audit entries of failures


def test_unknown_account_failure_is_audited(settings, db):
    settings.OTP_REQUIRED = False
    _sign_in(Client(), UNKNOWN_NAME, WRONG_PASSWORD)
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.object_id == ""
    assert entry.ip_address == "127.0.0.1"


def test_unknown_account_name_not_stored(settings, db):
    settings.OTP_REQUIRED = False
    _sign_in(Client(), UNKNOWN_NAME, WRONG_PASSWORD)
    text = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).exists()
    assert UNKNOWN_NAME not in text


def test_known_account_failure_names_id(settings, worker):
    settings.OTP_REQUIRED = False
    _sign_in(Client(), "signer", WRONG_PASSWORD)
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.object_id == str(worker.pk)


def test_failure_stores_no_password(settings, worker):
    settings.OTP_REQUIRED = False
    _sign_in(Client(), "signer", WRONG_PASSWORD)
    text = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert WRONG_PASSWORD not in text


# Redirect after sign-in


@pytest.mark.parametrize(
    "target", ["http://evil.example/", "//evil.example/", "https://evil.example/x"]
)
def test_external_next_not_followed(settings, worker, target):
    settings.OTP_REQUIRED = False
    response = _sign_in(Client(), "signer", PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_external_next_in_query_not_followed(settings, worker):
    settings.OTP_REQUIRED = False
    response = Client().post(
        f"{SIGN_IN_URL}?next=http://evil.example/",
        {"username": "signer", "password": PASSWORD},
    )
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_local_next_followed(settings, worker):
    settings.OTP_REQUIRED = False
    response = _sign_in(Client(), "signer", PASSWORD, next_url="/registry/households/")
    assert response["Location"] == "/registry/households/"


# The Django admin's own login form


def test_admin_login_redirects_to_sign_in(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN_URL)


def test_admin_login_post_does_not_sign_in(settings, worker):
    settings.OTP_REQUIRED = False
    worker.is_staff = True
    worker.save(update_fields=["is_staff"])
    client = Client()
    client.post("/admin/login/", {"username": "signer", "password": PASSWORD})
    assert _session_user_id(client) is None
