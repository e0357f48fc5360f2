"""A decision against the engine needs its reason; an award of 0 is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from doudi.assessments.stages import assess_month
from doudi.cases import services
from doudi.cases.declaration import Declaration, DeclaredIncome
from doudi.cases.models import Channel, Step
from doudi.cases.tests.conftest import open_walk_in, today, walk

pytestmark = pytest.mark.django_db


def _rich_case(staff, household):
    # A declared income far above any line, so the engine recommends refusal.
    declaration = Declaration(incomes=(DeclaredIncome("wages", 10_000_000),))
    case, _ = services.open_case(
        staff["worker"],
        household_id=household.pk,
        scheme="dibao",
        channel=Channel.WALK_IN,
        declaration=declaration,
    )
    assess_month(today().replace(day=1))
    return walk(case, staff, Step.DISTRICT_APPROVAL)


def test_approval_against_engine_needs_reason(staff, authorised):
    case = _rich_case(staff, authorised)

    with pytest.raises(ValidationError, match="give the reason"):
        services.approve(
            staff["district"], case.pk, version=case.version, amount_fen=80_000
        )


def test_approval_against_engine_with_reason(staff, authorised):
    case = _rich_case(staff, authorised)

    approved = services.approve(
        staff["district"],
        case.pk,
        version=case.version,
        amount_fen=80_000,
        note="The survey found the wages ended last month.",
    )

    assert approved.step == Step.AWARDED
    assert approved.recommended_eligible is False


def test_award_of_nothing_is_refused(staff, authorised):
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )

    with pytest.raises(ValidationError, match="0 yuan pays nothing"):
        services.approve(staff["district"], case.pk, version=case.version, amount_fen=0)
