"""Create staff accounts and enrol their TOTP devices, for operators."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User
from doudi.registry.models import Region


class StaffError(ValueError):
    """A staff account cannot be created or changed as asked."""


@dataclass(frozen=True)
class Enrolment:
    username: str
    secret: str
    uri: str


def _enrolment(user: User, device: TOTPDevice) -> Enrolment:
    secret = base64.b32encode(device.bin_key).decode()
    issuer = quote(settings.OTP_TOTP_ISSUER)
    label = quote(f"{settings.OTP_TOTP_ISSUER}:{user.get_username()}")
    uri = f"otpauth://totp/{label}?secret={secret}&issuer={issuer}&digits=6&period=30"
    return Enrolment(user.get_username(), secret, uri)


@transaction.atomic
def add_staff(username: str, role: Role, region_code: str, password: str) -> Enrolment:
    """Create a staff account bound to a region, with a new TOTP device."""
    if role == Role.RESIDENT:
        raise StaffError("residents are not staff: choose a staff role")
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise StaffError(f"no region with division code {region_code!r}")
    if User.objects.filter(username=username).exists():
        raise StaffError(f"user {username!r} already exists")
    user = User(username=username, role=role, region=region, is_staff=True)
    try:
        validate_password(password, user)
    except Exception as exc:
        raise StaffError(
            f"password rejected: {' '.join(getattr(exc, 'messages', [str(exc)]))}"
        ) from None
    user.set_password(password)
    user.save()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    audit.record(
        actor=None,
        action=AuditAction.CREATE,
        object_type="privacy.user",
        object_id=user.pk,
        purpose=Purpose.SYSTEM,
        detail={"role": role.value, "region": region.code},
    )
    return _enrolment(user, device)


@transaction.atomic
def reset_totp(username: str) -> Enrolment:
    """Replace a staff member's TOTP devices with a new one (a lost phone)."""
    user = User.objects.filter(username=username).first()
    if user is None or user.role == Role.RESIDENT:
        raise StaffError(f"no staff user {username!r}")
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    audit.record(
        actor=None,
        action=AuditAction.UPDATE,
        object_type="privacy.user",
        object_id=user.pk,
        purpose=Purpose.SYSTEM,
        detail={"fields": ["totp"]},
    )
    return _enrolment(user, device)
