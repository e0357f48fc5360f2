"""Cycle stages of the registry: integrity checks that later stages rely on."""

from __future__ import annotations

import calendar
from datetime import date

from django.db.models import Count, Q

from doudi.core.cycle import register_stage
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction
from doudi.registry.choices import Relationship
from doudi.registry.models import Household, Person


@register_stage(
    "registry.check",
    order=100,
    description="Count households and persons; find households without a head",
)
def check_registry(month: date) -> dict[str, object]:
    """Count households and members as of the month's last day."""
    month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    member_then = Q(memberships__start_date__lte=month_end) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gt=month_end)
    )
    households = Household.objects.annotate(
        members=Count("memberships", filter=member_then),
        heads=Count(
            "memberships",
            filter=member_then & Q(memberships__relationship=Relationship.HEAD),
        ),
    )
    active = households.filter(members__gt=0)
    headless = active.filter(heads=0).count()
    persons = Person.objects.filter(member_then).distinct().count()
    summary: dict[str, object] = {
        "households": active.count(),
        "persons": persons,
        "headless_households": headless,
        "as_of": month_end.isoformat(),
    }
    audit.record_batch(
        action=AuditAction.BATCH,
        object_type="registry.check",
        record_count=int(str(summary["households"])),
        checksum="",
        detail={"headless": headless, "month": month.isoformat()},
    )
    return summary
