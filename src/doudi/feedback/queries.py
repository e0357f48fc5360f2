"""Average ratings per scheme and per service, for staff."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.db.models import Avg, Count, QuerySet

from doudi.assessments.models import Scheme
from doudi.feedback.models import Feedback
from doudi.privacy.choices import Role
from doudi.privacy.models import User

# Staff who read the ratings of their region; no row names a person.
READER_ROLES: Final = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.STREET_REVIEWER,
        Role.DISTRICT_APPROVER,
        Role.CITY_ADMIN,
        Role.ANALYST,
    }
)


@dataclass(frozen=True)
class RatingRow:
    name: str
    ratings: int
    average: Decimal
    complaints: int


def may_read(user: User) -> bool:
    return user.is_active and user.role in READER_ROLES and user.region is not None


def _in_scope(user: User) -> QuerySet[Feedback]:
    assert user.region is not None
    return Feedback.objects.filter(region_path__startswith=user.region.path)


def _average(value: float | None) -> Decimal:
    exact = Decimal(str(value or 0))
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def by_scheme(user: User) -> list[RatingRow]:
    """Return the ratings of awards and decided applications, per scheme."""
    rows = (
        _in_scope(user)
        .exclude(scheme="")
        .values("scheme")
        .annotate(
            ratings=Count("pk"), average=Avg("rating"), complaints=Count("complaint")
        )
        .order_by("scheme")
    )
    return [
        RatingRow(
            str(Scheme(row["scheme"]).label),
            row["ratings"],
            _average(row["average"]),
            row["complaints"],
        )
        for row in rows
    ]


def by_service(user: User) -> list[RatingRow]:
    """Return the ratings of catalogue services, per service."""
    rows = (
        _in_scope(user)
        .filter(service__isnull=False)
        .values("service_id", "service__name")
        .annotate(
            ratings=Count("pk"), average=Avg("rating"), complaints=Count("complaint")
        )
        .order_by("service__name", "service_id")
    )
    return [
        RatingRow(
            row["service__name"],
            row["ratings"],
            _average(row["average"]),
            row["complaints"],
        )
        for row in rows
    ]
