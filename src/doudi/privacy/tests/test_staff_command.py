import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry, User

STRONG = "a-long-Synthetic-passphrase-42"


def _add(*extra: str) -> str:
    out = io.StringIO()
    call_command(
        "staff",
        "add",
        "zhou",
        *extra,
        "--password-stdin",
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def stdin_patch(monkeypatch):
    def patch(text):
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return patch


def test_add_creates_scoped_staff(regions, stdin_patch):
    stdin_patch(STRONG + "\n")
    output = _add("--role", "street_reviewer", "--region", "310101002")
    user = User.objects.get(username="zhou")
    assert user.role == Role.STREET_REVIEWER
    assert user.region == regions["nanjing"]
    assert user.check_password(STRONG)
    assert "otpauth://totp/" in output


def test_add_enrols_confirmed_device(regions, stdin_patch):
    stdin_patch(STRONG + "\n")
    output = _add("--role", "auditor", "--region", "310000")
    uri = output.split("authenticator link: ")[1].strip()
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    device = TOTPDevice.objects.get(user__username="zhou")
    assert device.confirmed
    assert secret in output


def test_add_is_audited(regions, stdin_patch):
    stdin_patch(STRONG + "\n")
    _add("--role", "auditor", "--region", "310000")
    entry = AuditEntry.objects.get(
        object_type="privacy.user", action=AuditAction.CREATE
    )
    assert STRONG not in str(entry.detail)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--role", "auditor", "--region", "999999"), "no region with division code"),
        (("--role", "auditor"), "needs --role and --region"),
    ],
)
def test_add_rejects_bad_input(regions, stdin_patch, args, message):
    stdin_patch(STRONG + "\n")
    with pytest.raises(CommandError, match=message):
        _add(*args)


def test_weak_password_rejected(regions, stdin_patch):
    stdin_patch("123\n")
    with pytest.raises(CommandError, match="password rejected"):
        _add("--role", "auditor", "--region", "310000")
    assert not User.objects.filter(username="zhou").exists()


def test_reset_replaces_device(regions, stdin_patch):
    stdin_patch(STRONG + "\n")
    _add("--role", "auditor", "--region", "310000")
    old = TOTPDevice.objects.get(user__username="zhou").key
    call_command("staff", "reset-totp", "zhou", stdout=io.StringIO())
    assert TOTPDevice.objects.get(user__username="zhou").key != old
