from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from doudi.registry import services
from doudi.registry.choices import CareLevel, FactKind, Relationship
from doudi.registry.facts import ADL_ITEMS, care_level_from_adl


@given(st.lists(st.booleans(), min_size=6, max_size=6))
def test_care_level_follows_failure_count(flags):
    level = care_level_from_adl(dict(zip(ADL_ITEMS, flags, strict=True)))
    failures = sum(flags)
    if failures >= 4:
        assert level == CareLevel.FULLY_DEPENDENT
    elif failures:
        assert level == CareLevel.PARTLY_DEPENDENT
    else:
        assert level == CareLevel.SELF_CARE


def test_care_level_needs_all_items():
    with pytest.raises(ValidationError, match="missing: continence"):
        care_level_from_adl(dict.fromkeys(ADL_ITEMS[:5], False))


def test_care_level_rejects_unknown_item():
    items = dict.fromkeys(ADL_ITEMS, False) | {"cooking": True}
    with pytest.raises(ValidationError, match="unknown: cooking"):
        care_level_from_adl(items)


def _head(household):
    return household.memberships.get(relationship=Relationship.HEAD).person


def test_care_level_fact_derives_code(users, household):
    adl = dict.fromkeys(ADL_ITEMS, True)
    fact = services.record_fact(
        users["owner"],
        person=_head(household),
        kind=FactKind.CARE_LEVEL,
        valid_from=date(2025, 1, 1),
        detail=adl,
    )
    assert fact.code == CareLevel.FULLY_DEPENDENT


def test_new_single_valued_fact_closes_old(users, household):
    person = _head(household)
    first = services.record_fact(
        users["owner"],
        person=person,
        kind=FactKind.EMPLOYMENT,
        valid_from=date(2024, 1, 1),
        code="employed",
    )
    services.record_fact(
        users["owner"],
        person=person,
        kind=FactKind.EMPLOYMENT,
        valid_from=date(2025, 3, 1),
        code="unemployed",
    )
    first.refresh_from_db()
    assert first.valid_to == date(2025, 3, 1)
    assert person.facts.filter(kind=FactKind.EMPLOYMENT).count() == 2


def test_older_fact_rejected_after_newer(users, household):
    person = _head(household)
    services.record_fact(
        users["owner"],
        person=person,
        kind=FactKind.EMPLOYMENT,
        valid_from=date(2025, 3, 1),
        code="unemployed",
    )
    with pytest.raises(ValidationError, match="already starts on 2025-03-01"):
        services.record_fact(
            users["owner"],
            person=person,
            kind=FactKind.EMPLOYMENT,
            valid_from=date(2024, 1, 1),
            code="employed",
        )


@pytest.mark.parametrize(
    ("code", "grade", "message"),
    [("visual", 5, "grade 5 is invalid"), ("tired", 2, "category 'tired' is invalid")],
)
def test_disability_values_checked(users, household, code, grade, message):
    with pytest.raises(ValidationError, match=message):
        services.record_fact(
            users["owner"],
            person=_head(household),
            kind=FactKind.DISABILITY,
            valid_from=date(2025, 1, 1),
            code=code,
            grade=grade,
        )


def test_disability_fact_stored_with_certificate(users, household):
    fact = services.record_fact(
        users["owner"],
        person=_head(household),
        kind=FactKind.DISABILITY,
        valid_from=date(2025, 1, 1),
        code="physical",
        grade=2,
        reference="31010119800101001842",
    )
    fact.refresh_from_db()
    assert fact.reference == "31010119800101001842"


def test_negative_income_rejected(users, household):
    with pytest.raises(ValidationError, match="is negative"):
        services.record_fact(
            users["owner"],
            person=_head(household),
            kind=FactKind.INCOME,
            valid_from=date(2025, 1, 1),
            code="wages",
            amount_fen=-100,
        )


def test_outsider_cannot_record_fact(users, household):
    with pytest.raises(Exception, match="outside your region"):
        services.record_fact(
            users["outsider"],
            person=_head(household),
            kind=FactKind.LIVING_ALONE,
            valid_from=date(2025, 1, 1),
            code="yes",
        )
