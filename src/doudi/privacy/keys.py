"""The process-wide field keyring, built once from settings."""

from __future__ import annotations

import base64
import binascii
from functools import cache

from django.conf import settings

from doudi.privacy.crypto import FieldKeyring, KeyConfigError, parse_key_spec


@cache
def keyring() -> FieldKeyring:
    return FieldKeyring(
        keys=parse_key_spec(settings.FIELD_ENCRYPTION_KEYS),
        current_key_id=settings.FIELD_ENCRYPTION_CURRENT_KEY,
        blind_index_key=blind_index_key(),
    )


def blind_index_key() -> bytes:
    try:
        blind_key = base64.b64decode(settings.BLIND_INDEX_KEY, validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(
            "DOUDI_BLIND_INDEX_KEY is not valid base64: set the base64 of 32 "
            "random bytes."
        ) from None
    return blind_key


def reset_keyring() -> None:
    """Forget the cached keyring, after settings changed (tests, rotation)."""
    keyring.cache_clear()
