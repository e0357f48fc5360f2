"""The personal menu: what it shows, what it hides, and the one-step application."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from doudi.assessments.stages import assess_month
from doudi.cases.models import Case, Channel
from doudi.conftest import ALICE_ID, CAROL_ID
from doudi.feedback.testing import linked_account, portal_client, unlinked_account
from doudi.portal import menu
from doudi.privacy.models import AuditEntry
from doudi.registry.choices import FactKind, FactSource
from doudi.registry.models import Household, Person, PersonFact
from doudi.services.models import (
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)

PHONE = "+8613911112222"
ALICE_NAME = "王测试"
# A department-reported wage of Carol's that the resident did not give.
CAROL_WAGE_FEN = 12_345


@pytest.fixture
def resident(household: Household):
    account = linked_account(PHONE, ALICE_ID, ALICE_NAME)
    return account, portal_client(account)


@pytest.fixture
def carol_facts(household: Household) -> None:
    carol = Person.objects.get(
        memberships__household=household, birth_date=date(2005, 3, 3)
    )
    start = date(2024, 1, 1)
    PersonFact.objects.create(
        person=carol,
        kind=FactKind.DISABILITY,
        code="mental",
        grade=2,
        valid_from=start,
        source=FactSource.DEPARTMENT,
    )
    PersonFact.objects.create(
        person=carol,
        kind=FactKind.INCOME,
        code="wages",
        amount_fen=CAROL_WAGE_FEN,
        valid_from=start,
        source=FactSource.DEPARTMENT,
    )


@pytest.fixture
def nearby_service(regions) -> Service:
    organization = Organization.objects.create(
        name="示例慈善会", description="测试", organization_type="charity"
    )
    service = Service.objects.create(
        organization=organization,
        name="Meals at home",
        status="active",
        application_process="Call the community centre.",
        last_modified=datetime(2026, 1, 1, tzinfo=UTC),
    )
    ServiceCategory.objects.create(service=service, category="care")
    place = Location.objects.create(name="Centre", region=regions["home"])
    ServiceAtLocation.objects.create(service=service, location=place)
    return service


def test_menu_needs_portal_sign_in(db):
    from django.test import Client

    response = Client().get("/portal/menu/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/sign-in/")


def test_unlinked_resident_told_to_link(db):
    client = portal_client(unlinked_account(PHONE))
    response = client.get("/portal/menu/")
    assert response.status_code == 200
    assert b"not linked to a household yet" in response.content


def test_menu_lists_offer_with_reasons(resident, nearby_service):
    _account, client = resident
    response = client.get("/portal/menu/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Minimum living allowance (dibao)" in content
    assert "The records suggest that your household may qualify for" in content
    assert "below the local minimum living standard of 1,650.00 yuan" in content
    assert "a caseworker checks and decides" in content
    assert "Signed authorisation for the check" in content
    assert "Apply for Minimum living allowance (dibao)" in content


def test_menu_lists_nearby_services(resident, nearby_service):
    _account, client = resident
    content = client.get("/portal/menu/").content.decode()
    assert "Meals at home" in content
    assert "Call the community centre." in content
    assert f"/portal/feedback/rate/service/{nearby_service.pk}/" in content


def test_menu_hides_figures_and_members_facts(resident, carol_facts):
    _account, client = resident
    content = client.get("/portal/menu/").content.decode()
    reasons = content.split('<ul class="reasons">')[1:]
    assert reasons, "the menu lists no reasons"
    for block in reasons:
        text = block.split("</ul>")[0]
        assert "disab" not in text.lower()
        assert "mental" not in text.lower()
    assert "123.45" not in content
    # The only figures are the public lines: the standard and the edge line.
    figures = set(re.findall(r"[0-9][0-9,]*\.[0-9]{2}", content))
    assert figures <= {"1,650.00", "2,475.00"}


def test_menu_uses_latest_assessment(resident):
    assess_month(timezone.localdate().replace(day=1))
    _account, client = resident
    content = client.get("/portal/menu/").content.decode()
    month = timezone.localdate().strftime("%Y-%m")
    assert f"From the assessment of {month}." in content
    assert "The records suggest" in content


def test_apply_opens_one_case(resident, household):
    account, client = resident
    first = client.post("/portal/menu/apply/", {"scheme": "dibao"})
    second = client.post("/portal/menu/apply/", {"scheme": "dibao"})

    assert first.status_code == 302
    assert first["Location"] == "/portal/menu/applied/dibao/"
    assert second["Location"] == first["Location"]
    cases = Case.objects.filter(household=household, scheme="dibao")
    assert cases.count() == 1
    case = cases.get()
    assert case.channel == Channel.PORTAL
    assert case.opened_by_id == account.user_id
    assert (
        AuditEntry.objects.filter(
            object_type="cases.case", object_id=str(case.pk), action="create"
        ).count()
        == 1
    )


def test_applied_page_shows_number(resident, household):
    _account, client = resident
    client.post("/portal/menu/apply/", {"scheme": "dibao"})
    case = Case.objects.get(household=household)
    content = client.get("/portal/menu/applied/dibao/").content.decode()
    assert f"Your application number is {case.pk}." in content
    menu_page = client.get("/portal/menu/").content.decode()
    assert f"You have applied. Your application number is {case.pk}." in menu_page


def test_apply_rejects_unknown_scheme(resident):
    _account, client = resident
    response = client.post("/portal/menu/apply/", {"scheme": "lottery"})
    assert response.status_code == 404
    assert not Case.objects.exists()


def test_resident_cannot_apply_for_other_household(resident, far_household):
    account, _client = resident
    with pytest.raises(PermissionDenied):
        menu.apply(account.user, far_household, "dibao")
    assert not Case.objects.filter(household=far_household).exists()


def test_other_household_not_reachable(resident, far_household):
    _account, client = resident
    response = client.get("/portal/menu/applied/dibao/")
    assert response.status_code == 404


def test_reasons_have_no_member_words():
    row = {"eligible": True, "route": "separate", "data_source": "verified"}
    text = " ".join(menu.reasons_for(row, "dibao"))
    assert "disab" not in text.lower()
    assert "economic check" in text


def test_documents_file_has_labels():
    for scheme in ("dibao", "tekun", "edge", "rigid", "temporary"):
        documents = menu.documents_for(scheme)
        assert documents, scheme
        for document in documents:
            assert document.label, document.code
            assert document.basis, document.code


def test_carol_id_is_not_alice():
    assert CAROL_ID != ALICE_ID


def test_worker_applies_as_walk_in(household, users):
    case, created = menu.apply(users["owner"], household, "edge", assisted=True)
    assert created
    assert case.channel == Channel.WALK_IN
    assert case.opened_by_id == users["owner"].pk


def test_worker_outside_region_cannot_apply(household, users):
    with pytest.raises(PermissionDenied):
        menu.apply(users["outsider"], household, "edge", assisted=True)
