"""Granting an award: who may, when payment starts, and idempotence."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from doudi.payments.awards import grant_award
from doudi.payments.models import Award, AwardStatus
from doudi.payments.tests.factories import make_case
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Household

ZHONGSHAN_ADDON = {"code": "elderly", "label": "高龄", "amount_fen": 44_000}


def test_grant_starts_next_month(users: dict[str, User], household: Household) -> None:
    award = grant_award(
        case=make_case(household),
        amount_fen=150_000,
        addons=[ZHONGSHAN_ADDON],
        approved_on=date(2025, 3, 14),
        actor=users["district"],
    )
    assert award.start_month == date(2025, 4, 1)
    assert award.status == AwardStatus.ACTIVE
    assert award.district_code == "310101"
    assert award.addons_fen == 44_000
    assert award.monthly_total_fen == 194_000


def test_grant_december_starts_january(
    users: dict[str, User], household: Household
) -> None:
    case = make_case(household)
    award = grant_award(
        case=case,
        amount_fen=1,
        addons=[],
        approved_on=date(2025, 12, 31),
        actor=users["district"],
    )
    assert award.start_month == date(2026, 1, 1)


def test_grant_twice_returns_first(
    users: dict[str, User], household: Household
) -> None:
    case = make_case(household)
    first = grant_award(
        case=case,
        amount_fen=100,
        addons=[],
        approved_on=date(2025, 3, 1),
        actor=users["district"],
    )
    second = grant_award(
        case=case,
        amount_fen=999,
        addons=[],
        approved_on=date(2025, 4, 1),
        actor=users["district"],
    )
    assert second.pk == first.pk
    assert second.amount_fen == 100
    assert Award.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="payments.award").count() == 1


@pytest.mark.parametrize("name", ["other_district", "street", "owner", "city"])
def test_grant_rejects_outsiders(
    users: dict[str, User], household: Household, name: str
) -> None:
    with pytest.raises(PermissionDenied):
        grant_award(
            case=make_case(household),
            amount_fen=100,
            addons=[],
            approved_on=date(2025, 3, 1),
            actor=users[name],
        )
    assert not Award.objects.exists()


@pytest.mark.parametrize(
    "addons",
    [
        [{"code": "x", "label": "x"}],
        [{"code": "x", "label": "x", "amount_fen": -1}],
        [{"code": "x", "label": "x", "amount_fen": 1.5}],
        [ZHONGSHAN_ADDON, ZHONGSHAN_ADDON],
    ],
)
def test_grant_rejects_bad_addons(
    users: dict[str, User], household: Household, addons: list[dict[str, object]]
) -> None:
    with pytest.raises(ValidationError):
        grant_award(
            case=make_case(household),
            amount_fen=100,
            addons=addons,
            approved_on=date(2025, 3, 1),
            actor=users["district"],
        )


def test_grant_rejects_negative_amount(
    users: dict[str, User], household: Household
) -> None:
    with pytest.raises(ValidationError, match="-5"):
        grant_award(
            case=make_case(household),
            amount_fen=-5,
            addons=[],
            approved_on=date(2025, 3, 1),
            actor=users["district"],
        )
