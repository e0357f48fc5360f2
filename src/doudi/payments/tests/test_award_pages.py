"""The award list and award page, in English: who reads what, and the audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from doudi.assessments.models import Scheme
from doudi.payments.models import Award
from doudi.payments.tests.factories import (
    make_award,
    make_paid_award,
    synthetic_account,
)
from doudi.payments.tests.test_pages import english
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Household


@pytest.fixture
def award(users: dict[str, User], household: Household) -> Award:
    return make_paid_award(household, users["district"], amount_fen=150_000)


def page_of(user: User, award: Award) -> str:
    response = english(user).get(f"/payments/awards/{award.pk}/")
    assert response.status_code == 200
    return response.text


def test_approver_sees_award_and_actions(users: dict[str, User], award: Award) -> None:
    text = page_of(users["district"], award)
    assert "Minimum living allowance (dibao)" in text
    assert "1,500.00" in text
    assert "Suspend payment" in text
    assert "Record the bank account" in text
    assert "Resume payment" not in text  # the award is in payment
    assert "Bank account changed" in text  # its history


def test_account_number_masked(users: dict[str, User], award: Award) -> None:
    text = page_of(users["district"], award)
    assert f"****{synthetic_account(1)[-4:]}" in text
    assert synthetic_account(1) not in text


def test_read_is_audited(users: dict[str, User], award: Award) -> None:
    page_of(users["district"], award)
    entry = AuditEntry.objects.get(
        object_type="payments.award", action="read", object_id=str(award.pk)
    )
    assert entry.purpose == "case_work"


def test_community_worker_reports_only(users: dict[str, User], award: Award) -> None:
    text = page_of(users["owner"], award)
    assert "Record the reported change" in text
    assert "Suspend payment" not in text
    assert "Record the bank account" not in text


def test_city_admin_reads_only(users: dict[str, User], award: Award) -> None:
    text = page_of(users["city"], award)
    assert "your role does not act on it" in text
    assert '<form class="action"' not in text


@pytest.mark.parametrize("name", ["other_district", "outsider", "auditor", "analyst"])
def test_others_forbidden_and_audited(
    users: dict[str, User], award: Award, name: str
) -> None:
    response = english(users[name]).get(f"/payments/awards/{award.pk}/")
    assert response.status_code == 403
    assert AuditEntry.objects.filter(
        object_type="payments.award", action="denied", actor=users[name]
    ).exists()


def test_missing_award_404(users: dict[str, User]) -> None:
    assert english(users["district"]).get("/payments/awards/999999/").status_code == 404


def test_list_in_scope(users: dict[str, User], award: Award) -> None:
    response = english(users["district"]).get("/payments/awards/")
    assert response.status_code == 200
    assert f'href="/payments/awards/{award.pk}/"' in response.text
    other = english(users["other_district"]).get("/payments/awards/")
    assert f'href="/payments/awards/{award.pk}/"' not in other.text


@pytest.mark.parametrize("name", ["auditor", "analyst"])
def test_list_forbidden(users: dict[str, User], award: Award, name: str) -> None:
    assert english(users[name]).get("/payments/awards/").status_code == 403


def test_list_filters(users: dict[str, User], household: Household) -> None:
    today = timezone.localdate()
    soon = make_award(household, users["district"])
    Award.objects.filter(pk=soon.pk).update(next_review_on=today + timedelta(days=10))
    late = make_award(household, users["district"], scheme=Scheme.TEKUN)
    Award.objects.filter(pk=late.pk).update(next_review_on=today - timedelta(days=1))
    client = english(users["district"])
    due = client.get("/payments/awards/?review=soon").text
    assert f"Award {soon.pk}<" in due
    assert f"Award {late.pk}<" not in due
    overdue = client.get("/payments/awards/?review=overdue").text
    assert f"Award {late.pk}<" in overdue
    assert f"Award {soon.pk}<" not in overdue
    tekun = client.get("/payments/awards/?scheme=tekun&status=active").text
    assert f"Award {late.pk}<" in tekun
    assert f"Award {soon.pk}<" not in tekun


def test_list_pages_keep_filters(users: dict[str, User], household: Household) -> None:
    for _ in range(51):
        make_award(household, users["district"])
    text = english(users["district"]).get("/payments/awards/?status=active").text
    assert "page 1 of 2" in text
    assert "?status=active&amp;page=2" in text


def test_roll_list_links_awards(users: dict[str, User], award: Award) -> None:
    text = english(users["district"]).get("/payments/").text
    assert 'href="/payments/awards/"' in text


def test_panel_links_award(award: Award) -> None:
    html = render_to_string("payments/_award_panel.html", {"awards": [award]})
    assert f'href="/payments/awards/{award.pk}/"' in html


def test_approved_on_shown(users: dict[str, User], award: Award) -> None:
    assert date(2025, 3, 14).isoformat() in page_of(users["district"], award)
