"""The monthly cycle stage: draft rolls for every district, reviews due."""

from __future__ import annotations

from datetime import date

from doudi.core.cycle import run_cycle, stages
from doudi.payments.lifecycle import start_gradual_exit
from doudi.payments.models import AwardStatus, PaymentRoll, Review, RollStatus
from doudi.payments.rolls import sign_roll
from doudi.payments.stages import payment_month
from doudi.payments.tests.factories import make_paid_award
from doudi.privacy.models import User
from doudi.registry.models import Household

APRIL = date(2025, 4, 1)


def test_stage_registered() -> None:
    assert "payments.roll" in [stage.name for stage in stages()]


def test_stage_drafts_every_district(
    users: dict[str, User], household: Household
) -> None:
    make_paid_award(household, users["district"])
    summary = payment_month(APRIL)
    rolls = PaymentRoll.objects.filter(month=APRIL).order_by("district_code")
    assert [roll.district_code for roll in rolls] == ["310101", "310104"]
    assert [roll.line_count for roll in rolls] == [1, 0]
    assert all(roll.computed_by is None for roll in rolls)
    assert summary["rolls_drafted"] == 2
    assert summary["draft_total_fen"] == 150_000


def test_stage_keeps_signed_roll(users: dict[str, User], household: Household) -> None:
    make_paid_award(household, users["district"])
    payment_month(APRIL)
    roll = PaymentRoll.objects.get(month=APRIL, district_code="310101")
    sign_roll(roll, actor=users["district"], version=roll.version)
    summary = payment_month(APRIL)
    roll.refresh_from_db()
    assert roll.status == RollStatus.SIGNED
    assert summary["rolls_signed_kept"] == 1
    assert summary["rolls_drafted"] == 1


def test_stage_schedules_reviews(users: dict[str, User], household: Household) -> None:
    make_paid_award(household, users["district"], approved_on=date(2025, 3, 14))
    assert payment_month(date(2026, 2, 1))["reviews_scheduled"] == 0
    assert payment_month(date(2026, 3, 1))["reviews_scheduled"] == 1
    assert payment_month(date(2026, 3, 1))["reviews_scheduled"] == 0
    assert Review.objects.get().due_on == date(2026, 3, 14)


def test_stage_ends_gradual_exit(users: dict[str, User], household: Household) -> None:
    award = make_paid_award(household, users["district"], approved_on=date(2025, 1, 10))
    start_gradual_exit(
        award, on=date(2025, 3, 14), reason="就业", actor=users["district"]
    )
    summary = payment_month(date(2025, 10, 1))
    award.refresh_from_db()
    assert summary["awards_ended"] == 1
    assert award.status == AwardStatus.TERMINATED


def test_cycle_runs_stage_once(users: dict[str, User], household: Household) -> None:
    make_paid_award(household, users["district"])
    [first] = run_cycle(APRIL, only="payments.roll")
    [again] = run_cycle(APRIL, only="payments.roll")
    assert first.status == "done"
    assert again.status == "skipped"
