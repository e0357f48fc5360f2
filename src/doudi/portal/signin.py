"""Sign-in with a phone number and a one-time code sent by SMS.

Every well-formed number gets a code, whether or not it has an account or a
household, and every step responds the same way for all numbers, so the
sign-in pages cannot tell anyone whether a number is registered. Codes are
stored as a keyed hash, and the log names only the SMS message id.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import timedelta
from typing import Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.notifications.outbound import send_sms
from doudi.portal import phone as phones
from doudi.portal import ratelimit
from doudi.portal.limits import limit
from doudi.portal.models import PortalAccount, SignInCode
from doudi.privacy import audit
from doudi.privacy.audit import client_ip
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.keys import keyring

logger = logging.getLogger(__name__)

CODE_DIGITS: Final = 6
SMS_TEMPLATE: Final = "portal_sign_in_code"
HOUR: Final = 3600


class Throttled(ValidationError):
    """Too many codes or wrong entries; the message states how long to wait."""


def phone_index(normalized: str) -> str:
    return keyring().blind_index(normalized, domain="portal.phone")


def _code_hash(index: str, code: str) -> str:
    return keyring().blind_index(f"{index}:{code}", domain="portal.sign_in_code")


def _throttled() -> Throttled:
    return Throttled(
        _("Too many attempts. Wait an hour, then ask for a new code."),
        code="throttled",
    )


def request_code(raw_phone: str, request: HttpRequest | None = None) -> str:
    """Send a new code to the number; return the normalised number.

    Raises ValidationError for a malformed number and Throttled when the
    number or the client address asked for too many codes this hour.
    """
    normalized = phones.normalize(raw_phone)
    index = phone_index(normalized)
    address = client_ip(request) or "unknown"
    per_phone = ratelimit.hit(
        "code-phone",
        index,
        limit=limit("PORTAL_CODES_PER_PHONE_HOUR"),
        window_seconds=HOUR,
    )
    per_address = ratelimit.hit(
        "code-address",
        address,
        limit=limit("PORTAL_CODES_PER_ADDRESS_HOUR"),
        window_seconds=HOUR,
    )
    if not (per_phone and per_address):
        logger.warning("sign-in code rejected: too many requests this hour")
        raise _throttled()
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    _store_code(index, code, send_sms(normalized, SMS_TEMPLATE, {"code": code}))
    return normalized


def _store_code(index: str, code: str, message_id: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        # A new code replaces the earlier ones of the number.
        SignInCode.objects.filter(phone_index=index, used_at=None).update(used_at=now)
        SignInCode.objects.create(
            phone_index=index,
            code_hash=_code_hash(index, code),
            created_at=now,
            expires_at=now + timedelta(seconds=limit("PORTAL_CODE_SECONDS")),
            message_id=message_id,
        )
    logger.info("sign-in code sent as sms %s", message_id)


def verify_code(
    normalized: str, code: str, request: HttpRequest | None = None
) -> PortalAccount:
    """Return the number's account (created on first sign-in) if the code is right.

    Raises ValidationError for a wrong, used or expired code, and Throttled
    after too many wrong codes for the number or from the client address.
    """
    index = phone_index(normalized)
    address = client_ip(request) or "unknown"
    if _failures_exceeded(index, address):
        raise _throttled()
    if not _consume(index, code.strip()):
        _record_failure(index, address, request)
        raise ValidationError(
            _(
                "The code is wrong or has expired. "
                "Check the message, or ask for a new code."
            ),
            code="wrong_code",
        )
    return _account_for(normalized, index, request)


def _failures_exceeded(index: str, address: str) -> bool:
    phone_limit = limit("PORTAL_CODE_FAILURES_PER_PHONE_HOUR")
    address_limit = limit("PORTAL_CODE_FAILURES_PER_ADDRESS_HOUR")
    return ratelimit.exceeded(
        "code-fail-phone", index, limit=phone_limit, window_seconds=HOUR
    ) or ratelimit.exceeded(
        "code-fail-address", address, limit=address_limit, window_seconds=HOUR
    )


def _consume(index: str, code: str) -> bool:
    now = timezone.now()
    expected = _code_hash(index, code)
    with transaction.atomic():
        current = (
            SignInCode.objects.select_for_update()
            .filter(phone_index=index, used_at=None, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if current is None:
            return False
        if hmac.compare_digest(current.code_hash, expected):
            current.used_at = now
            current.save(update_fields=["used_at"])
            return True
        current.failed_attempts += 1
        if current.failed_attempts >= limit("PORTAL_CODE_ATTEMPTS"):
            current.used_at = now
        current.save(update_fields=["failed_attempts", "used_at"])
        return False


def _record_failure(index: str, address: str, request: HttpRequest | None) -> None:
    ratelimit.hit("code-fail-phone", index, limit=1 << 30, window_seconds=HOUR)
    ratelimit.hit("code-fail-address", address, limit=1 << 30, window_seconds=HOUR)
    audit.record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="portal.account",
        purpose=Purpose.OWN_RECORD,
        request=request,
    )


def _account_for(
    normalized: str, index: str, request: HttpRequest | None
) -> PortalAccount:
    account = PortalAccount.objects.filter(phone_index=index).first()
    if account is None:
        try:
            with transaction.atomic():
                account = PortalAccount.objects.create(
                    phone=normalized, phone_index=index
                )
        except IntegrityError:
            account = PortalAccount.objects.get(phone_index=index)
    account.last_signed_in_at = timezone.now()
    account.save(update_fields=["last_signed_in_at"])
    audit.record(
        actor=account.user,
        action=AuditAction.LOGIN,
        object_type="portal.account",
        object_id=account.pk,
        purpose=Purpose.OWN_RECORD,
        request=request,
    )
    return account
