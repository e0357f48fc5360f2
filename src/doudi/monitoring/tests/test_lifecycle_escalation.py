"""Escalation of warnings whose response deadline has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from doudi.cases.deadlines import DeadlineStatus
from doudi.monitoring import services
from doudi.monitoring.escalation import filter_deadline
from doudi.monitoring.models import Warning, WarningStatus
from doudi.monitoring.permissions import WarningAction, allowed_actions, scope_warnings
from doudi.monitoring.tests.warning_factories import make_warning
from doudi.privacy.choices import AuditAction
from doudi.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _days(n: int):
    return timezone.localdate() + timedelta(days=n)


def test_overdue_open_warning_escalated_once(household):
    late = make_warning(household, respond_by=_days(-1))
    on_time = make_warning(household, reason_code="school_fees", respond_by=_days(0))

    first = services.escalate_overdue(timezone.localdate())
    second = services.escalate_overdue(timezone.localdate())

    assert first == 1
    assert second == 0
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.escalated_at is not None
    assert late.version == 0
    assert on_time.escalated_at is None
    assert late.events.filter(action=WarningAction.ESCALATE).count() == 1
    entry = AuditEntry.objects.get(
        action=AuditAction.UPDATE, object_type="monitoring.warning"
    )
    assert entry.detail["ids"] == [late.pk]


def test_ended_warning_not_escalated(household):
    make_warning(household, respond_by=_days(-3), status=WarningStatus.CLOSED)

    assert services.escalate_overdue(timezone.localdate()) == 0


def test_street_reviewer_sees_escalated_only(users, household, far_household):
    late = make_warning(household, respond_by=_days(-1))
    waiting = make_warning(household, reason_code="school_fees", respond_by=_days(-1))
    elsewhere = make_warning(far_household, respond_by=_days(-1))
    Warning.objects.filter(pk=waiting.pk).update(respond_by=_days(3))
    reviewer = users["street"]

    assert list(scope_warnings(Warning.objects.all(), reviewer)) == []
    services.escalate_overdue(timezone.localdate())

    visible = set(scope_warnings(Warning.objects.all(), reviewer))
    assert visible == {late}
    assert elsewhere not in visible


def test_street_reviewer_hands_escalated_to_worker(users, household):
    late = make_warning(household, respond_by=_days(-1))
    reviewer = users["street"]
    with pytest.raises(PermissionDenied):
        services.assign(reviewer, late.pk, version=0, assignee_id=users["owner"].pk)

    services.escalate_overdue(timezone.localdate())
    late.refresh_from_db()
    assert allowed_actions(reviewer, late) == [WarningAction.ASSIGN]
    done = services.assign(
        reviewer, late.pk, version=late.version, assignee_id=users["owner"].pk
    )

    assert done.assigned_to == users["owner"]
    assert done.status == WarningStatus.ASSIGNED


def test_street_reviewer_cannot_take_warning_himself(users, household):
    late = make_warning(household, respond_by=_days(-1))
    services.escalate_overdue(timezone.localdate())

    with pytest.raises(ValidationError, match="not a community worker"):
        services.assign(users["street"], late.pk, version=0)


def test_filter_deadline_statuses(household):
    overdue = make_warning(household, respond_by=_days(-1))
    later = make_warning(household, reason_code="school_fees", respond_by=_days(30))
    today = timezone.localdate()
    warnings = Warning.objects.all()

    assert list(filter_deadline(warnings, DeadlineStatus.OVERDUE, today)) == [overdue]
    assert list(filter_deadline(warnings, DeadlineStatus.ON_TIME, today)) == [later]
    assert list(filter_deadline(warnings, DeadlineStatus.NEARLY_DUE, today)) == []
