"""Mainland China mobile numbers, normalised to +86 and eleven digits."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Characters people type between digit groups: spaces, dashes, dots, brackets.
_SEPARATORS: Final = re.compile(r"[\s\-‐‑‒–—.()]")
# A mainland mobile number: 1, then 3 to 9, then nine digits.
_MOBILE: Final = re.compile(r"1[3-9]\d{9}")
_PREFIXES: Final = ("+86", "0086")


def normalize(raw: str) -> str:
    """Return the number as +86 and 11 digits, or raise ValidationError.

    Full-width digits are read as ASCII digits, and +86 or 0086 in front and
    spaces, dashes, dots or brackets between digits are allowed.
    """
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if not _MOBILE.fullmatch(text):
        raise ValidationError(_invalid_message(raw), code="invalid_phone")
    return "+86" + text


def _invalid_message(raw: str) -> str:
    if not raw.strip():
        return _("The phone number is missing: enter your 11-digit mobile number.")
    return _(
        "“%(value)s” is not a mainland mobile number: enter the 11 digits "
        "that start with 1, for example 138 0013 8000."
    ) % {"value": raw.strip()[:32]}


def mask(normalized: str) -> str:
    """Return the number with its middle four digits hidden: 138****8000."""
    digits = normalized.removeprefix("+86")
    return f"{digits[:3]}****{digits[-4:]}"
