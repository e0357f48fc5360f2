"""Counts of the registry by region, with no personal data in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
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
    if not children:
        return []
    # Codes have a fixed width at each level, so every child's path has the
    # same length, and a household's child region is its path's prefix of
    # that length: one grouped query counts all children at once.
    length = len(children[0].path)
    totals = _totals(user.region.path, length, day)
    disabled = _disabled(user.region.path, length, day)
    empty = {"households": 0, "persons": 0, "elderly": 0, "minors": 0}
    return [
        RegionCounts(
            region=region,
            disabled=disabled.get(region.path, 0),
            **totals.get(region.path, empty),
        )
        for region in children
    ]


def _members(parent_path: str) -> QuerySet[Membership]:
    return Membership.objects.filter(
        household__region__path__startswith=parent_path, end_date__isnull=True
    )


def _totals(parent_path: str, length: int, day: date) -> dict[str, dict[str, int]]:
    rows = (
        _members(parent_path)
        .annotate(child=Substr("household__region__path", 1, length))
        .values("child")
        .annotate(
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
    )
    return {row.pop("child"): row for row in rows}


def _disabled(parent_path: str, length: int, day: date) -> dict[str, int]:
    facts = PersonFact.objects.filter(
        kind=FactKind.DISABILITY, valid_from__lte=day
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
    rows = (
        _members(parent_path)
        .filter(person_id__in=facts.values("person_id"))
        .annotate(child=Substr("household__region__path", 1, length))
        .values("child")
        .annotate(disabled=Count("person", distinct=True))
    )
    return {row["child"]: row["disabled"] for row in rows}
