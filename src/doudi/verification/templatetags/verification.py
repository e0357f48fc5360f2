"""Template filters that let other apps' pages link to verification."""

from __future__ import annotations

from django import template

from doudi.privacy.access import AnyUser
from doudi.verification.queries import can_read_reports

register = template.Library()


@register.filter
def can_verify(user: AnyUser) -> bool:
    """Return whether the user may open verification pages (region scope aside)."""
    return can_read_reports(user)
