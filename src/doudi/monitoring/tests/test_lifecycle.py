"""The warning lifecycle: who may act, in which order, and the version guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from doudi.conftest import make_user
from doudi.monitoring import services
from doudi.monitoring.models import Outcome, Warning, WarningEvent, WarningStatus
from doudi.monitoring.permissions import WarningAction, allowed_actions
from doudi.monitoring.tests.warning_factories import make_warning
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Household, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(regions: dict[str, Region]) -> User:
    return make_user("owner2", Role.COMMUNITY_WORKER, regions["home"])


@pytest.fixture
def warning(household: Household) -> Warning:
    return make_warning(household)


def _walk_to_visited(owner: User, warning: Warning) -> Warning:
    warning = services.assign(owner, warning.pk, version=warning.version)
    return services.record_visit(
        owner,
        warning.pk,
        version=warning.version,
        visited_on=timezone.localdate(),
        note="Synthetic: the head lost his job in May.",
    )


def test_walk_new_to_resolved(users, warning):
    owner = users["owner"]

    visited = _walk_to_visited(owner, warning)
    done = services.resolve(
        owner,
        warning.pk,
        version=visited.version,
        outcome=Outcome.BENEFIT_DELIVERED,
        note="Temporary assistance paid.",
    )

    assert done.status == WarningStatus.RESOLVED
    assert done.outcome == Outcome.BENEFIT_DELIVERED
    assert done.assigned_to == owner
    assert done.closed_at is not None
    assert done.version == 3
    actions = list(done.events.values_list("action", flat=True))
    assert actions == [WarningAction.ASSIGN, WarningAction.VISIT, WarningAction.RESOLVE]
    audited = AuditEntry.objects.filter(
        object_type="monitoring.warning", object_id=str(warning.pk)
    )
    assert audited.filter(action=AuditAction.UPDATE).count() == 3


def test_assign_to_colleague_of_community(users, warning, colleague):
    done = services.assign(
        users["owner"], warning.pk, version=0, assignee_id=colleague.pk
    )

    assert done.status == WarningStatus.ASSIGNED
    assert done.assigned_to == colleague


def test_assign_to_other_community_rejected(users, warning):
    with pytest.raises(ValidationError, match="not a community worker"):
        services.assign(
            users["owner"], warning.pk, version=0, assignee_id=users["outsider"].pk
        )

    warning.refresh_from_db()
    assert warning.status == WarningStatus.NEW


def test_outsider_cannot_act(users, warning):
    with pytest.raises(PermissionDenied):
        services.assign(users["outsider"], warning.pk, version=0)

    warning.refresh_from_db()
    assert warning.status == WarningStatus.NEW
    denied = AuditEntry.objects.get(action=AuditAction.DENIED)
    assert denied.actor == users["outsider"]
    assert denied.object_id == str(warning.pk)


@pytest.mark.parametrize("role_user", ["city", "district", "auditor", "analyst"])
def test_other_roles_cannot_act(users, warning, role_user):
    with pytest.raises(PermissionDenied):
        services.close_no_need(
            users[role_user], warning.pk, version=0, reason="No need."
        )


def test_stale_version_rejected(users, warning, colleague):
    services.assign(users["owner"], warning.pk, version=0)

    with pytest.raises(services.StaleWarning):
        services.close_no_need(colleague, warning.pk, version=0, reason="No need.")

    warning.refresh_from_db()
    assert warning.status == WarningStatus.ASSIGNED
    assert warning.version == 1
    assert WarningEvent.objects.filter(action=WarningAction.CLOSE).count() == 0


def test_resolve_needs_visit_first(users, warning):
    with pytest.raises(services.NotAllowedNow):
        services.resolve(users["owner"], warning.pk, version=0, outcome=Outcome.RECHECK)


def test_resolve_rejects_unknown_outcome(users, warning):
    visited = _walk_to_visited(users["owner"], warning)

    with pytest.raises(ValidationError, match="not an outcome"):
        services.resolve(
            users["owner"], warning.pk, version=visited.version, outcome="helped"
        )


def test_new_case_outcome_needs_agency(users, warning):
    visited = _walk_to_visited(users["owner"], warning)

    with pytest.raises(ValidationError, match="agency"):
        services.resolve(
            users["owner"],
            warning.pk,
            version=visited.version,
            outcome=Outcome.NEW_CASE,
        )


def test_close_needs_reason(users, warning):
    with pytest.raises(ValidationError, match="reason is missing"):
        services.close_no_need(users["owner"], warning.pk, version=0, reason="  ")

    done = services.close_no_need(
        users["owner"], warning.pk, version=0, reason="Income recovered in June."
    )
    assert done.status == WarningStatus.CLOSED
    assert done.outcome == ""
    assert done.closing_note == "Income recovered in June."


def test_visit_in_future_rejected(users, warning):
    assigned = services.assign(users["owner"], warning.pk, version=0)

    with pytest.raises(ValidationError, match="future"):
        services.record_visit(
            users["owner"],
            warning.pk,
            version=assigned.version,
            visited_on=timezone.localdate() + timedelta(days=1),
        )


def test_visit_before_raised_rejected(users, warning):
    assigned = services.assign(users["owner"], warning.pk, version=0)

    with pytest.raises(ValidationError, match="before the warning was raised"):
        services.record_visit(
            users["owner"],
            warning.pk,
            version=assigned.version,
            visited_on=timezone.localdate() - timedelta(days=1),
        )


def test_closed_warning_takes_no_action(users, warning):
    closed = services.close_no_need(
        users["owner"], warning.pk, version=0, reason="Moved away."
    )

    assert allowed_actions(users["owner"], closed) == []
    with pytest.raises(services.NotAllowedNow):
        services.assign(users["owner"], warning.pk, version=closed.version)


def test_actions_by_status(users, warning):
    owner = users["owner"]

    assert allowed_actions(owner, warning) == [
        WarningAction.ASSIGN,
        WarningAction.CLOSE,
        WarningAction.CONVERT,
    ]
    visited = _walk_to_visited(owner, warning)
    assert WarningAction.RESOLVE in allowed_actions(owner, visited)
    assert allowed_actions(users["outsider"], visited) == []
    assert allowed_actions(users["street"], visited) == []


def test_reassign_keeps_visited_status(users, warning, colleague):
    visited = _walk_to_visited(users["owner"], warning)

    moved = services.assign(
        users["owner"], warning.pk, version=visited.version, assignee_id=colleague.pk
    )

    assert moved.status == WarningStatus.VISITED
    assert moved.assigned_to == colleague


def test_long_note_rejected(users, warning):
    with pytest.raises(ValidationError, match="shorten it"):
        services.close_no_need(users["owner"], warning.pk, version=0, reason="x" * 4001)
