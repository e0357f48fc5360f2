"""Report and household pages: who may open them, masking, and the audit trail."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from doudi.conftest import make_user, signed_in
from doudi.exchange.kinds import FeedKind
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import AuditEntry
from doudi.verification import services
from doudi.verification.authorisations import NEEDED_KINDS
from doudi.verification.models import Authorisation, RequestPurpose
from doudi.verification.tests.factories import (
    AS_OF,
    alice,
    authorise,
    carol,
    declare_income,
    fact,
)

pytestmark = pytest.mark.django_db
ALLOWED = ["owner", "street", "district"]
REFUSED_ROLES = ["analyst", "provider", "auditor", "city"]
REFUSED_REGIONS = ["outsider", "other_district"]


@pytest.fixture(autouse=True)
def _second_factor_off(settings) -> None:
    settings.OTP_REQUIRED = False


@pytest.fixture
def report(users, household):
    authorise(users["owner"], household)
    declare_income(alice(), "wages", 250_000, date(2024, 1, 1))
    fact(alice(), "income", "wages", 312_345, date(2025, 1, 1))
    fact(carol(), "spending", "education", 150_000, date(2025, 3, 1))
    request = services.verify_household(
        users["owner"], household, as_of=AS_OF, purpose=RequestPurpose.APPLICATION
    )
    return request.report


def _english(user):
    """Return a client for `user` that requests English pages."""
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    return client


def _url(report, suffix: str = "/") -> str:
    return f"/verification/reports/{report.pk}{suffix}"


@pytest.mark.parametrize("name", ALLOWED)
def test_report_page_for_deciding_roles(users, report, name) -> None:
    response = _english(users[name]).get(_url(report))

    html = response.content.decode()
    assert response.status_code == 200
    assert "3,123.45" in html
    assert "2,500.00" in html
    assert "623.45" in html
    assert "1,500.00" in html
    assert "CONFIDENTIAL" in html
    assert "市税务局" in html
    assert "王测试" in html
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("name", REFUSED_ROLES + REFUSED_REGIONS)
@pytest.mark.parametrize("suffix", ["/", ".pdf"])
def test_report_refused_with_403(users, report, name, suffix) -> None:
    response = signed_in(users[name]).get(_url(report, suffix))

    assert response.status_code == 403
    assert "3,123.45" not in response.content.decode(errors="replace")
    entry = AuditEntry.objects.get(action=AuditAction.DENIED)
    assert entry.object_type == "verification.report"
    assert entry.object_id == str(report.pk)
    assert entry.actor == users[name]


def test_signed_out_reader_redirected(client, report) -> None:
    response = client.get(_url(report))

    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


def test_missing_report_is_404(users, report) -> None:
    assert (
        signed_in(users["owner"]).get("/verification/reports/999999/").status_code
        == 404
    )


@pytest.mark.parametrize(("suffix", "output"), [("/", "html"), (".pdf", "pdf")])
def test_every_view_audited(users, report, suffix, output) -> None:
    client = signed_in(users["street"])

    client.get(_url(report, suffix))
    client.get(_url(report, suffix))

    entries = AuditEntry.objects.filter(
        object_type="verification.report", action=AuditAction.READ
    )
    assert entries.count() == 2
    for entry in entries:
        assert entry.purpose == Purpose.VERIFICATION
        assert entry.actor == users["street"]
        assert entry.object_id == str(report.pk)
        assert entry.detail["format"] == output
        assert "王测试" not in str(entry.detail)


def test_names_masked_for_roles_without_full_names(users, report, settings) -> None:
    from doudi.privacy import access
    from doudi.verification import queries

    reader = users["owner"]
    original = access.FULL_ID_ROLES
    access.FULL_ID_ROLES = frozenset()
    try:
        page = queries.open_report(reader, report.pk, None, "html")
    finally:
        access.FULL_ID_ROLES = original

    names = {item.who for item in page.items}
    assert "王**" in names
    assert "王测试" not in names


def test_household_page_lists_and_audits(users, report, household) -> None:
    response = signed_in(users["owner"]).get(
        f"/verification/households/{household.pk}/"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f"/verification/reports/{report.pk}/" in html
    assert 'value="wages_tax" checked' in html or "checked" in html
    entry = AuditEntry.objects.filter(
        object_type="registry.household", purpose=Purpose.VERIFICATION
    ).get()
    assert entry.object_id == str(household.pk)


def test_household_page_preselects_authorised_kinds(users, household) -> None:
    response = signed_in(users["owner"]).get(
        f"/verification/households/{household.pk}/"
    )

    form = response.context["form"]
    assert form["data_kinds"].initial == list(NEEDED_KINDS)
    assert sorted(form["members"].initial) == sorted([alice().pk, carol().pk])


@pytest.mark.parametrize("name", REFUSED_ROLES + REFUSED_REGIONS)
def test_household_page_refused(users, household, name) -> None:
    response = signed_in(users[name]).get(f"/verification/households/{household.pk}/")

    assert response.status_code == 403


def test_household_page_links_from_registry(users, household) -> None:
    html = signed_in(users["owner"]).get(f"/registry/households/{household.pk}/")
    city_html = signed_in(users["city"]).get(f"/registry/households/{household.pk}/")

    link = f"/verification/households/{household.pk}/"
    assert link in html.content.decode()
    assert link not in city_html.content.decode()


def test_worker_records_authorisation_on_page(users, household) -> None:
    client = signed_in(users["owner"])

    response = client.post(
        f"/verification/households/{household.pk}/",
        {
            "signed_by": alice().pk,
            "members": [alice().pk, carol().pk],
            "data_kinds": [FeedKind.WAGES_TAX, FeedKind.VEHICLE],
            "signed_on": "2025-06-01",
            "valid_until": "2026-05-31",
        },
    )

    assert response.status_code == 302
    item = Authorisation.objects.get()
    assert item.data_kinds == ["vehicle", "wages_tax"]
    assert item.recorded_by == users["owner"]


def test_page_shows_service_errors(users, household) -> None:
    response = _english(users["owner"]).post(
        f"/verification/households/{household.pk}/",
        {
            "signed_by": alice().pk,
            "members": [alice().pk],
            "data_kinds": [FeedKind.WAGES_TAX],
            "signed_on": "2025-06-01",
            "valid_until": "2027-06-01",
        },
    )

    assert response.status_code == 200
    assert "at most 12 months" in response.content.decode()
    assert not Authorisation.objects.exists()


def test_district_approver_cannot_record(users, household) -> None:
    response = signed_in(users["district"]).post(
        f"/verification/households/{household.pk}/",
        {
            "signed_by": alice().pk,
            "members": [alice().pk],
            "data_kinds": [FeedKind.WAGES_TAX],
            "signed_on": "2025-06-01",
            "valid_until": "2026-05-31",
        },
    )

    assert response.status_code == 403
    assert not Authorisation.objects.exists()


def test_verify_button_refuses_with_reason(users, household) -> None:
    client = _english(users["owner"])

    response = client.post(
        f"/verification/households/{household.pk}/verify",
        {"as_of": "2025-06-30", "purpose": "application"},
        follow=True,
    )

    assert "no signed authorisation" in response.content.decode()


def test_verify_button_opens_report(users, household) -> None:
    authorise(users["owner"], household)
    client = signed_in(users["owner"])

    response = client.post(
        f"/verification/households/{household.pk}/verify",
        {"as_of": "2025-06-30", "purpose": "review"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/verification/reports/")


def test_revoke_on_page(users, household) -> None:
    item = authorise(users["owner"], household)

    response = signed_in(users["owner"]).post(
        f"/verification/authorisations/{item.pk}/revoke"
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.revoked_at is not None


def test_revoke_asks_to_confirm_first(users, household) -> None:
    item = authorise(users["owner"], household)
    client = signed_in(users["owner"])
    client.cookies["django_language"] = "en"

    response = client.get(f"/verification/authorisations/{item.pk}/revoke")

    assert response.status_code == 200
    assert "cannot be undone" in response.content.decode()
    item.refresh_from_db()
    assert item.revoked_at is None


def test_outsider_cannot_open_revoke_page(users, household) -> None:
    item = authorise(users["owner"], household)

    response = signed_in(users["outsider"]).get(
        f"/verification/authorisations/{item.pk}/revoke"
    )

    assert response.status_code == 403


def test_resident_cannot_open(users, report, household) -> None:
    resident = make_user("resident", Role.RESIDENT, None, person=alice())

    response = signed_in(resident).get(_url(report))

    assert response.status_code == 403


def test_date_fields_are_iso_in_chinese(users, household) -> None:
    """A browser date picker shows only ISO values, whatever the page language."""
    from django.urls import reverse

    client = signed_in(users["owner"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("verification:household", args=[household.pk]))

    today = timezone.localdate().isoformat()
    assert page.status_code == 200
    assert f'value="{today}"' in page.content.decode()
