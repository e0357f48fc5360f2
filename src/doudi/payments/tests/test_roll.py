"""Computing and signing a district's monthly roll."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from doudi.payments.lifecycle import suspend_award, terminate_award
from doudi.payments.models import LineStatus, PaymentLine, RollStatus
from doudi.payments.rolls import RollLocked, compute_roll, sign_roll
from doudi.payments.tests.factories import make_award, make_paid_award
from doudi.privacy.models import User
from doudi.registry.models import Household

APRIL = date(2025, 4, 1)


def test_roll_pays_from_month_after_approval(
    users: dict[str, User], household: Household
) -> None:
    make_paid_award(household, users["district"], approved_on=date(2025, 3, 14))
    assert compute_roll("310101", date(2025, 3, 1)).line_count == 0
    roll = compute_roll("310101", APRIL)
    assert roll.line_count == 1
    assert roll.total_fen == 150_000
    assert roll.status == RollStatus.DRAFT
    assert roll.computed_by is None


def test_roll_leaves_out_other_district(
    users: dict[str, User], household: Household
) -> None:
    make_paid_award(household, users["district"])
    assert compute_roll("310104", APRIL).line_count == 0


def test_recompute_draft_is_idempotent(
    users: dict[str, User], household: Household
) -> None:
    make_paid_award(household, users["district"])
    first = compute_roll("310101", APRIL)
    lines = list(first.lines.values_list("award_id", "period", "amount_fen"))
    again = compute_roll("310101", APRIL)
    assert again.pk == first.pk
    assert list(again.lines.values_list("award_id", "period", "amount_fen")) == lines
    assert PaymentLine.objects.count() == 1


def test_award_without_account_is_held(
    users: dict[str, User], household: Household
) -> None:
    make_award(household, users["district"])
    roll = compute_roll("310101", APRIL)
    line = roll.lines.get()
    assert line.status == LineStatus.HELD
    assert line.needs_person


def test_suspended_award_not_paid(users: dict[str, User], household: Household) -> None:
    award = make_paid_award(household, users["district"])
    suspend_award(
        award, on=date(2025, 3, 20), reason="未报告收入变化", actor=users["district"]
    )
    assert compute_roll("310101", APRIL).line_count == 0


def test_terminated_award_paid_through_month(
    users: dict[str, User], household: Household
) -> None:
    award = make_paid_award(household, users["district"])
    terminate_award(award, on=date(2025, 5, 10), reason="迁出", actor=users["district"])
    assert compute_roll("310101", date(2025, 5, 1)).line_count == 1
    assert compute_roll("310101", date(2025, 6, 1)).line_count == 0


def test_signer_must_not_be_computer(
    users: dict[str, User], household: Household
) -> None:
    make_paid_award(household, users["district"])
    roll = compute_roll("310101", APRIL, actor=users["district"])
    with pytest.raises(PermissionDenied):
        sign_roll(roll, actor=users["district"], version=roll.version)


def test_system_roll_signed_by_approver(
    users: dict[str, User], household: Household
) -> None:
    make_paid_award(household, users["district"])
    roll = compute_roll("310101", APRIL)
    signed = sign_roll(roll, actor=users["district"], version=roll.version)
    assert signed.status == RollStatus.SIGNED
    assert signed.signed_by == users["district"]


@pytest.mark.parametrize("name", ["other_district", "street", "city", "owner"])
def test_outsiders_cannot_sign(
    users: dict[str, User], household: Household, name: str
) -> None:
    make_paid_award(household, users["district"])
    roll = compute_roll("310101", APRIL)
    with pytest.raises(PermissionDenied):
        sign_roll(roll, actor=users[name], version=roll.version)


def test_stale_version_not_signed(users: dict[str, User], household: Household) -> None:
    make_paid_award(household, users["district"])
    roll = compute_roll("310101", APRIL)
    seen = roll.version
    compute_roll("310101", APRIL)
    with pytest.raises(ValidationError, match="computed again"):
        sign_roll(roll, actor=users["district"], version=seen)


def test_signed_roll_cannot_change(
    users: dict[str, User], household: Household
) -> None:
    make_paid_award(household, users["district"])
    roll = compute_roll("310101", APRIL)
    sign_roll(roll, actor=users["district"], version=roll.version)
    with pytest.raises(RollLocked):
        compute_roll("310101", APRIL)
    assert roll.lines.count() == 1


def test_award_never_on_two_rolls_same_month(
    users: dict[str, User], household: Household
) -> None:
    award = make_paid_award(household, users["district"])
    roll = compute_roll("310101", APRIL)
    other = compute_roll("310104", APRIL)
    line = roll.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            roll=other,
            award=award,
            period=APRIL,
            scheme=line.scheme,
            amount_fen=1,
            days_paid=30,
        )
