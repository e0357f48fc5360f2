"""Write an application's declaration into the registry as declared facts.

Economic verification compares department records with the figures the
registry has as declared, so a declaration made on applying must reach the
registry. Each declared income kind of a member, and each declared asset
kind of the household, replaces the open figure of that kind from any
source but a department. An older figure stops being valid on the day of
the declaration (`valid_to` is exclusive). A figure that starts on that
day is replaced. A household total without a member is recorded for the
head.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Q, QuerySet

from doudi.cases.declaration import Declaration
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.registry.choices import FactKind, FactSource
from doudi.registry.models import Household, HouseholdAsset, Membership, PersonFact


def record_declaration(
    actor: User, household: Household, declaration: Declaration, on: date
) -> int:
    """Record the declared figures valid from `on`; return how many were written."""
    incomes = _incomes_by_member(household, declaration, on)
    for (person_id, kind), amount_fen in incomes.items():
        _end_open(PersonFact.objects.filter(person_id=person_id, code=kind), on)
        PersonFact.objects.create(
            person_id=person_id,
            kind=FactKind.INCOME,
            code=kind,
            amount_fen=amount_fen,
            valid_from=on,
            source=FactSource.DECLARED,
        )
    assets = _assets_by_kind(declaration)
    for kind, (value_fen, count) in assets.items():
        _end_open(HouseholdAsset.objects.filter(household=household, kind=kind), on)
        HouseholdAsset.objects.create(
            household=household,
            kind=kind,
            value_fen=value_fen,
            count=count,
            valid_from=on,
            source=FactSource.DECLARED,
        )
    written = len(incomes) + len(assets)
    if written:
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="registry.household",
            object_id=household.pk,
            purpose=Purpose.CASE_WORK,
            detail={"declared_incomes": len(incomes), "declared_assets": len(assets)},
        )
    return written


def _incomes_by_member(
    household: Household, declaration: Declaration, on: date
) -> dict[tuple[int, str], int]:
    head = (
        Membership.objects.filter(household=household, relationship="head")
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .values_list("person_id", flat=True)
        .first()
    )
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for income in declaration.incomes:
        person_id = income.person_id if income.person_id is not None else head
        if person_id is not None:
            totals[(person_id, income.kind)] += income.amount_fen
    return dict(totals)


def _assets_by_kind(declaration: Declaration) -> dict[str, tuple[int, int]]:
    totals: dict[str, tuple[int, int]] = {}
    for asset in declaration.assets:
        value, count = totals.get(asset.kind, (0, 0))
        totals[asset.kind] = (value + asset.value_fen, count + asset.count)
    return totals


def _end_open(
    figures: QuerySet[PersonFact] | QuerySet[HouseholdAsset], on: date
) -> None:
    """End the open non-department figures on `on`; drop those starting that day."""
    open_figures = figures.exclude(source=FactSource.DEPARTMENT).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )
    if figures.model is PersonFact:
        open_figures = open_figures.filter(kind=FactKind.INCOME)
    open_figures.filter(valid_from=on).delete()
    open_figures.filter(valid_from__lt=on).update(valid_to=on)
