from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from doudi.conftest import add_person
from doudi.registry import services
from doudi.registry.choices import Relationship
from doudi.registry.models import Membership


def _head(household):
    return household.memberships.get(
        end_date__isnull=True, relationship=Relationship.HEAD
    )


def test_head_cannot_leave_while_others_remain(users, household):
    with pytest.raises(ValidationError, match="make another member head first"):
        services.end_membership(
            users["owner"], membership=_head(household), end=date(2024, 1, 1)
        )


def test_change_head_keeps_history(users, household):
    child = household.memberships.get(relationship=Relationship.CHILD).person
    services.change_head(
        users["owner"],
        household=household,
        new_head=child,
        on=date(2024, 6, 1),
        former_head_relationship=Relationship.PARENT,
    )
    current = household.memberships.filter(end_date__isnull=True)
    assert current.get(relationship=Relationship.HEAD).person == child
    assert current.count() == 2
    assert household.memberships.filter(end_date=date(2024, 6, 1)).count() == 2


def test_former_head_can_leave_after_change(users, household):
    former = _head(household)
    child = household.memberships.get(relationship=Relationship.CHILD).person
    services.change_head(
        users["owner"],
        household=household,
        new_head=child,
        on=date(2024, 6, 1),
        former_head_relationship=Relationship.PARENT,
    )
    parent = household.memberships.get(person=former.person, end_date__isnull=True)
    services.end_membership(users["owner"], membership=parent, end=date(2024, 7, 1))
    assert household.memberships.filter(end_date__isnull=True).count() == 1


def test_person_in_one_household_at_a_time(users, household, regions):
    other = services.create_household(
        users["owner"], region=regions["home"], address="测试路2号"
    )
    person = _head(household).person
    with pytest.raises(ValidationError, match="still a member of another household"):
        services.add_member(
            users["owner"],
            household=other,
            person=person,
            relationship=Relationship.HEAD,
            start=date(2024, 1, 1),
        )


def test_database_rejects_second_open_head(household):
    person = household.memberships.get(relationship=Relationship.CHILD).person
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            household=household,
            person=person,
            relationship=Relationship.HEAD,
            start_date=date(2024, 1, 1),
        )


def test_membership_must_end_after_start(users, household):
    child = household.memberships.get(relationship=Relationship.CHILD)
    with pytest.raises(ValidationError, match="must end after"):
        services.end_membership(users["owner"], membership=child, end=child.start_date)


def test_last_member_head_may_leave(users, regions):
    owner = users["owner"]
    single = services.create_household(
        owner, region=regions["home"], address="测试路3号"
    )
    add_person(
        owner,
        single,
        Relationship.HEAD,
        "31010119900202001X",
        "赵测试",
        "M",
        date(1990, 2, 2),
    )
    services.end_membership(owner, membership=_head(single), end=date(2025, 1, 1))
    assert not single.memberships.filter(end_date__isnull=True).exists()


def test_outsider_cannot_change_membership(users, household):
    child = household.memberships.get(relationship=Relationship.CHILD)
    with pytest.raises(Exception, match="outside your region"):
        services.end_membership(
            users["outsider"], membership=child, end=date(2025, 1, 1)
        )


def test_duplicate_resident_id_rejected(users, household):
    with pytest.raises(ValidationError, match="already registered"):
        add_person(
            users["owner"],
            household,
            Relationship.OTHER,
            "310101198001010018",
            "重复人",
            "M",
            date(1980, 1, 1),
        )
