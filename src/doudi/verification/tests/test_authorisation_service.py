"""Recording and revoking an authorisation: who signs, for whom, how long."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from doudi.conftest import add_person
from doudi.exchange.kinds import FeedKind
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import AuditEntry
from doudi.registry.choices import Relationship
from doudi.verification import services
from doudi.verification.authorisations import authorised_person_ids, covering
from doudi.verification.tests.factories import (
    SIGNED,
    UNTIL,
    alice,
    authorise,
    carol,
    person,
)

pytestmark = pytest.mark.django_db
CHILD_ID = "310101201505050026"


def test_record_stores_and_audits(users, household) -> None:
    authorisation = authorise(users["owner"], household)

    assert authorisation.signed_by == alice()
    assert set(authorisation.members.all()) == {alice(), carol()}
    assert covering(household.pk, [FeedKind.WAGES_TAX], SIGNED) == [authorisation]
    assert authorised_person_ids(FeedKind.VEHICLE, UNTIL) == {alice().pk, carol().pk}
    entry = AuditEntry.objects.get(object_type="verification.authorisation")
    assert entry.action == AuditAction.CREATE
    assert entry.purpose == Purpose.VERIFICATION
    assert entry.object_id == str(authorisation.pk)


def test_street_reviewer_may_record(users, household) -> None:
    assert authorise(users["street"], household).recorded_by == users["street"]


@pytest.mark.parametrize("name", ["district", "city", "analyst", "auditor", "provider"])
def test_other_roles_cannot_record(users, household, name) -> None:
    with pytest.raises(PermissionDenied):
        authorise(users[name], household)


def test_outsider_cannot_record(users, household) -> None:
    with pytest.raises(PermissionDenied):
        authorise(users["outsider"], household)


def test_minor_cannot_sign(users, household) -> None:
    child = add_person(
        users["owner"],
        household,
        Relationship.CHILD,
        CHILD_ID,
        "王小小",
        "F",
        date(2015, 5, 5),
    )
    with pytest.raises(ValidationError, match="adult"):
        services.record_authorisation(
            users["owner"],
            household,
            signed_by=child,
            members=[child],
            data_kinds=[FeedKind.WAGES_TAX],
            signed_on=SIGNED,
            valid_until=UNTIL,
        )


def test_signer_must_be_member(users, household, far_household) -> None:
    stranger = person("310104197505050034")
    with pytest.raises(ValidationError, match="signer must be a member"):
        services.record_authorisation(
            users["owner"],
            household,
            signed_by=stranger,
            members=[alice()],
            data_kinds=[FeedKind.WAGES_TAX],
            signed_on=SIGNED,
            valid_until=UNTIL,
        )


def test_members_must_belong_on_signing_day(users, household, far_household) -> None:
    stranger = person("310104197505050034")
    with pytest.raises(ValidationError, match="covered person"):
        authorise(users["owner"], household, members=[alice(), stranger])
    # Members joined on 2020-01-01, so a signature from 2019 covers no one.
    with pytest.raises(ValidationError, match="signer must be a member"):
        authorise(
            users["owner"],
            household,
            signed_on=date(2019, 6, 1),
            valid_until=date(2020, 5, 31),
        )


@pytest.mark.parametrize(
    ("kinds", "message"),
    [([], "Choose the kinds"), (["wages_tax", "horoscope"], "Unknown kind")],
)
def test_kinds_are_feed_kinds(users, household, kinds, message) -> None:
    with pytest.raises(ValidationError, match=message):
        authorise(users["owner"], household, kinds=kinds)


def test_members_required(users, household) -> None:
    with pytest.raises(ValidationError, match="Choose the members"):
        authorise(users["owner"], household, members=[])


@pytest.mark.parametrize(
    ("signed_on", "valid_until", "message"),
    [
        (SIGNED, SIGNED, "end date must be after"),
        (SIGNED, SIGNED - timedelta(days=1), "end date must be after"),
        (SIGNED, date(2026, 6, 2), "at most 12 months"),
    ],
)
def test_dates_checked(users, household, signed_on, valid_until, message) -> None:
    with pytest.raises(ValidationError, match=message):
        authorise(
            users["owner"], household, signed_on=signed_on, valid_until=valid_until
        )


def test_longest_validity_allowed(users, household) -> None:
    item = authorise(users["owner"], household, valid_until=date(2026, 6, 1))

    assert item.valid_until == date(2026, 6, 1)


def test_signing_date_not_in_future(users, household) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        authorise(
            users["owner"],
            household,
            signed_on=tomorrow,
            valid_until=tomorrow + timedelta(days=30),
        )


def test_revoke_ends_coverage_and_audits(users, household) -> None:
    item = authorise(users["owner"], household)

    services.revoke_authorisation(users["street"], item)

    item.refresh_from_db()
    assert item.revoked_at is not None
    assert covering(household.pk, [FeedKind.WAGES_TAX], SIGNED) == []
    entry = AuditEntry.objects.get(
        object_type="verification.authorisation", action=AuditAction.UPDATE
    )
    assert entry.detail["fields"] == ["revoked_at"]
    with pytest.raises(ValidationError, match="already been revoked"):
        services.revoke_authorisation(users["owner"], item)


def test_outsider_cannot_revoke(users, household) -> None:
    item = authorise(users["owner"], household)

    with pytest.raises(PermissionDenied):
        services.revoke_authorisation(users["outsider"], item)


def test_recording_the_same_form_twice_keeps_one(users, household) -> None:
    first = authorise(users["owner"], household)
    again = authorise(users["owner"], household)

    assert again == first
    assert household.authorisations.count() == 1
    assert (
        AuditEntry.objects.filter(object_type="verification.authorisation").count() == 1
    )
