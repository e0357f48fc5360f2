"""Review queue pages: access by role and region, masking, audited reads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from doudi.conftest import CAROL_ID, signed_in
from doudi.monitoring.duplicates.detection import run_detection
from doudi.monitoring.duplicates.models import DuplicatePair, PairStatus
from doudi.monitoring.duplicates.tests.factories import award_both, move_carol
from doudi.payments.models import AwardStatus
from doudi.privacy.choices import AuditAction
from doudi.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def pair(users, household, far_household):
    move_carol(users, household, far_household)
    award_both(users, household, far_household)
    run_detection()
    return DuplicatePair.objects.get()


def test_queue_lists_pair_for_owner(pair, users):
    response = signed_in(users["district"]).get(
        reverse("duplicates:queue"), headers=ENGLISH
    )
    assert response.status_code == 200
    assert (
        reverse("duplicates:pair_detail", args=[pair.pk]).encode() in response.content
    )


def test_queue_read_is_audited(pair, users):
    signed_in(users["city"]).get(reverse("duplicates:queue"), headers=ENGLISH)
    entry = AuditEntry.objects.filter(object_type="duplicates.pair").latest("pk")
    assert entry.action == AuditAction.READ
    assert entry.actor == users["city"]
    assert entry.record_count == 1


@pytest.mark.parametrize("name", ["owner", "street", "auditor", "analyst", "provider"])
def test_queue_denied_to_other_roles(pair, users, name):
    response = signed_in(users[name]).get(reverse("duplicates:queue"), headers=ENGLISH)
    assert response.status_code == 403
    denied = AuditEntry.objects.filter(action=AuditAction.DENIED, actor=users[name])
    assert denied.exists()


def test_pair_page_masks_names_and_ids(pair, users):
    response = signed_in(users["district"]).get(
        reverse("duplicates:pair_detail", args=[pair.pk]), headers=ENGLISH
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "王小测" not in content
    assert CAROL_ID not in content
    assert "王**" in content
    assert "same ID" in content


def test_pair_page_outside_region_is_denied(pair, users, regions):
    from doudi.conftest import make_user
    from doudi.privacy.choices import Role
    from doudi.registry.models import Region

    other = Region.objects.create(
        code="310115",
        name="浦东新区",
        level="district",
        parent=regions["city"],
        path=regions["city"].path + "310115/",
    )
    outsider = make_user("pudong", Role.DISTRICT_APPROVER, other)
    response = signed_in(outsider).get(
        reverse("duplicates:pair_detail", args=[pair.pk]), headers=ENGLISH
    )
    assert response.status_code == 403


def test_reveal_shows_full_values_and_is_audited(pair, users):
    response = signed_in(users["district"]).post(
        reverse("duplicates:pair_reveal", args=[pair.pk]), headers=ENGLISH
    )
    assert CAROL_ID in response.content.decode()
    entry = AuditEntry.objects.filter(object_type="duplicates.pair").latest("pk")
    assert entry.action == AuditAction.REVEAL


def test_city_admin_cannot_reveal(pair, users):
    response = signed_in(users["city"]).post(
        reverse("duplicates:pair_reveal", args=[pair.pk]), headers=ENGLISH
    )
    assert response.status_code == 403


def test_confirm_through_page_stops_award(pair, users):
    response = signed_in(users["other_district"]).post(
        reverse("duplicates:pair_decide", args=[pair.pk]),
        {"decision": "confirm", "note": "same person", "version": 0},
        headers=ENGLISH,
    )
    pair.refresh_from_db()
    assert response.status_code == 302
    assert pair.status == PairStatus.CONFIRMED
    assert pair.award_to_stop.status == AwardStatus.SUSPENDED


def test_stale_decision_shows_error(pair, users):
    client = signed_in(users["district"])
    url = reverse("duplicates:pair_decide", args=[pair.pk])
    client.post(url, {"decision": "reject", "version": 0}, headers=ENGLISH)
    response = client.post(url, {"decision": "reject", "version": 0}, headers=ENGLISH)
    assert response.status_code == 400
    assert "Reload the page" in response.content.decode()
