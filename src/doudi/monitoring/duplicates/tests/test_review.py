"""Decisions on pairs: who may decide, the version guard, stopping the second award."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from doudi.monitoring.duplicates.detection import run_detection
from doudi.monitoring.duplicates.models import DuplicatePair, PairStatus
from doudi.monitoring.duplicates.review import confirm_pair, reject_pair, visible_pairs
from doudi.monitoring.duplicates.tests.factories import award_both, move_carol
from doudi.payments.models import AwardStatus
from doudi.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(users, household, far_household):
    move_carol(users, household, far_household)
    award_both(users, household, far_household)
    run_detection()
    return DuplicatePair.objects.get()


def test_confirm_suspends_second_award(pair, users):
    second = pair.award_to_stop
    confirm_pair(pair, version=0, note="same person", actor=users["other_district"])
    second.refresh_from_db()
    pair.refresh_from_db()
    assert second.status == AwardStatus.SUSPENDED
    assert pair.left_award.status == AwardStatus.ACTIVE
    assert pair.status == PairStatus.CONFIRMED
    assert pair.decided_by == users["other_district"]
    assert pair.version == 1


def test_confirm_is_audited(pair, users):
    confirm_pair(pair, version=0, note="", actor=users["other_district"])
    entry = AuditEntry.objects.get(
        object_type="duplicates.pair", object_id=str(pair.pk)
    )
    assert entry.detail == {
        "status": "confirmed",
        "award_stopped": pair.award_to_stop_id,
    }


def test_approver_without_second_award_cannot_confirm(pair, users):
    # Huangpu sees the pair (the first award is there) but cannot stop Xuhui's.
    with pytest.raises(PermissionDenied):
        confirm_pair(pair, version=0, note="", actor=users["district"])
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING


def test_reject_changes_no_award(pair, users):
    reject_pair(pair, version=0, note="twins", actor=users["district"])
    pair.refresh_from_db()
    assert pair.status == PairStatus.REJECTED
    assert pair.award_to_stop.status == AwardStatus.ACTIVE


def test_stale_version_is_rejected(pair, users):
    reject_pair(pair, version=0, note="", actor=users["district"])
    with pytest.raises(ValidationError, match="Reload the page"):
        confirm_pair(pair, version=0, note="", actor=users["other_district"])


def test_decided_pair_cannot_be_decided_again(pair, users):
    reject_pair(pair, version=0, note="", actor=users["district"])
    with pytest.raises(ValidationError, match="already decided"):
        reject_pair(pair, version=1, note="", actor=users["district"])


@pytest.mark.parametrize("name", ["owner", "street", "city", "auditor", "analyst"])
def test_other_roles_cannot_decide(pair, users, name):
    with pytest.raises(PermissionDenied):
        reject_pair(pair, version=0, note="", actor=users[name])


def test_queue_scope_by_region(pair, users, regions):
    from doudi.conftest import make_user
    from doudi.privacy.choices import Role

    elsewhere = make_user("pudong", Role.DISTRICT_APPROVER, regions["nanjing"])
    assert list(visible_pairs(users["district"])) == [pair]
    assert list(visible_pairs(users["other_district"])) == [pair]
    assert list(visible_pairs(users["city"])) == [pair]
    assert list(visible_pairs(users["owner"])) == []
    assert list(visible_pairs(users["street"])) == []
    # A district approver posted to a street sees that street's pairs only.
    assert list(visible_pairs(elsewhere)) == [pair]


def test_rerun_after_confirm_keeps_decision(pair, users):
    confirm_pair(pair, version=0, note="", actor=users["other_district"])
    run = run_detection()
    pair.refresh_from_db()
    assert run.new_pairs == 0
    assert pair.status == PairStatus.CONFIRMED
