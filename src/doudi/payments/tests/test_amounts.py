"""Properties of the amounts: exact prorating, totals, never negative."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doudi.payments import months
from doudi.payments.models import Award, PaymentLine, PaymentRoll
from doudi.payments.prorate import Rule, days_paid, month_amount_fen
from doudi.payments.rolls import compute_roll
from doudi.privacy.models import User
from doudi.registry.models import Household

MONTH = date(2024, 2, 1)  # a leap February, 29 days
amounts = st.integers(min_value=0, max_value=10_000_000)


@given(
    monthly=amounts,
    month_days=st.sampled_from([28, 29, 30, 31]),
    data=st.data(),
)
def test_daily_amount_exact(monthly: int, month_days: int, data: st.DataObject) -> None:
    days = data.draw(st.integers(min_value=0, max_value=month_days))
    amount = month_amount_fen(monthly, days, month_days, Rule.DAILY)
    # Rounded half up: amount - 1/2 <= monthly × days / month_days < amount + 1/2,
    # multiplied through by 2 × month_days to stay in integers.
    exact = 2 * monthly * days
    assert 0 <= amount <= monthly
    assert 2 * month_days * amount - month_days <= exact
    assert exact < 2 * month_days * amount + month_days


@given(monthly=amounts, days=st.integers(min_value=1, max_value=31))
def test_whole_months_pays_full(monthly: int, days: int) -> None:
    assert month_amount_fen(monthly, days, 31, Rule.WHOLE_MONTHS) == monthly


@given(monthly=amounts, rule=st.sampled_from(list(Rule)))
def test_no_days_pays_nothing(monthly: int, rule: Rule) -> None:
    assert month_amount_fen(monthly, 0, 30, rule) == 0


@st.composite
def award_specs(draw: st.DrawFn) -> dict[str, object]:
    start = months.add_months(MONTH, draw(st.integers(-2, 0)))
    starts_on = start + timedelta(days=draw(st.integers(0, 27)))
    end_offset = draw(st.one_of(st.none(), st.integers(-2, 2)))
    end_month = ends_on = None
    if end_offset is not None:
        end_month = months.add_months(MONTH, end_offset)
        if end_month < start:
            end_month = start
        last = months.days_in_month(end_month)
        ends_on = end_month.replace(day=draw(st.integers(1, last)))
        if ends_on < starts_on:
            ends_on = starts_on
    return {
        "amount_fen": draw(amounts),
        "addons_fen": draw(st.integers(0, 100_000)),
        "start_month": start,
        "starts_on": starts_on,
        "end_month": end_month,
        "ends_on": ends_on,
    }


def _create(spec: dict[str, object], household: Household, approver: User) -> Award:
    today = date(2024, 1, 1)
    return Award.objects.create(
        household=household,
        scheme="dibao",
        approved_on=today,
        status="active",
        status_since=today,
        review_interval_months=12,
        next_review_on=today,
        district_code="310101",
        granted_by=approver,
        granted_at=timezone.now(),
        **spec,
    )


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(specs=st.lists(award_specs(), max_size=6), rule=st.sampled_from(list(Rule)))
def test_roll_lines_match_rule(
    users: dict[str, User],
    household: Household,
    monkeypatch: pytest.MonkeyPatch,
    specs: list[dict[str, object]],
    rule: Rule,
) -> None:
    monkeypatch.setattr("doudi.payments.rolls.prorate_rule", lambda *_: rule)
    awards = [_create(spec, household, users["district"]) for spec in specs]
    roll = compute_roll("310101", MONTH)
    lines = {line.award_id: line for line in roll.lines.all()}
    for award in awards:
        days = days_paid(
            MONTH,
            start_month=award.start_month,
            starts_on=award.starts_on,
            end_month=award.end_month,
            ends_on=award.ends_on,
        )
        expected = month_amount_fen(award.monthly_total_fen, days, 29, rule)
        if days == 0:
            assert award.pk not in lines
        else:
            assert lines[award.pk].amount_fen == expected
            assert lines[award.pk].amount_fen >= 0
    assert roll.total_fen == sum(line.amount_fen for line in lines.values())
    assert roll.line_count == len(lines)
    PaymentLine.objects.all().delete()
    PaymentRoll.objects.all().delete()
    Award.objects.all().delete()
