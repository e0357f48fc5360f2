"""Where approval is delegated, the street office decides in the district's place."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from doudi.cases import services
from doudi.cases.models import Case, CaseAction, Channel, Decision, Step
from doudi.cases.queries import QueueFilters, filtered
from doudi.cases.tests.conftest import DECLARATION, today, walk
from doudi.cases.workflow import allowed_actions
from doudi.payments.models import Award
from doudi.privacy.models import User
from doudi.registry.models import Household


def open_delegated(worker: User, household: Household) -> Case:
    case, _ = services.open_case(
        worker,
        household_id=household.pk,
        scheme="dibao",
        channel=Channel.WALK_IN,
        declaration=DECLARATION,
        delegated=True,
    )
    return case


def test_street_reviewer_approves_a_delegated_case(staff, authorised):
    case = walk(
        open_delegated(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )

    case = services.approve(
        staff["street"], case.pk, version=case.version, amount_fen=120_000
    )

    assert case.decision == Decision.APPROVED
    assert case.decided_by == staff["street"]
    assert Award.objects.filter(case=case).exists()


def test_district_approver_cannot_decide_a_delegated_case(staff, authorised):
    case = walk(
        open_delegated(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )

    assert CaseAction.APPROVE not in allowed_actions(staff["district"], case, today())
    with pytest.raises(PermissionDenied):
        services.approve(
            staff["district"], case.pk, version=case.version, amount_fen=120_000
        )


def test_street_reviewer_cannot_decide_an_undelegated_case(staff, authorised):
    case, _ = services.open_case(
        staff["worker"],
        household_id=authorised.pk,
        scheme="dibao",
        channel=Channel.WALK_IN,
        declaration=DECLARATION,
    )
    case = walk(case, staff, Step.DISTRICT_APPROVAL)

    assert CaseAction.APPROVE not in allowed_actions(staff["street"], case, today())
    with pytest.raises(PermissionDenied):
        services.refuse(staff["street"], case.pk, version=case.version, reason="x" * 20)


def test_delegated_approval_waits_in_the_street_queue(staff, authorised):
    case = walk(
        open_delegated(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )
    mine = QueueFilters(step="mine")

    street_queue = filtered(staff["street"], mine, today())
    district_queue = filtered(staff["district"], mine, today())

    assert case.pk in set(street_queue.values_list("pk", flat=True))
    assert case.pk not in set(district_queue.values_list("pk", flat=True))
