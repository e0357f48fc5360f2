"""Suspension, resumption, gradual exit and termination of an award."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from doudi.assessments.models import Scheme
from doudi.payments import months
from doudi.payments.lifecycle import (
    AwardStateError,
    change_amount,
    end_finished_awards,
    resume_award,
    start_gradual_exit,
    suspend_award,
    terminate_award,
)
from doudi.payments.models import AwardEvent, AwardStatus, EventKind
from doudi.payments.rolls import compute_roll
from doudi.payments.tests.factories import make_award, make_paid_award
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Household


def test_suspend_twice_records_once(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"])
    approver = users["district"]
    suspend_award(award, on=date(2025, 5, 2), reason="未按时报告", actor=approver)
    again = suspend_award(award, on=date(2025, 5, 3), reason="重复", actor=approver)
    assert again.status == AwardStatus.SUSPENDED
    assert again.status_since == date(2025, 5, 2)
    assert AwardEvent.objects.filter(kind=EventKind.SUSPENDED).count() == 1


def test_resume_pays_again(users: dict[str, User], household: Household) -> None:
    award = make_paid_award(household, users["district"])
    approver = users["district"]
    suspend_award(award, on=date(2025, 5, 2), reason="待核实", actor=approver)
    assert compute_roll("310101", date(2025, 6, 1)).line_count == 0
    resume_award(award, on=date(2025, 6, 5), reason="已核实", actor=approver)
    assert compute_roll("310101", date(2025, 7, 1)).line_count == 1


def test_reason_required(users: dict[str, User], household: Household) -> None:
    award = make_award(household, users["district"])
    with pytest.raises(ValidationError, match="reason"):
        suspend_award(award, on=date(2025, 5, 2), reason="  ", actor=users["district"])


def test_terminated_cannot_resume(users: dict[str, User], household: Household) -> None:
    award = make_award(household, users["district"])
    terminate_award(award, on=date(2025, 5, 2), reason="迁出", actor=users["district"])
    with pytest.raises(AwardStateError):
        resume_award(award, on=date(2025, 6, 1), reason="x", actor=users["district"])


def test_terminated_before_start_never_paid(
    users: dict[str, User], household: Household
) -> None:
    award = make_paid_award(household, users["district"], approved_on=date(2025, 3, 14))
    ended = terminate_award(
        award, on=date(2025, 3, 20), reason="撤回", actor=users["district"]
    )
    assert ended.end_month is None
    assert compute_roll("310101", date(2025, 4, 1)).line_count == 0


@pytest.mark.parametrize("name", ["other_district", "street", "owner", "city"])
def test_only_district_approver_suspends(
    users: dict[str, User], household: Household, name: str
) -> None:
    award = make_award(household, users["district"])
    with pytest.raises(PermissionDenied):
        suspend_award(award, on=date(2025, 5, 2), reason="x", actor=users[name])


def test_gradual_exit_pays_six_months(
    users: dict[str, User], household: Household
) -> None:
    award = make_paid_award(household, users["district"], approved_on=date(2025, 1, 10))
    exiting = start_gradual_exit(
        award, on=date(2025, 3, 14), reason="就业收入超过标准", actor=users["district"]
    )
    assert exiting.status == AwardStatus.GRADUAL_EXIT
    assert exiting.end_month == date(2025, 9, 1)
    assert exiting.ends_on == date(2025, 9, 13)
    assert compute_roll("310101", date(2025, 9, 1)).line_count == 1
    assert compute_roll("310101", date(2025, 10, 1)).line_count == 0


def test_gradual_exit_ends_after_period(
    users: dict[str, User], household: Household
) -> None:
    award = make_paid_award(household, users["district"], approved_on=date(2025, 1, 10))
    start_gradual_exit(
        award, on=date(2025, 3, 14), reason="就业", actor=users["district"]
    )
    assert end_finished_awards(date(2025, 9, 1)) == 0
    assert end_finished_awards(date(2025, 10, 1)) == 1
    award.refresh_from_db()
    assert award.status == AwardStatus.TERMINATED
    assert award.events.filter(kind=EventKind.ENDED).count() == 1
    assert end_finished_awards(date(2025, 10, 1)) == 0


def test_gradual_exit_only_for_dibao(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"], scheme=Scheme.TEKUN)
    with pytest.raises(AwardStateError):
        start_gradual_exit(
            award, on=date(2025, 3, 14), reason="x", actor=users["district"]
        )


def test_terminate_during_exit_ends_earlier(
    users: dict[str, User], household: Household
) -> None:
    award = make_paid_award(household, users["district"], approved_on=date(2025, 1, 10))
    start_gradual_exit(
        award, on=date(2025, 3, 14), reason="就业", actor=users["district"]
    )
    ended = terminate_award(
        award, on=date(2025, 5, 2), reason="迁出", actor=users["district"]
    )
    assert ended.end_month == date(2025, 5, 1)


def test_change_amount_audited(users: dict[str, User], household: Household) -> None:
    award = make_paid_award(household, users["district"])
    changed = change_amount(
        award,
        amount_fen=90_000,
        addons=[],
        on=date(2025, 5, 1),
        reason="复核后调整",
        actor=users["district"],
    )
    assert changed.amount_fen == 90_000
    assert compute_roll("310101", date(2025, 5, 1)).total_fen == 90_000
    updates = AuditEntry.objects.filter(
        object_type="payments.award", detail__event="amount_changed"
    )
    assert updates.count() == 1


def test_suspension_dated_ahead_is_refused(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"])
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(ValidationError, match="too far ahead"):
        suspend_award(award, on=tomorrow, reason="待核实", actor=users["district"])


def test_end_may_be_set_for_next_month(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"])
    today = timezone.localdate()
    next_month_end = months.add_months(months.month_of(today), 2) - timedelta(days=1)

    ended = terminate_award(
        award, on=next_month_end, reason="迁出本市", actor=users["district"]
    )

    assert ended.status == AwardStatus.TERMINATED
    with pytest.raises(ValidationError, match="too far ahead"):
        terminate_award(
            make_award(household, users["district"]),
            on=next_month_end + timedelta(days=1),
            reason="迁出本市",
            actor=users["district"],
        )


def test_amount_change_dated_ahead_is_refused(
    users: dict[str, User], household: Household
) -> None:
    award = make_award(household, users["district"])
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(ValidationError, match="in the future"):
        change_amount(
            award,
            amount_fen=10_000,
            addons=[],
            on=tomorrow,
            reason="收入变化",
            actor=users["district"],
        )
