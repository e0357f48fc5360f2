"""The services change nothing when the same request comes twice.

The award page's version guard rejects a second click; these tests check
that the services alone would not apply a repeated request twice either.
"""

from __future__ import annotations

from datetime import date

from doudi.payments.lifecycle import change_amount, set_bank_account
from doudi.payments.models import AwardEvent, ChangeCategory, EventKind, ReviewOutcome
from doudi.payments.reviews import complete_review, report_change
from doudi.payments.tests.factories import make_award, synthetic_account
from doudi.privacy.models import User
from doudi.registry.models import Household


def test_same_account_recorded_once(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"])
    for _ in range(2):
        award = set_bank_account(
            award,
            holder="王测试",
            account_number=synthetic_account(7),
            bank_code="TESTBANK",
            actor=users["district"],
        )
    events = AwardEvent.objects.filter(award=award, kind=EventKind.ACCOUNT_CHANGED)
    assert events.count() == 1


def test_same_amount_changed_once(users: dict[str, User], household: Household) -> None:
    award = make_award(household, users["district"])
    for _ in range(2):
        award = change_amount(
            award,
            amount_fen=160_000,
            addons=[],
            on=date(2025, 6, 1),
            reason="标准调整",
            actor=users["district"],
        )
    events = AwardEvent.objects.filter(award=award, kind=EventKind.AMOUNT_CHANGED)
    assert events.count() == 1


def test_review_completed_once(users: dict[str, User], household: Household) -> None:
    award = make_award(household, users["district"])
    change = report_change(
        award,
        category=ChangeCategory.INCOME,
        description="收入增加",
        reported_on=date(2025, 5, 1),
        actor=users["owner"],
    )
    review = change.review
    for note in ("收入核实", "第二次提交"):
        done = complete_review(
            review,
            outcome=ReviewOutcome.SUSPENDED,
            note=note,
            on=date(2025, 5, 20),
            actor=users["district"],
        )
    assert done.note == "收入核实"
    events = AwardEvent.objects.filter(award=award, kind=EventKind.SUSPENDED)
    assert events.count() == 1
