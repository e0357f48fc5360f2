"""Fixtures of the case tests: staff of each step, an authorised household, walks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from doudi.cases import services
from doudi.cases.declaration import Declaration, DeclaredAsset, DeclaredIncome
from doudi.cases.models import Case, Channel, PublicNotice, Step
from doudi.conftest import make_user
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Household, Region
from doudi.verification.authorisations import NEEDED_KINDS
from doudi.verification.services import record_authorisation

DECLARATION = Declaration(
    incomes=(DeclaredIncome("wages", 80_000), DeclaredIncome("pension", 20_000)),
    assets=(DeclaredAsset("deposits", 500_000),),
    situation="The head lost his job in June; the daughter is at school.",
)


@pytest.fixture
def staff(users: dict[str, User], regions: dict[str, Region]) -> dict[str, User]:
    """The people of one case: two community workers, a reviewer, an approver."""
    return {
        "worker": users["owner"],
        "worker2": make_user("owner2", Role.COMMUNITY_WORKER, regions["home"]),
        "street": users["street"],
        "district": users["district"],
        "outsider": users["outsider"],
        "other_district": users["other_district"],
        "city": users["city"],
        "auditor": users["auditor"],
    }


@pytest.fixture
def authorised(household: Household, staff: dict[str, User]) -> Household:
    """The household with an authorisation that covers every member and kind."""
    today = timezone.localdate()
    members = [m.person for m in household.memberships.select_related("person")]
    head = next(m.person for m in household.memberships.filter(relationship="head"))
    record_authorisation(
        staff["worker"],
        household,
        signed_by=head,
        members=members,
        data_kinds=NEEDED_KINDS,
        signed_on=today,
        valid_until=today + timedelta(days=300),
    )
    return household


def open_walk_in(worker: User, household: Household, scheme: str = "dibao") -> Case:
    case, _ = services.open_case(
        worker,
        household_id=household.pk,
        scheme=scheme,
        channel=Channel.WALK_IN,
        declaration=DECLARATION,
    )
    return case


def visit(staff: dict[str, User], **changes: object) -> services.Visit:
    values: dict[str, object] = {
        "visited_on": timezone.localdate(),
        "investigator_ids": [staff["worker"].pk, staff["worker2"].pk],
        "members_present": 2,
        "housing": "rented",
        "living_conditions": "basic",
        "declaration_matches": True,
        "opinion": "support",
        "findings": "Two rooms, rented; the head looks for work.",
    }
    values.update(changes)
    return services.Visit(**values)  # type: ignore[arg-type]


def backdate_notice(case: Case, days: int = 8) -> None:
    """Move a running notice into the past, so that it may be closed today."""
    start = timezone.localdate() - timedelta(days=days)
    PublicNotice.objects.filter(case=case).update(
        starts_on=start, ends_on=start + timedelta(days=6)
    )


def walk(case: Case, staff: dict[str, User], until: Step) -> Case:
    """Take the case through the workflow until it reaches step `until`."""
    steps = [
        (
            Step.SURVEY,
            lambda c: services.accept(staff["worker"], c.pk, version=c.version),
        ),
        (
            Step.VERIFICATION,
            lambda c: services.record_survey(
                staff["worker"], c.pk, version=c.version, visit=visit(staff)
            ),
        ),
        (
            Step.STREET_REVIEW,
            lambda c: services.request_verification(
                staff["worker"], c.pk, version=c.version
            ),
        ),
        (
            Step.PUBLIC_NOTICE,
            lambda c: services.send_to_notice(
                staff["street"], c.pk, version=c.version, proposed_amount_fen=120_000
            ),
        ),
    ]
    for reached, action in steps:
        if case.step == until:
            return case
        case = action(case)
        assert case.step == reached
    if until == Step.PUBLIC_NOTICE:
        return case
    case = services.start_notice(staff["street"], case.pk, version=case.version)
    backdate_notice(case)
    case = services.close_notice(staff["street"], case.pk, version=case.version)
    assert case.step == Step.DISTRICT_APPROVAL
    return case


def today() -> date:
    return timezone.localdate()
