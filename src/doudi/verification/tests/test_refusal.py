"""Verification is refused, storing nothing, without a covering authorisation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from doudi.exchange.kinds import FeedKind
from doudi.verification import services
from doudi.verification.authorisations import NEEDED_KINDS
from doudi.verification.models import (
    RequestPurpose,
    VerificationItem,
    VerificationReport,
    VerificationRequest,
)
from doudi.verification.tests.factories import AS_OF, alice, authorise

pytestmark = pytest.mark.django_db


def _verify(users, household, as_of: date = AS_OF) -> VerificationRequest:
    return services.verify_household(
        users["owner"], household, as_of=as_of, purpose=RequestPurpose.APPLICATION
    )


def _nothing_stored() -> bool:
    return not (
        VerificationRequest.objects.exists()
        or VerificationReport.objects.exists()
        or VerificationItem.objects.exists()
    )


def test_refused_without_authorisation(users, household) -> None:
    with pytest.raises(services.VerificationRefused, match="no signed authorisation"):
        _verify(users, household)

    assert _nothing_stored()


def test_refused_after_expiry(users, household) -> None:
    authorise(users["owner"], household, valid_until=date(2025, 6, 29))

    with pytest.raises(services.VerificationRefused, match="expired on 2025-06-29"):
        _verify(users, household)

    assert _nothing_stored()


def test_last_valid_day_is_included(users, household) -> None:
    authorise(users["owner"], household, valid_until=AS_OF)

    assert _verify(users, household).as_of == AS_OF


def test_refused_before_signing(users, household) -> None:
    authorise(users["owner"], household)

    with pytest.raises(services.VerificationRefused, match="signed on 2025-06-01"):
        _verify(users, household, as_of=date(2025, 5, 31))

    assert _nothing_stored()


def test_refused_after_revocation(users, household) -> None:
    item = authorise(users["owner"], household)
    services.revoke_authorisation(users["owner"], item)

    with pytest.raises(services.VerificationRefused, match="was revoked on"):
        _verify(users, household)

    assert _nothing_stored()


def test_refused_when_member_not_covered(users, household) -> None:
    authorise(users["owner"], household, members=[alice()])

    with pytest.raises(services.VerificationRefused) as refused:
        _verify(users, household)

    message = str(refused.value)
    assert "does not cover 1 member" in message
    # The uncovered member is named masked, so the message leaks no name.
    assert "王**" in message
    assert "王小测" not in message
    assert _nothing_stored()


def test_refused_when_kinds_not_covered(users, household) -> None:
    kinds = [kind for kind in NEEDED_KINDS if kind != FeedKind.VEHICLE]
    authorise(users["owner"], household, kinds=kinds)

    with pytest.raises(services.VerificationRefused, match="Vehicles"):
        _verify(users, household)

    assert _nothing_stored()


def test_two_authorisations_cover_all_members(users, household) -> None:
    authorise(users["owner"], household, members=[alice()])
    authorise(users["owner"], household, members=[alice(), *_others(household)])

    assert _verify(users, household).pk


def _others(household):
    return [m.person for m in household.memberships.exclude(person=alice())]


@pytest.mark.parametrize("name", ["analyst", "auditor", "provider", "city", "outsider"])
def test_refused_for_roles_and_regions(users, household, name) -> None:
    authorise(users["owner"], household)

    with pytest.raises(PermissionDenied):
        services.verify_household(
            users[name], household, as_of=AS_OF, purpose=RequestPurpose.REVIEW
        )

    assert _nothing_stored()
