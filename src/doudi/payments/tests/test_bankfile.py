"""The bank file export: layout, real account numbers, audit, no logging."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from doudi.payments.bankfile import HEADER, export_bank_file
from doudi.payments.models import LineStatus, RollStatus
from doudi.payments.rolls import compute_roll
from doudi.payments.tests.factories import (
    make_award,
    make_paid_award,
    synthetic_account,
)
from doudi.payments.tests.helpers import bank_rows, exported_roll
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Household

APRIL = date(2025, 4, 1)


def test_export_has_real_account(users: dict[str, User], household: Household) -> None:
    award = make_paid_award(household, users["district"], amount_fen=123_456)
    roll, bank_file = exported_roll("310101", APRIL, users["district"])
    rows = bank_rows(bank_file)
    assert tuple(rows[0]) == HEADER
    assert rows == [
        {
            "roll_id": str(roll.pk),
            "line_id": str(roll.lines.get().pk),
            "period": "2025-04",
            "bank_code": "TESTBANK",
            "account_number": synthetic_account(1),
            "account_holder": "王测试",
            "amount_fen": "123456",
            "amount_yuan": "1234.56",
        }
    ]
    assert award.bank_account_last4 == synthetic_account(1)[-4:]


def test_export_marks_roll_exported(
    users: dict[str, User], household: Household
) -> None:
    make_paid_award(household, users["district"])
    roll, _ = exported_roll("310101", APRIL, users["district"])
    assert roll.status == RollStatus.EXPORTED
    assert roll.export_checksum
    assert roll.lines.get().status == LineStatus.PENDING


def test_export_leaves_out_held_lines(
    users: dict[str, User], household: Household, far_household: Household
) -> None:
    make_award(household, users["district"])
    _, bank_file = exported_roll("310101", APRIL, users["district"])
    assert bank_rows(bank_file) == []
    assert bank_file.lines == 0


def test_export_again_same_file(users: dict[str, User], household: Household) -> None:
    make_paid_award(household, users["district"])
    roll, first = exported_roll("310101", APRIL, users["district"])
    again = export_bank_file(roll, actor=users["district"])
    assert again.content == first.content
    exports = AuditEntry.objects.filter(object_type="payments.bankfile")
    assert exports.count() == 2
    assert set(exports.values_list("checksum", flat=True)) == {first.checksum}


def test_export_needs_signature(users: dict[str, User], household: Household) -> None:
    make_paid_award(household, users["district"])
    roll = compute_roll("310101", APRIL)
    with pytest.raises(ValidationError, match="Sign the roll"):
        export_bank_file(roll, actor=users["district"])


def test_outsider_cannot_export(users: dict[str, User], household: Household) -> None:
    make_paid_award(household, users["district"])
    roll, _ = exported_roll("310101", APRIL, users["district"])
    with pytest.raises(PermissionDenied):
        export_bank_file(roll, actor=users["other_district"])


def test_account_never_logged_or_audited(
    users: dict[str, User], household: Household, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    make_paid_award(household, users["district"])
    exported_roll("310101", APRIL, users["district"])
    number = synthetic_account(1)
    assert number not in caplog.text
    for detail in AuditEntry.objects.values_list("detail", flat=True):
        assert number not in str(detail)


def test_account_stored_encrypted(users: dict[str, User], household: Household) -> None:
    from django.db import connection

    award = make_paid_award(household, users["district"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payee FROM payments_award WHERE id = %s",
            [award.pk],
        )
        stored = cursor.fetchone()
    assert synthetic_account(1) not in stored[0]
    assert "王测试" not in stored[0]
