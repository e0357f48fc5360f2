"""Only the right role in the right region acts at each step; denials are audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from doudi.cases import services, workflow
from doudi.cases.models import CaseAction, Step
from doudi.cases.tests.conftest import open_walk_in, today, visit, walk
from doudi.conftest import make_user
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _denied(case, username: str) -> bool:
    return AuditEntry.objects.filter(
        action=AuditAction.DENIED,
        object_type="cases.case",
        object_id=str(case.pk),
        actor__username=username,
    ).exists()


@pytest.mark.parametrize("who", ["street", "district", "city", "auditor"])
def test_only_community_worker_accepts(staff, household, who):
    case = open_walk_in(staff["worker"], household)

    with pytest.raises(PermissionDenied):
        services.accept(staff[who], case.pk, version=case.version)

    assert _denied(case, staff[who].username)
    case.refresh_from_db()
    assert case.step == Step.ACCEPT


def test_outsider_worker_cannot_accept(staff, household):
    case = open_walk_in(staff["worker"], household)

    with pytest.raises(PermissionDenied, match="outside your region"):
        services.accept(staff["outsider"], case.pk, version=case.version)

    assert _denied(case, "outsider")


def test_community_worker_cannot_review(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.STREET_REVIEW)

    with pytest.raises(PermissionDenied):
        services.send_to_notice(
            staff["worker"], case.pk, version=case.version, proposed_amount_fen=1
        )


def test_street_reviewer_cannot_approve(staff, authorised):
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )

    with pytest.raises(PermissionDenied):
        services.approve(staff["street"], case.pk, version=case.version, amount_fen=1)


def test_other_district_cannot_approve(staff, authorised):
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )

    with pytest.raises(PermissionDenied, match="outside your region"):
        services.approve(
            staff["other_district"], case.pk, version=case.version, amount_fen=1
        )
    assert _denied(case, "xuhui")


def test_action_at_wrong_step_not_allowed(staff, household):
    case = open_walk_in(staff["worker"], household)

    with pytest.raises(services.NotAllowedNow, match="Acceptance"):
        services.record_survey(
            staff["worker"], case.pk, version=case.version, visit=visit(staff)
        )


def test_inactive_user_denied(staff, household):
    case = open_walk_in(staff["worker"], household)
    staff["worker2"].is_active = False
    staff["worker2"].save()

    with pytest.raises(PermissionDenied):
        services.accept(staff["worker2"], case.pk, version=case.version)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (
            "worker",
            [CaseAction.RECORD_SURVEY, CaseAction.WITHDRAW, CaseAction.ADD_DOCUMENT],
        ),
        ("street", [CaseAction.ADD_DOCUMENT, CaseAction.MARK_SPECIAL]),
        ("district", [CaseAction.MARK_SPECIAL]),
        ("outsider", []),
        ("city", []),
    ],
)
def test_allowed_actions_at_survey(staff, household, who, expected):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)

    assert workflow.allowed_actions(staff[who], case, today()) == expected


def test_resident_sees_own_actions(staff, household):
    head = household.memberships.get(relationship="head").person
    resident = make_user("applicant", Role.RESIDENT, None, person=head)
    case = open_walk_in(staff["worker"], household)

    actions = workflow.allowed_actions(resident, case, today())

    assert actions == [CaseAction.WITHDRAW, CaseAction.ADD_DOCUMENT]
    assert workflow.can_read(resident, case)


def test_every_permit_names_known_roles():
    for (kind, step), permits in workflow.PERMITS.items():
        assert step in Step.values, (kind, step)
        for action, roles in permits.items():
            assert action in CaseAction.values
            assert roles <= set(Role), (action, roles)
