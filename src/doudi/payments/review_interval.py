"""The review interval of an award, decided from the registry's facts.

Tekun (特困) households and stable households are reviewed every
`review.stable_months`. A household whose income is irregular and that has
a member who can work is reviewed every `review.irregular_months`
(最低生活保障审核确认办法, Art. 31). On the day of the decision, a member
*can work* when their latest work-capacity fact records full or partial
capacity, or, with no such fact, when they are 16 to 59 years old. Their
income is *irregular* when they are recorded as unemployed, have business
income, or had wage facts of more than one amount in the 12 months before.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from django.db.models import Q

from doudi.assessments.models import Scheme
from doudi.payments import months
from doudi.payments.params import months_parameter
from doudi.registry.choices import EmploymentStatus, FactKind, IncomeKind, WorkCapacity
from doudi.registry.models import Household, Person, PersonFact

WORKING_AGE: Final = range(16, 60)
CAPABLE: Final = frozenset({WorkCapacity.FULL, WorkCapacity.PARTIAL})
WAGE_LOOKBACK_MONTHS: Final = 12


def review_interval_months(household: Household, scheme: str, on: date) -> int:
    """Return the review interval in months for a household's award of a scheme."""
    if scheme != Scheme.TEKUN and income_irregular_with_worker(household, on):
        return months_parameter("review.irregular_months", on)
    return months_parameter("review.stable_months", on)


def income_irregular_with_worker(household: Household, on: date) -> bool:
    """Return whether some member who can work has irregular income on `on`."""
    members = Person.objects.filter(
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gt=on),
        memberships__household=household,
        memberships__start_date__lte=on,
    ).distinct()
    since = months.add_months(on, -WAGE_LOOKBACK_MONTHS)
    for person in members:
        facts = list(
            PersonFact.objects.filter(person=person, valid_from__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=since))
            .order_by("valid_from", "pk")
        )
        if _can_work(person, facts, on) and _irregular(facts, on):
            return True
    return False


def _current(facts: list[PersonFact], kind: str, on: date) -> PersonFact | None:
    live = [
        fact
        for fact in facts
        if fact.kind == kind and (fact.valid_to is None or fact.valid_to > on)
    ]
    return live[-1] if live else None


def _can_work(person: Person, facts: list[PersonFact], on: date) -> bool:
    capacity = _current(facts, FactKind.WORK_CAPACITY, on)
    if capacity is not None:
        return capacity.code in CAPABLE
    return person.age_on(on) in WORKING_AGE


def _irregular(facts: list[PersonFact], on: date) -> bool:
    employment = _current(facts, FactKind.EMPLOYMENT, on)
    if employment is not None and employment.code == EmploymentStatus.UNEMPLOYED:
        return True
    incomes = [fact for fact in facts if fact.kind == FactKind.INCOME]
    if any(fact.code == IncomeKind.BUSINESS for fact in incomes):
        return True
    wages = {fact.amount_fen for fact in incomes if fact.code == IncomeKind.WAGES}
    return len(wages) > 1
