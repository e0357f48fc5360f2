"""Opening a case from each channel, idempotently, and accepting it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from doudi.cases import services
from doudi.cases.declaration import Declaration, DeclaredIncome
from doudi.cases.models import Case, CaseAction, CaseEvent, Channel, Step
from doudi.cases.tests.conftest import DECLARATION, open_walk_in, today
from doudi.conftest import make_user
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry
from doudi.workdays import calendar

pytestmark = pytest.mark.django_db


def test_walk_in_opens_case(staff, household):
    case = open_walk_in(staff["worker"], household)

    assert case.step == Step.ACCEPT
    assert case.region == household.region
    assert case.region_path == household.region.path
    assert case.opened_by == staff["worker"]
    assert case.accepted_on is None
    assert case.next_due is None
    [event] = CaseEvent.objects.filter(case=case)
    assert event.action == CaseAction.OPEN
    assert event.actor == staff["worker"]
    assert AuditEntry.objects.filter(
        object_type="cases.case", object_id=str(case.pk), action=AuditAction.CREATE
    ).exists()


def test_declaration_encrypted_at_rest(staff, household):
    case = open_walk_in(staff["worker"], household)

    with connection.cursor() as cursor:
        cursor.execute("SELECT declaration FROM cases_case WHERE id = %s", [case.pk])
        [stored] = cursor.fetchone()
    assert stored.startswith("v1.")
    assert "lost his job" not in stored
    assert Declaration.from_json(case.declaration) == DECLARATION


def test_second_opening_returns_same_case(staff, household):
    first = open_walk_in(staff["worker"], household)

    again, created = services.open_case(
        staff["worker"],
        household_id=household.pk,
        scheme="dibao",
        channel=Channel.WALK_IN,
        declaration=Declaration(),
    )

    assert not created
    assert again.pk == first.pk
    assert Case.objects.count() == 1


def test_other_scheme_opens_second_case(staff, household):
    open_walk_in(staff["worker"], household)
    open_walk_in(staff["worker"], household, scheme="temporary")

    assert Case.objects.count() == 2


@pytest.mark.parametrize("channel", [Channel.WARNING, Channel.REFERRAL])
def test_warning_and_referral_need_reference(staff, household, channel):
    with pytest.raises(ValidationError, match="reference"):
        services.open_case(
            staff["worker"],
            household_id=household.pk,
            scheme="dibao",
            channel=channel,
            declaration=Declaration(),
        )

    case, created = services.open_case(
        staff["worker"],
        household_id=household.pk,
        scheme="dibao",
        channel=channel,
        declaration=Declaration(),
        source_reference="W-2026-0042",
    )
    assert created
    assert case.source_reference == "W-2026-0042"


def test_resident_applies_through_portal(staff, household, regions):
    head = household.memberships.get(relationship="head").person
    resident = make_user("applicant", Role.RESIDENT, None, person=head)

    case, created = services.open_case(
        resident,
        household_id=household.pk,
        scheme="dibao",
        channel=Channel.PORTAL,
        declaration=DECLARATION,
    )

    assert created
    assert case.channel == Channel.PORTAL
    with pytest.raises(PermissionDenied):
        services.open_case(
            resident,
            household_id=household.pk,
            scheme="dibao",
            channel=Channel.WALK_IN,
            declaration=DECLARATION,
        )


def test_resident_cannot_apply_for_other_household(staff, far_household):
    other = far_household.memberships.get(relationship="head").person
    resident = make_user("stranger", Role.RESIDENT, None, person=other)
    home = staff["worker"].region.households.create(address="测试路2号")

    with pytest.raises(PermissionDenied, match="own household"):
        services.open_case(
            resident,
            household_id=home.pk,
            scheme="dibao",
            channel=Channel.PORTAL,
            declaration=Declaration(),
        )


def test_outsider_cannot_open(staff, household):
    with pytest.raises(PermissionDenied, match="outside your region"):
        open_walk_in(staff["outsider"], household)


def test_street_reviewer_cannot_open_walk_in(staff, household):
    with pytest.raises(PermissionDenied, match="channel"):
        open_walk_in(staff["street"], household)


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        (Declaration(incomes=(DeclaredIncome("lottery", 1),)), "lottery"),
        (Declaration(incomes=(DeclaredIncome("wages", -5),)), "-5"),
        (
            Declaration(incomes=(DeclaredIncome("wages", 1, person_id=999999),)),
            "999999",
        ),
    ],
)
def test_invalid_declaration_names_value(staff, household, declaration, message):
    with pytest.raises(ValidationError, match=message):
        services.open_case(
            staff["worker"],
            household_id=household.pk,
            scheme="dibao",
            channel=Channel.WALK_IN,
            declaration=declaration,
        )
    assert not Case.objects.exists()


def test_unknown_scheme_rejected(staff, household):
    with pytest.raises(ValidationError, match="pension"):
        open_walk_in(staff["worker"], household, scheme="pension")


def test_accept_starts_survey_and_case_limits(staff, household):
    case = open_walk_in(staff["worker"], household)

    case = services.accept(staff["worker"], case.pk, version=case.version)

    start = today()
    assert case.step == Step.SURVEY
    assert case.accepted_on == start
    assert case.version == 1
    assert case.step_due == calendar.add_working_days(start, 3).due
    assert case.case_due == calendar.add_working_days(start, 30).due
    assert case.next_due == case.step_due
    assert case.case_due_provisional == calendar.add_working_days(start, 30).provisional


def test_delegated_case_has_twenty_days(staff, household):
    case, _ = services.open_case(
        staff["worker"],
        household_id=household.pk,
        scheme="dibao",
        channel=Channel.WALK_IN,
        declaration=Declaration(),
        delegated=True,
    )

    case = services.accept(staff["worker"], case.pk, version=case.version)

    assert case.case_due == calendar.add_working_days(today(), 20).due


def test_special_case_gets_forty_five_days(staff, household):
    case = open_walk_in(staff["worker"], household)
    case = services.accept(staff["worker"], case.pk, version=case.version)

    case = services.mark_special(
        staff["street"], case.pk, version=case.version, reason="Member in hospital"
    )

    assert case.special
    assert case.accepted_on is not None
    assert case.case_due == calendar.add_working_days(case.accepted_on, 45).due
    assert case.events.filter(action=CaseAction.MARK_SPECIAL).exists()


def test_withdraw_closes_case(staff, household):
    case = open_walk_in(staff["worker"], household)

    case = services.withdraw(
        staff["worker"], case.pk, version=case.version, note="Found work"
    )

    assert case.step == Step.WITHDRAWN
    assert case.closed_at is not None
    assert case.next_due is None
    reopened = open_walk_in(staff["worker"], household)
    assert reopened.pk != case.pk
