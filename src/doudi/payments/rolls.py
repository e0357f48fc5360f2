"""Compute and sign the monthly payment roll of a district.

A roll is computed by two set-based INSERT … SELECT statements: one line per
award in payment that month, and one retry line per failed or held line of
an earlier roll that may be paid again. Nothing is saved row by row, so a
district of 50,000 awards is computed in well under a second.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.assessments.models import Scheme
from doudi.payments import months
from doudi.payments.models import PaymentLine, PaymentRoll, RollStatus
from doudi.payments.params import prorate_rule
from doudi.payments.permissions import DECIDING_ROLES, require_district_role
from doudi.payments.prorate import Rule
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

LINE_COLUMNS: Final = (
    "roll_id, award_id, period, scheme, amount_fen, days_paid, retry_of_id, "
    "status, reason_code, bank_reference, settled_at, needs_person"
)
# A line of an award with no bank account on record is held, and waits for
# a person to record one.
HELD_OR_PENDING: Final = (
    "CASE WHEN a.payee IS NULL THEN 'held' ELSE 'pending' END, '', '', "
    "NULL, CASE WHEN a.payee IS NULL THEN TRUE ELSE FALSE END"
)


class RollLocked(ValidationError):
    """The roll is signed, so its lines can no longer change."""


@dataclass(frozen=True)
class SchemeTotal:
    scheme: str
    label: str
    lines: int
    total_fen: int


def compute_roll(
    district_code: str, month: date, *, actor: User | None = None
) -> PaymentRoll:
    """Compute the district's draft roll for `month`, replacing its lines.

    `actor=None` means the monthly cycle. Computing again gives the same
    lines while the awards are unchanged. A signed roll raises RollLocked.
    """
    month = months.month_of(month)
    if actor is not None:
        require_district_role(actor, district_code, DECIDING_ROLES)
    rule = prorate_rule(month, district_code)
    with transaction.atomic():
        roll = _locked_roll(district_code, month)
        if roll.status != RollStatus.DRAFT:
            raise RollLocked(
                _("The roll %(roll)s is %(status)s; a signed roll cannot change.")
                % {"roll": roll.pk, "status": roll.get_status_display()}
            )
        _delete_lines(roll)
        _insert_regular_lines(roll, rule)
        _insert_retry_lines(roll)
        _store_totals(roll, actor)
    _audit_compute(roll, actor, rule)
    return roll


def _locked_roll(district_code: str, month: date) -> PaymentRoll:
    PaymentRoll.objects.get_or_create(district_code=district_code, month=month)
    return PaymentRoll.objects.select_for_update().get(
        district_code=district_code, month=month
    )


def _delete_lines(roll: PaymentRoll) -> None:
    # A draft's lines were never sent, so no other line retries them and one
    # DELETE is safe; Django's delete() would first read every line.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM payments_paymentline WHERE roll_id = %s", [roll.pk])


def _insert_regular_lines(roll: PaymentRoll, rule: Rule) -> None:
    month_days = months.days_in_month(roll.month)
    days, amount = _day_sql(roll.month, month_days, rule)
    sql = f"""
        INSERT INTO payments_paymentline ({LINE_COLUMNS})
        SELECT %s, a.id, %s, a.scheme, {amount}, {days}, NULL, {HELD_OR_PENDING}
        FROM payments_award a
        WHERE a.district_code = %s
          AND a.start_month <= %s
          AND (a.end_month IS NULL OR a.end_month >= %s)
          AND (a.status IN ('active', 'gradual_exit')
               OR (a.status = 'terminated' AND a.end_month IS NOT NULL))
          AND NOT EXISTS (
              SELECT 1 FROM payments_paymentline l
              WHERE l.award_id = a.id AND l.period = %s AND l.retry_of_id IS NULL)
        ORDER BY a.id
    """  # noqa: S608 - the f-string inserts only constants and SQL built from dates
    month = roll.month
    params: list[int | str | date] = [
        roll.pk,
        month,
        roll.district_code,
        month,
        month,
        month,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _day_sql(month: date, month_days: int, rule: Rule) -> tuple[str, str]:
    """Return SQL for the days paid and the amount, matching `prorate`."""
    total = "(a.amount_fen + a.addons_fen)"
    if rule is Rule.WHOLE_MONTHS:
        return str(month_days), total
    start, end = _day_of("a.starts_on"), _day_of("a.ends_on")
    first = f"(CASE WHEN a.start_month = '{month.isoformat()}' THEN {start} ELSE 1 END)"
    last = (
        f"(CASE WHEN a.end_month = '{month.isoformat()}' AND a.ends_on IS NOT NULL "
        f"THEN {end} ELSE {month_days} END)"
    )
    days = f"({last} - {first} + 1)"
    amount = f"((2 * {total} * {days} + {month_days}) / (2 * {month_days}))"
    return days, amount


def _day_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(DAY FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%%d', {column}) AS INTEGER)"


def _insert_retry_lines(roll: PaymentRoll) -> None:
    """Add a line for every failed or held line that may be paid again.

    A line waits instead when it needs a person (see `reconcile`), when it
    has been retried already, or when its award was paid for that month.
    """
    sql = f"""
        INSERT INTO payments_paymentline ({LINE_COLUMNS})
        SELECT %s, f.award_id, f.period, f.scheme, f.amount_fen, f.days_paid, f.id,
               {HELD_OR_PENDING}
        FROM payments_paymentline f
        JOIN payments_paymentroll r ON r.id = f.roll_id
        JOIN payments_award a ON a.id = f.award_id
        WHERE r.district_code = %s
          AND r.month < %s
          AND r.status <> 'draft'
          AND f.status IN ('failed', 'held')
          AND f.needs_person = FALSE
          AND NOT EXISTS (
              SELECT 1 FROM payments_paymentline x WHERE x.retry_of_id = f.id)
          AND NOT EXISTS (
              SELECT 1 FROM payments_paymentline p
              WHERE p.award_id = f.award_id AND p.period = f.period
                AND p.status = 'paid')
        ORDER BY f.id
    """  # noqa: S608 - the f-string inserts only the column list constants
    with connection.cursor() as cursor:
        cursor.execute(sql, [roll.pk, roll.district_code, roll.month])


def _store_totals(roll: PaymentRoll, actor: User | None) -> None:
    totals = roll.lines.aggregate(count=Count("pk"), total=Sum("amount_fen"))
    roll.line_count = totals["count"]
    roll.total_fen = totals["total"] or 0
    roll.computed_at, roll.computed_by = timezone.now(), actor
    roll.version += 1
    roll.save()


def _audit_compute(roll: PaymentRoll, actor: User | None, rule: Rule) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.BATCH if actor is None else AuditAction.UPDATE,
        object_type="payments.roll",
        object_id=roll.pk,
        purpose=Purpose.SYSTEM if actor is None else Purpose.CASE_WORK,
        record_count=roll.line_count,
        detail={"step": "compute", "total_fen": roll.total_fen, "rule": rule.value},
    )
    logger.info(
        "roll %s computed: %d lines, %d fen", roll.pk, roll.line_count, roll.total_fen
    )


def sign_roll(roll: PaymentRoll, *, actor: User, version: int) -> PaymentRoll:
    """Sign a draft roll as computed at `version`, after which it cannot change.

    The signer must not be the person who computed it. A roll computed
    again since the signer opened it (a newer version) is not signed.
    Signing a roll already signed by the same approver changes nothing.
    """
    require_district_role(actor, roll.district_code, DECIDING_ROLES)
    with transaction.atomic():
        locked = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
        if locked.status != RollStatus.DRAFT and locked.signed_by_id == actor.pk:
            return locked
        _check_signable(locked, actor, version)
        locked.status, locked.signed_by, locked.signed_at = (
            RollStatus.SIGNED,
            actor,
            timezone.now(),
        )
        locked.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="payments.roll",
        object_id=locked.pk,
        purpose=Purpose.CASE_WORK,
        record_count=locked.line_count,
        detail={"step": "sign", "total_fen": locked.total_fen},
    )
    return locked


def _check_signable(roll: PaymentRoll, actor: User, version: int) -> None:
    if roll.status != RollStatus.DRAFT:
        raise RollLocked(
            _("The roll is already %(status)s.") % {"status": roll.get_status_display()}
        )
    if roll.computed_at is None:
        raise ValidationError(_("Compute the roll before signing it."))
    if roll.computed_by_id == actor.pk:
        raise PermissionDenied(
            _("You computed this roll, so another district approver must sign it.")
        )
    if roll.version != version:
        raise ValidationError(
            _(
                "The roll was computed again since you opened it; "
                "check it and sign again."
            )
        )


def scheme_totals(roll: PaymentRoll) -> list[SchemeTotal]:
    rows = (
        PaymentLine.objects.filter(roll=roll)
        .values("scheme")
        .annotate(lines=Count("pk"), total=Sum("amount_fen"))
        .order_by("scheme")
    )
    return [
        SchemeTotal(
            row["scheme"], str(Scheme(row["scheme"]).label), row["lines"], row["total"]
        )
        for row in rows
    ]
