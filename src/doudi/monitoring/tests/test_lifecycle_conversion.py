"""A warning becomes a case in one step."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from doudi.cases.models import Case, Channel
from doudi.monitoring import services
from doudi.monitoring.conversion import scheme_of
from doudi.monitoring.models import Outcome, Warning, WarningKind, WarningStatus
from doudi.monitoring.tests.warning_factories import make_warning

pytestmark = pytest.mark.django_db


def test_convert_opens_linked_case(users, household):
    warning = make_warning(
        household,
        reason_code="missed:dibao",
        kind=WarningKind.MISSED,
        category="missed_assistance",
    )

    done = services.convert_to_case(
        users["owner"],
        warning.pk,
        version=0,
        scheme=scheme_of(warning),
        situation="Synthetic: income fell below the local line.",
    )

    case = Case.objects.get()
    assert done.created
    assert done.case == case
    assert case.channel == Channel.WARNING
    assert case.scheme == "dibao"
    assert case.source_reference == f"W{warning.pk:08d}"
    warning.refresh_from_db()
    assert warning.case == case
    assert warning.status == WarningStatus.RESOLVED
    assert warning.outcome == Outcome.NEW_CASE


def test_convert_twice_opens_one_case(users, household):
    warning = make_warning(household)
    services.convert_to_case(users["owner"], warning.pk, version=0, scheme="dibao")

    with pytest.raises(services.StaleWarning):
        services.convert_to_case(users["owner"], warning.pk, version=0, scheme="dibao")
    assert Case.objects.count() == 1


def test_convert_joins_open_application(users, household):
    first = make_warning(household)
    second = make_warning(household, reason_code="school_fees", category="schooling")
    services.convert_to_case(users["owner"], first.pk, version=0, scheme="dibao")

    done = services.convert_to_case(
        users["owner"], second.pk, version=0, scheme="dibao"
    )

    assert not done.created
    assert Case.objects.count() == 1
    assert Warning.objects.filter(case=done.case).count() == 2


def test_outsider_cannot_convert(users, household):
    warning = make_warning(household)

    with pytest.raises(PermissionDenied):
        services.convert_to_case(
            users["outsider"], warning.pk, version=0, scheme="dibao"
        )
    assert Case.objects.count() == 0


def test_convert_rejects_unknown_scheme(users, household):
    warning = make_warning(household)

    with pytest.raises(ValidationError, match="not a scheme"):
        services.convert_to_case(users["owner"], warning.pk, version=0, scheme="x")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.NEW


def test_scheme_of_reason_codes(household):
    assert scheme_of(make_warning(household, reason_code="exit:tekun")) == "tekun"
    assert scheme_of(make_warning(household, reason_code="turning_60")) == "dibao"
