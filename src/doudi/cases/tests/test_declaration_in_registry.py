"""An application's declaration becomes the registry's declared figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from doudi.cases import services
from doudi.cases.declaration import Declaration, DeclaredAsset, DeclaredIncome
from doudi.cases.models import Channel
from doudi.registry.choices import FactKind, FactSource
from doudi.registry.models import HouseholdAsset, PersonFact
from doudi.verification import figures

pytestmark = pytest.mark.django_db


def _head(household):
    return household.memberships.get(relationship="head").person


def _open(worker, household, declaration):
    case, _ = services.open_case(
        worker,
        household_id=household.pk,
        scheme="dibao",
        channel=Channel.WALK_IN,
        declaration=declaration,
    )
    return case


def test_declared_income_replaces_older_figure(staff, household):
    head = _head(household)
    older = PersonFact.objects.create(
        person=head,
        kind=FactKind.INCOME,
        code="wages",
        amount_fen=250_000,
        valid_from=date(2024, 1, 1),
        source=FactSource.DECLARED,
    )
    declaration = Declaration(incomes=(DeclaredIncome("wages", 60_000),))

    _open(staff["worker"], household, declaration)

    today = timezone.localdate()
    older.refresh_from_db()
    assert older.valid_to == today
    current = PersonFact.objects.get(person=head, code="wages", valid_to__isnull=True)
    assert current.amount_fen == 60_000
    assert current.source == FactSource.DECLARED
    assert current.valid_from == today


def test_verification_reads_the_declaration(staff, household):
    declaration = Declaration(
        incomes=(DeclaredIncome("wages", 60_000), DeclaredIncome("pension", 40_000)),
        assets=(DeclaredAsset("deposits", 500_000),),
    )

    _open(staff["worker"], household, declaration)

    declared = figures.declared(
        timezone.localdate() + timedelta(days=1), [household.pk]
    )
    totals = {row["item"]: row["declared_fen"] for row in declared.to_dicts()}
    assert totals == {"wages": 60_000, "pension": 40_000, "deposits": 500_000}


def test_department_figures_are_kept(staff, household):
    department = HouseholdAsset.objects.create(
        household=household,
        kind="deposits",
        value_fen=900_000,
        valid_from=date(2024, 1, 1),
        source=FactSource.DEPARTMENT,
    )
    declaration = Declaration(assets=(DeclaredAsset("deposits", 500_000),))

    _open(staff["worker"], household, declaration)

    department.refresh_from_db()
    assert department.valid_to is None


def test_empty_declaration_writes_nothing(staff, household):
    before = PersonFact.objects.count(), HouseholdAsset.objects.count()

    _open(staff["worker"], household, Declaration())

    assert (PersonFact.objects.count(), HouseholdAsset.objects.count()) == before
