"""Steps that take a roll through signing, export and bank results."""

from __future__ import annotations

import csv
import io
from datetime import date

from doudi.payments.bankfile import BankFile, export_bank_file
from doudi.payments.models import PaymentRoll
from doudi.payments.rolls import compute_roll, sign_roll
from doudi.privacy.models import User


def exported_roll(
    district_code: str, month: date, approver: User
) -> tuple[PaymentRoll, BankFile]:
    roll = compute_roll(district_code, month)
    roll = sign_roll(roll, actor=approver, version=roll.version)
    bank_file = export_bank_file(roll, actor=approver)
    roll.refresh_from_db()
    return roll, bank_file


def bank_rows(bank_file: BankFile) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(bank_file.content.decode())))


def results_file(rows: list[tuple[object, str, str, str]]) -> bytes:
    lines = ["line_id,status,reason_code,bank_reference"]
    lines += [",".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()
