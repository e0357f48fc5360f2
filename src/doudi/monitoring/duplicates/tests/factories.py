"""Builders of enrolled households, moved persons and imported lists for the tests."""

from __future__ import annotations

from datetime import date

from doudi.assessments.models import Scheme
from doudi.conftest import ALICE_ID, CAROL_ID
from doudi.monitoring.duplicates.imports import import_list
from doudi.monitoring.duplicates.models import ImportedList
from doudi.payments.models import Award
from doudi.payments.tests.factories import make_award
from doudi.privacy.models import User
from doudi.registry import services
from doudi.registry.choices import Relationship
from doudi.registry.models import Household, Membership, Person

# Alice's ID with a wrong check character, as another city's list may carry it.
ALICE_WRONG_CHECK = ALICE_ID[:17] + "5"


def move_carol(users: dict[str, User], household: Household, far: Household) -> Person:
    """End Carol's membership of `household` and add her to `far`."""
    carol = Person.objects.get(resident_id_index=services.resident_id_index(CAROL_ID))
    membership = Membership.objects.get(person=carol, end_date__isnull=True)
    services.end_membership(users["owner"], membership=membership, end=date(2025, 6, 1))
    worker = User.objects.get(username="far_worker")
    services.add_member(
        worker,
        household=far,
        person=carol,
        relationship=Relationship.OTHER,
        start=date(2025, 6, 1),
    )
    return carol


def award_both(
    users: dict[str, User], household: Household, far: Household
) -> tuple[Award, Award]:
    """Dibao to `household` in March, then tekun to `far` in July."""
    first = make_award(household, users["district"], approved_on=date(2025, 3, 14))
    second = make_award(
        far, users["other_district"], approved_on=date(2025, 7, 14), scheme=Scheme.TEKUN
    )
    return first, second


def import_rows(actor: User, text: str, label: str = "list") -> ImportedList:
    return import_list(
        actor, label=label, source_city="苏州市", content=text.encode("utf-8")
    )


ALICE_ELSEWHERE = (
    "name,resident_id,birth_date,sex,address,scheme\n"
    f"王测试,{ALICE_WRONG_CHECK},1980-01-01,M,苏州市测试路5号,低保\n"
)
