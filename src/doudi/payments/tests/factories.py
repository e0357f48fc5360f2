"""Builders of cases and awards for the payments tests."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from doudi.assessments.models import Scheme
from doudi.cases.models import Case, Channel, Step
from doudi.payments.awards import grant_award
from doudi.payments.models import Award
from doudi.privacy.models import User
from doudi.registry.models import Household


def make_case(household: Household, scheme: str = Scheme.DIBAO) -> Case:
    """Create a closed, awarded case, so a household may have several."""
    now = timezone.now()
    return Case.objects.create(
        household=household,
        scheme=scheme,
        channel=Channel.WALK_IN,
        step=Step.AWARDED,
        opened_at=now,
        closed_at=now,
    )


def make_award(
    household: Household,
    approver: User,
    *,
    amount_fen: int = 150_000,
    approved_on: date = date(2025, 3, 14),
    scheme: str = Scheme.DIBAO,
    addons: list[dict[str, object]] | None = None,
) -> Award:
    return grant_award(
        case=make_case(household, scheme),
        amount_fen=amount_fen,
        addons=addons or [],
        approved_on=approved_on,
        actor=approver,
    )


# Synthetic account numbers: 19 digits that no bank issued.
def synthetic_account(seed: int) -> str:
    return f"62{seed:017d}"


def make_paid_award(
    household: Household, approver: User, seed: int = 1, **options: object
) -> Award:
    """Grant an award and record a synthetic bank account for it."""
    from doudi.payments.lifecycle import set_bank_account

    award = make_award(household, approver, **options)  # type: ignore[arg-type]
    return set_bank_account(
        award,
        holder="王测试",
        account_number=synthetic_account(seed),
        bank_code="TESTBANK",
        actor=approver,
    )
