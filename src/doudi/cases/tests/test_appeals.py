"""Appeals against a refusal have their own steps and limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from doudi.cases import services
from doudi.cases.models import Case, CaseAction, CaseKind, Decision, Step
from doudi.cases.tests.conftest import open_walk_in, today, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(staff, authorised) -> Case:
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )
    case = services.refuse(
        staff["district"],
        case.pk,
        version=case.version,
        reason="Assets above the limit.",
    )
    return services.issue_refusal_notice(
        staff["district"], case.pk, version=case.version
    )


def test_file_appeal_opens_appeal_case(staff, refused):
    appeal, created = services.file_appeal(
        staff["worker"], refused.pk, reason="The deposits belong to a relative."
    )

    assert created
    assert appeal.kind == CaseKind.APPEAL
    assert appeal.parent == refused
    assert appeal.step == Step.ACCEPT
    assert appeal.step_due == today() + timedelta(days=5)
    assert refused.events.filter(action=CaseAction.FILE_APPEAL).exists()
    again, created = services.file_appeal(staff["worker"], refused.pk, reason="Again")
    assert not created
    assert again.pk == appeal.pk


def test_appeal_needs_refused_case(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.STREET_REVIEW)

    with pytest.raises(services.NotAllowedNow):
        services.file_appeal(staff["worker"], case.pk, reason="Too slow")


def test_appeal_after_sixty_days_rejected(staff, refused):
    Case.objects.filter(pk=refused.pk).update(
        refusal_notified_on=today() - timedelta(days=61)
    )

    with pytest.raises(ValidationError, match="time to appeal ended"):
        services.file_appeal(staff["worker"], refused.pk, reason="Late")


def test_upheld_refusal_closes_appeal(staff, refused):
    appeal, _ = services.file_appeal(staff["worker"], refused.pk, reason="Disagree")
    appeal = services.accept_appeal(
        staff["district"], appeal.pk, version=appeal.version
    )
    assert appeal.step == Step.APPEAL_REVIEW
    assert appeal.step_due == today() + timedelta(days=60)

    appeal = services.decide_appeal(
        staff["district"],
        appeal.pk,
        version=appeal.version,
        overturn=False,
        reason="The bank records confirm the deposits.",
    )

    assert appeal.decision == Decision.REFUSAL_UPHELD
    assert appeal.closed_at is not None
    refused.refresh_from_db()
    assert refused.step == Step.REFUSED


def test_overturned_refusal_reopens_case(staff, refused):
    appeal, _ = services.file_appeal(staff["worker"], refused.pk, reason="Disagree")
    appeal = services.accept_appeal(
        staff["district"], appeal.pk, version=appeal.version
    )

    services.decide_appeal(
        staff["district"],
        appeal.pk,
        version=appeal.version,
        overturn=True,
        reason="The deposits belong to a relative.",
    )

    refused.refresh_from_db()
    assert refused.step == Step.DISTRICT_APPROVAL
    assert refused.reopened
    assert refused.decision == ""
    assert refused.closed_at is None
    assert refused.case_due == refused.step_due
    assert refused.next_due == refused.step_due
    assert refused.events.filter(action=CaseAction.REOPEN).exists()
    assert (
        refused.events.get(action=CaseAction.REFUSE).note == "Assets above the limit."
    )
    case = services.approve(
        staff["district"], refused.pk, version=refused.version, amount_fen=1000
    )
    assert case.step == Step.AWARDED


def test_only_district_decides_appeal(staff, refused):
    appeal, _ = services.file_appeal(staff["worker"], refused.pk, reason="Disagree")

    with pytest.raises(PermissionDenied):
        services.accept_appeal(staff["street"], appeal.pk, version=appeal.version)
