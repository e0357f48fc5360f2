"""Reads for the payment pages, each narrowed to the reader's region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from doudi.payments.models import (
    Award,
    LineStatus,
    PaymentLine,
    PaymentRoll,
    ResultsImport,
)
from doudi.payments.permissions import READING_ROLES
from doudi.payments.reconcile import CONFLICT_LABELS
from doudi.privacy import audit
from doudi.privacy.access import AnyUser, scope_households, scope_regions
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User
from doudi.registry.choices import RegionLevel
from doudi.registry.models import Household, Region

# Rolls are the district's business: its approvers sign them, and the city
# administrator reads them city-wide.
ROLL_READERS: Final = frozenset({Role.DISTRICT_APPROVER, Role.CITY_ADMIN})


def can_read_rolls(user: AnyUser) -> bool:
    return isinstance(user, User) and user.is_active and user.role in ROLL_READERS


def district_codes(user: User) -> list[str]:
    """Return the codes of the districts inside the user's region."""
    districts = Region.objects.filter(level=RegionLevel.DISTRICT)
    return list(scope_regions(districts, user).values_list("code", flat=True))


def rolls_for(user: User) -> QuerySet[PaymentRoll]:
    if not can_read_rolls(user):
        raise PermissionDenied(_("Only district approvers read payment rolls."))
    names = Region.objects.filter(code=OuterRef("district_code")).values("name")
    return PaymentRoll.objects.filter(district_code__in=district_codes(user)).annotate(
        district_name=Subquery(names[:1])
    )


def open_roll(user: User, pk: int, request: HttpRequest | None = None) -> PaymentRoll:
    """Return a roll in the user's districts and audit the read."""
    roll = get_object_or_404(rolls_for(user), pk=pk)
    audit.record(
        actor=user,
        action=AuditAction.READ,
        object_type="payments.roll",
        object_id=roll.pk,
        purpose=Purpose.CASE_WORK,
        request=request,
    )
    return roll


def roll_lines(roll: PaymentRoll) -> QuerySet[PaymentLine]:
    return (
        roll.lines.select_related("award")
        .only(
            "pk",
            "award_id",
            "period",
            "scheme",
            "amount_fen",
            "days_paid",
            "retry_of_id",
            "status",
            "reason_code",
            "needs_person",
            "award__household_id",
            "award__bank_account_last4",
        )
        .order_by("pk")
    )


@dataclass(frozen=True)
class ImportRow:
    record: ResultsImport
    conflicts: list[tuple[int, str]]  # line id and the conflict's label


@dataclass(frozen=True)
class Reconciliation:
    imports: list[ImportRow]
    sent: int
    paid: int
    failed: int
    held: int
    waiting: list[PaymentLine]


def reconciliation(roll: PaymentRoll) -> Reconciliation:
    """Summarise the bank results of a roll, with the lines that need a person."""
    counts = dict.fromkeys(LineStatus.values, 0)
    for status in roll.lines.values_list("status", flat=True).order_by():
        counts[status] += 1
    waiting = list(
        roll_lines(roll).filter(
            status__in=[LineStatus.FAILED, LineStatus.HELD], needs_person=True
        )[:200]
    )
    return Reconciliation(
        imports=[_import_row(item) for item in roll.imports.order_by("-imported_at")],
        sent=counts[LineStatus.PENDING] if roll.exported_at else 0,
        paid=counts[LineStatus.PAID],
        failed=counts[LineStatus.FAILED],
        held=counts[LineStatus.HELD],
        waiting=waiting,
    )


def _import_row(record: ResultsImport) -> ImportRow:
    conflicts = [
        (item["line_id"], str(CONFLICT_LABELS.get(item["problem"], item["problem"])))
        for item in record.conflicts
    ]
    return ImportRow(record, conflicts)


def awards_for_household(user: User, household_id: int) -> list[Award]:
    """Return the household's awards, newest first, if the user may read them."""
    if not (user.is_active and user.role in READING_ROLES):
        return []
    household = Household.objects.filter(pk=household_id)
    if not scope_households(household, user).exists():
        return []
    return list(
        Award.objects.filter(household_id=household_id).order_by("-start_month", "-pk")
    )
