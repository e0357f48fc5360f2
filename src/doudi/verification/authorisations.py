"""Authorisation checks: the persons and kinds of records checkable on a day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

import polars as pl
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from doudi.exchange.kinds import AUTHORISED_KINDS, FeedKind
from doudi.privacy.masking import mask_name
from doudi.registry.models import Household, Membership, Person
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


def authorised_person_frame(kind: str, on: date) -> pl.DataFrame:
    """Return the persons of authorised_person_ids as a frame with `person_id`.

    One SQL query filters the kinds inside the database, so a city with
    hundreds of thousands of authorisations is read as one column of ids.
    """
    quote = connection.ops.quote_name
    members = quote(Authorisation.members.through._meta.db_table)
    authorisations = quote(Authorisation._meta.db_table)
    if connection.vendor == "postgresql":
        covers = "a.data_kinds @> jsonb_build_array(%s::text)"
    else:
        covers = "EXISTS (SELECT 1 FROM json_each(a.data_kinds) k WHERE k.value = %s)"
    sql = (
        f"SELECT DISTINCT m.person_id FROM {members} m "  # noqa: S608
        f"JOIN {authorisations} a ON a.id = m.authorisation_id "
        "WHERE a.signed_on <= %s AND a.valid_until >= %s "
        f"AND a.revoked_at IS NULL AND {covers}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [on, on, kind])
        ids = [row[0] for row in cursor.fetchall()]
    return pl.DataFrame({"person_id": ids}, schema={"person_id": pl.Int64})


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


# The kinds a verification reads that need the household's authorisation.
# Monitoring kinds (unemployment, medical claims, schooling) need none.
NEEDED_KINDS: Final = tuple(sorted(AUTHORISED_KINDS))


def member_ids(household_id: int, on: date) -> list[int]:
    """Return the persons who are members of the household on `on`."""
    return list(
        Membership.objects.filter(household_id=household_id, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )


def refusal_reason(household: Household, on: date) -> str | None:
    """Return why the household cannot be verified on `on`, or None if it can.

    It can when every member on that day is listed in an authorisation
    valid that day that covers all NEEDED_KINDS.
    """
    members = member_ids(household.pk, on)
    if not members:
        return _("Household %(pk)s has no members on %(day)s.") % {
            "pk": household.pk,
            "day": on.isoformat(),
        }
    valid = list(
        household.authorisations.filter(
            signed_on__lte=on, valid_until__gte=on, revoked_at__isnull=True
        )
    )
    if not valid:
        return _no_valid_authorisation(household, on)
    covering_now = covering(household.pk, NEEDED_KINDS, on)
    if not covering_now:
        return _missing_kinds(valid, on)
    covered = set(
        Authorisation.members.through.objects.filter(
            authorisation_id__in=[item.pk for item in covering_now]
        ).values_list("person_id", flat=True)
    )
    uncovered = [pk for pk in members if pk not in covered]
    if uncovered:
        return _uncovered_members(household, uncovered)
    return None


def _no_valid_authorisation(household: Household, on: date) -> str:
    latest = household.authorisations.order_by("-signed_on", "-pk").first()
    values = {"pk": household.pk, "day": on.isoformat()}
    if latest is None:
        return (
            _(
                "Household %(pk)s has no signed authorisation. Record the "
                "household's signed authorisation before verifying."
            )
            % values
        )
    if latest.revoked_at is not None:
        message = _(
            "Household %(pk)s has no authorisation valid on %(day)s: the last one "
            "was revoked on %(revoked)s. Record a new signed authorisation."
        )
        revoked = timezone.localdate(latest.revoked_at).isoformat()
        return message % {**values, "revoked": revoked}
    if latest.valid_until < on:
        message = _(
            "Household %(pk)s has no authorisation valid on %(day)s: the last one "
            "expired on %(until)s. Record a new signed authorisation."
        )
        return message % {**values, "until": latest.valid_until.isoformat()}
    message = _(
        "Household %(pk)s has no authorisation valid on %(day)s: the household "
        "signed on %(signed)s, after that day."
    )
    return message % {**values, "signed": latest.signed_on.isoformat()}


def _missing_kinds(valid: list[Authorisation], on: date) -> str:
    widest = max(valid, key=lambda item: len(set(item.data_kinds) & AUTHORISED_KINDS))
    missing = [kind for kind in NEEDED_KINDS if kind not in widest.data_kinds]
    labels = ", ".join(str(FeedKind(kind).label) for kind in missing)
    return _(
        "No authorisation valid on %(day)s covers these kinds of records: "
        "%(kinds)s. Record an authorisation that includes them."
    ) % {"day": on.isoformat(), "kinds": labels}


def _uncovered_members(household: Household, uncovered: list[int]) -> str:
    names = Person.objects.filter(pk__in=uncovered).order_by("pk")
    masked = ", ".join(mask_name(str(person.name)) for person in names)
    message = ngettext(
        "The authorisation does not cover %(count)d member of household "
        "%(pk)s: %(names)s. Record an authorisation signed for them.",
        "The authorisation does not cover %(count)d members of household "
        "%(pk)s: %(names)s. Record an authorisation signed for them.",
        len(uncovered),
    )
    return message % {"count": len(uncovered), "pk": household.pk, "names": masked}
