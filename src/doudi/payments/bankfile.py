"""The bank file: one CSV row per line of a signed roll that can be paid.

The layout is documented in docs/payments.md. The account holder and
account number are decrypted only here, into the returned bytes. They are
never logged, and the file is not stored. Every export, the first and each
download again, is audited with the file's SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.payments.models import (
    LineStatus,
    PaymentLine,
    PaymentRoll,
    RollStatus,
)
from doudi.payments.payee import Payee
from doudi.payments.permissions import DECIDING_ROLES, require_district_role
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

HEADER: Final = (
    "roll_id",
    "line_id",
    "period",
    "bank_code",
    "account_number",
    "account_holder",
    "amount_fen",
    "amount_yuan",
)
EXPORTABLE: Final = (RollStatus.SIGNED, RollStatus.EXPORTED, RollStatus.RECONCILED)
FEN_PER_YUAN: Final = Decimal(100)


@dataclass(frozen=True)
class BankFile:
    name: str
    content: bytes
    lines: int
    total_fen: int
    checksum: str


def export_bank_file(roll: PaymentRoll, *, actor: User) -> BankFile:
    """Return the roll's bank file; the first export marks the roll exported.

    Exporting again returns the same rows (the lines sent the first time)
    and changes nothing but the audit log.
    """
    require_district_role(actor, roll.district_code, DECIDING_ROLES)
    with transaction.atomic():
        locked = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
        if locked.status not in EXPORTABLE:
            raise ValidationError(
                _("Sign the roll before exporting it; it is %(status)s.")
                % {"status": locked.get_status_display()}
            )
        # The roll's status records that its pending lines were sent, so the
        # lines themselves need no update.
        first = locked.status == RollStatus.SIGNED
        bank_file = _render(locked)
        if first:
            locked.status, locked.exported_at = RollStatus.EXPORTED, timezone.now()
            locked.export_checksum = bank_file.checksum
            locked.save()
    _audit(locked, actor, bank_file, first)
    return bank_file


def _render(roll: PaymentRoll) -> BankFile:
    rows = (
        PaymentLine.objects.filter(roll=roll)
        .exclude(status=LineStatus.HELD)
        .order_by("pk")
        .values_list(
            "pk",
            "period",
            "amount_fen",
            "award__bank_code",
            "award__payee",
        )
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    count = total = 0
    # The payee field decrypts as it is read, into these rows only.
    for pk, period, amount, bank, token in rows:
        if token is None:
            # Only a held line lacks an account, and held lines are left out.
            raise ValueError(f"line {pk} has no payee account")
        account = Payee.decode(token)
        writer.writerow(
            (
                roll.pk,
                pk,
                period.strftime("%Y-%m"),
                bank,
                account.number,
                account.holder,
                amount,
                f"{Decimal(amount) / FEN_PER_YUAN:.2f}",
            )
        )
        count, total = count + 1, total + amount
    content = buffer.getvalue().encode("utf-8")
    name = f"doudi-roll-{roll.pk}-{roll.district_code}-{roll.month:%Y-%m}.csv"
    return BankFile(name, content, count, total, hashlib.sha256(content).hexdigest())


def _audit(roll: PaymentRoll, actor: User, bank_file: BankFile, first: bool) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="payments.bankfile",
        object_id=roll.pk,
        purpose=Purpose.CASE_WORK,
        record_count=bank_file.lines,
        checksum=bank_file.checksum,
        detail={"first_export": first, "total_fen": bank_file.total_fen},
    )
    logger.info("roll %s exported: %d lines", roll.pk, bank_file.lines)
