"""Importing the bank's results: paid or failed once, retries, bad files."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from doudi.payments.lifecycle import set_bank_account
from doudi.payments.models import (
    LineStatus,
    PaymentLine,
    PaymentRoll,
    ResultsImport,
    RollStatus,
)
from doudi.payments.reconcile import ResultsFileError, import_results
from doudi.payments.rolls import compute_roll
from doudi.payments.tests.factories import make_paid_award, synthetic_account
from doudi.payments.tests.helpers import exported_roll, results_file
from doudi.privacy.models import User
from doudi.registry.models import Household

# The exported April roll and the id of its one line.
April = tuple[PaymentRoll, int]
APRIL, MAY, JUNE = date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)


@pytest.fixture
def april(users: dict[str, User], household: Household) -> April:
    make_paid_award(household, users["district"])
    roll, _ = exported_roll("310101", APRIL, users["district"])
    return roll, roll.lines.get().pk


def test_paid_line_recorded(users: dict[str, User], april: April) -> None:
    roll, line_id = april
    record = import_results(
        roll,
        results_file([(line_id, "paid", "", "REF1")]),
        file_name="r.csv",
        actor=users["district"],
    )
    line = PaymentLine.objects.get(pk=line_id)
    roll.refresh_from_db()
    assert record.paid == 1
    assert line.status == LineStatus.PAID
    assert line.bank_reference == "REF1"
    assert roll.status == RollStatus.RECONCILED


def test_same_file_twice_changes_nothing(users: dict[str, User], april: April) -> None:
    roll, line_id = april
    content = results_file([(line_id, "failed", "MS03", "")])
    first = import_results(roll, content, file_name="r.csv", actor=users["district"])
    again = import_results(roll, content, file_name="r.csv", actor=users["district"])
    assert again.pk == first.pk
    assert ResultsImport.objects.count() == 1


def test_paid_line_never_unpaid(users: dict[str, User], april: April) -> None:
    roll, line_id = april
    import_results(
        roll,
        results_file([(line_id, "paid", "", "REF1")]),
        file_name="a.csv",
        actor=users["district"],
    )
    record = import_results(
        roll,
        results_file([(line_id, "failed", "MS03", "")]),
        file_name="b.csv",
        actor=users["district"],
    )
    assert record.conflicts == [{"line_id": line_id, "problem": "already_paid"}]
    assert PaymentLine.objects.get(pk=line_id).status == LineStatus.PAID


def test_unknown_line_ids_reported(users: dict[str, User], april: April) -> None:
    roll, line_id = april
    record = import_results(
        roll,
        results_file([(line_id, "paid", "", "R"), (999_999, "paid", "", "R")]),
        file_name="r.csv",
        actor=users["district"],
    )
    assert record.unknown_line_ids == [999_999]
    assert record.paid == 1


@pytest.mark.parametrize(
    ("rows", "line_number"),
    [
        ([("x", "paid", "", "R")], 2),
        ([(1, "ok", "", "R")], 2),
        ([(1, "paid", "", "R"), (2, "failed", "bad", "")], 3),
        ([(1, "paid", "", "")], 2),
        ([(1, "paid", "", "R"), (1, "paid", "", "R")], 3),
        ([(1, "failed", "", "")], 2),
    ],
)
def test_malformed_file_rejected_whole(
    users: dict[str, User],
    april: April,
    rows: list[tuple[object, str, str, str]],
    line_number: int,
) -> None:
    roll, line_id = april
    fixed = [(line_id if row[0] == 1 else row[0], *row[1:]) for row in rows]
    with pytest.raises(ResultsFileError, match=f"Line {line_number}:"):
        import_results(
            roll, results_file(fixed), file_name="r.csv", actor=users["district"]
        )
    assert PaymentLine.objects.get(pk=line_id).status == LineStatus.PENDING
    assert not ResultsImport.objects.exists()


def test_wrong_header_rejected(users: dict[str, User], april: April) -> None:
    roll, _ = april
    with pytest.raises(ResultsFileError, match="Line 1"):
        import_results(
            roll, b"id,result\n1,paid\n", file_name="r", actor=users["district"]
        )


def test_outsider_cannot_import(users: dict[str, User], april: April) -> None:
    roll, line_id = april
    with pytest.raises(PermissionDenied):
        import_results(
            roll,
            results_file([(line_id, "paid", "", "R")]),
            file_name="r.csv",
            actor=users["other_district"],
        )


def test_failed_line_retried_next_roll(users: dict[str, User], april: April) -> None:
    roll, line_id = april
    import_results(
        roll,
        results_file([(line_id, "failed", "MS03", "")]),
        file_name="r.csv",
        actor=users["district"],
    )
    may = compute_roll("310101", MAY)
    retry = may.lines.get(retry_of_id=line_id)
    assert retry.period == APRIL
    assert retry.status == LineStatus.PENDING
    assert may.lines.count() == 2


def test_account_failure_flagged_for_person(
    users: dict[str, User], household: Household, april: April
) -> None:
    roll, line_id = april
    import_results(
        roll,
        results_file([(line_id, "failed", "AC04", "")]),
        file_name="r.csv",
        actor=users["district"],
    )
    assert PaymentLine.objects.get(pk=line_id).needs_person
    assert not compute_roll("310101", MAY).lines.filter(retry_of_id=line_id).exists()

    award = PaymentLine.objects.get(pk=line_id).award
    set_bank_account(
        award,
        holder="王测试",
        account_number=synthetic_account(2),
        bank_code="TESTBANK",
        actor=users["district"],
    )
    assert compute_roll("310101", MAY).lines.filter(retry_of_id=line_id).exists()


def test_second_failure_needs_person(users: dict[str, User], april: April) -> None:
    roll, line_id = april
    import_results(
        roll,
        results_file([(line_id, "failed", "MS03", "")]),
        file_name="r.csv",
        actor=users["district"],
    )
    may, _ = exported_roll("310101", MAY, users["district"])
    retry = may.lines.get(retry_of_id=line_id)
    import_results(
        may,
        results_file([(retry.pk, "failed", "MS03", "")]),
        file_name="m.csv",
        actor=users["district"],
    )
    retry.refresh_from_db()
    assert retry.needs_person
    assert not compute_roll("310101", JUNE).lines.filter(retry_of=retry).exists()


def test_retry_paid_original_never_paid_again(
    users: dict[str, User], april: April
) -> None:
    roll, line_id = april
    import_results(
        roll,
        results_file([(line_id, "failed", "MS03", "")]),
        file_name="r.csv",
        actor=users["district"],
    )
    may, _ = exported_roll("310101", MAY, users["district"])
    retry = may.lines.get(retry_of_id=line_id)
    regular = may.lines.get(retry_of__isnull=True)
    import_results(
        may,
        results_file([(retry.pk, "paid", "", "R2"), (regular.pk, "paid", "", "R3")]),
        file_name="m.csv",
        actor=users["district"],
    )
    june = compute_roll("310101", JUNE)
    assert june.lines.filter(period=APRIL).count() == 0
    paid_april = PaymentLine.objects.filter(period=APRIL, status=LineStatus.PAID)
    assert paid_april.count() == 1
