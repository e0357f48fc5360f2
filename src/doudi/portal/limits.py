"""Limits of the portal, each overridable by a setting of the same name."""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, int] = {
    # A code is valid for this many seconds after it is sent.
    "PORTAL_CODE_SECONDS": 300,
    # Wrong entries of one code before it stops working.
    "PORTAL_CODE_ATTEMPTS": 5,
    # Codes sent to one number, and from one client address, per hour.
    "PORTAL_CODES_PER_PHONE_HOUR": 5,
    "PORTAL_CODES_PER_ADDRESS_HOUR": 30,
    # Wrong codes entered for one number, and from one address, per hour.
    "PORTAL_CODE_FAILURES_PER_PHONE_HOUR": 10,
    "PORTAL_CODE_FAILURES_PER_ADDRESS_HOUR": 50,
    # Failed attempts to link a phone by resident ID and name, per account a day.
    "PORTAL_LINK_FAILURES_PER_DAY": 5,
    # Help requests one resident may send per hour, and draft saves per hour.
    "PORTAL_REQUESTS_PER_HOUR": 30,
    "PORTAL_DRAFT_SAVES_PER_HOUR": 1200,
    # Largest document sent with a request, and documents per request.
    "PORTAL_DOCUMENT_MAX_BYTES": 10 * 1024 * 1024,
    "PORTAL_DOCUMENTS_PER_REQUEST": 5,
}


def limit(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))
