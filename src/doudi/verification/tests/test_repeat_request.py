"""Asking again for the same verification returns the stored one until data changes."""

from __future__ import annotations

from datetime import date

import pytest

from doudi.verification import services
from doudi.verification.models import RequestPurpose, VerificationRequest
from doudi.verification.tests.factories import (
    AS_OF,
    alice,
    authorise,
    declare_income,
    fact,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorised(users, household) -> None:
    authorise(users["owner"], household)
    fact(alice(), "income", "wages", 312_345, date(2025, 1, 1))


def _verify(users, household, purpose=RequestPurpose.APPLICATION):
    return services.verify_household(
        users["owner"], household, as_of=AS_OF, purpose=purpose
    )


def test_second_request_returns_first(authorised, users, household) -> None:
    first = _verify(users, household)

    second = _verify(users, household)

    assert second.pk == first.pk
    assert VerificationRequest.objects.count() == 1


def test_new_department_batch_gives_new_report(authorised, users, household):
    first = _verify(users, household)
    fact(alice(), "income", "pension", 100_000, date(2025, 2, 1))

    second = _verify(users, household)

    assert second.pk != first.pk
    assert second.report.verified_income_fen == 412_345


def test_new_declaration_gives_new_report(authorised, users, household) -> None:
    first = _verify(users, household)
    declare_income(alice(), "wages", 300_000, date(2025, 1, 1))

    second = _verify(users, household)

    assert second.pk != first.pk


def test_other_purpose_gives_new_report(authorised, users, household) -> None:
    first = _verify(users, household)

    second = _verify(users, household, RequestPurpose.REVIEW)

    assert second.pk != first.pk
