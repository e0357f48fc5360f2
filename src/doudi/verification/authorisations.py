"""Who may be checked, for which kinds of records, on a day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from doudi.verification.models import Authorisation


def authorised_person_ids(kind: str, on: date) -> set[int]:
    """Return the persons covered on `on` by a valid authorisation for `kind`."""
    rows = (
        Authorisation.objects.filter(
            signed_on__lte=on, valid_until__gte=on, revoked_at__isnull=True
        )
        .values_list("data_kinds", "members")
        .iterator()
    )
    return {member for kinds, member in rows if member is not None and kind in kinds}


def covering(household_id: int, kinds: Iterable[str], on: date) -> list[Authorisation]:
    """Return the household's authorisations valid on `on` that cover all `kinds`."""
    wanted = set(kinds)
    return [
        item
        for item in Authorisation.objects.filter(
            household_id=household_id,
            signed_on__lte=on,
            valid_until__gte=on,
            revoked_at__isnull=True,
        ).order_by("-signed_on")
        if wanted <= set(item.data_kinds)
    ]
