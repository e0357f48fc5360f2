"""Counts of the registry by region, with no personal data in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from doudi.privacy.models import User
from doudi.registry.choices import FactKind
from doudi.registry.models import Membership, PersonFact, Region


@dataclass(frozen=True)
class RegionCounts:
    region: Region
    households: int
    persons: int
    elderly: int
    minors: int
    disabled: int


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def counts_by_child_region(user: User, on: date | None = None) -> list[RegionCounts]:
    """Return the counts of each region directly below the user's region."""
    if user.region is None:
        return []
    day = on or timezone.localdate()
    children = list(Region.objects.filter(parent=user.region).order_by("code"))
    if not children and user.region.level == "community":
        children = [user.region]
    return [_counts(region, day) for region in children]


def _counts(region: Region, day: date) -> RegionCounts:
    members = Membership.objects.filter(
        household__region__path__startswith=region.path, end_date__isnull=True
    )
    totals = members.aggregate(
        households=Count("household", distinct=True),
        persons=Count("person", distinct=True),
        elderly=Count(
            "person",
            distinct=True,
            filter=Q(person__birth_date__lte=_years_before(day, 60)),
        ),
        minors=Count(
            "person",
            distinct=True,
            filter=Q(person__birth_date__gt=_years_before(day, 18)),
        ),
    )
    disabled = (
        PersonFact.objects.filter(
            kind=FactKind.DISABILITY,
            valid_from__lte=day,
            person__in=members.values("person_id"),
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .values("person_id")
        .distinct()
        .count()
    )
    return RegionCounts(region=region, disabled=disabled, **totals)
