"""The roll list and roll page, in English, for approvers and outsiders."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client

from doudi.conftest import signed_in
from doudi.payments.models import LineStatus, PaymentRoll, RollStatus
from doudi.payments.rolls import compute_roll
from doudi.payments.tests.factories import make_paid_award, synthetic_account
from doudi.payments.tests.helpers import results_file
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Household

APRIL = date(2025, 4, 1)


def english(user: User) -> Client:
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def roll(users: dict[str, User], household: Household) -> PaymentRoll:
    make_paid_award(household, users["district"], amount_fen=150_000)
    return compute_roll("310101", APRIL)


def test_list_shows_district_rolls(users: dict[str, User], roll: PaymentRoll) -> None:
    response = english(users["district"]).get("/payments/")
    assert response.status_code == 200
    assert "Payment rolls" in response.text
    assert "Roll of 黄浦区 for 2025-04" in response.text


def test_list_hides_other_district(users: dict[str, User], roll: PaymentRoll) -> None:
    response = english(users["other_district"]).get("/payments/")
    assert "Roll of 黄浦区" not in response.text


@pytest.mark.parametrize("name", ["owner", "street", "auditor", "analyst"])
def test_list_forbidden_to_others(
    users: dict[str, User], roll: PaymentRoll, name: str
) -> None:
    assert english(users[name]).get("/payments/").status_code == 403


def test_roll_page_shows_totals(users: dict[str, User], roll: PaymentRoll) -> None:
    response = english(users["district"]).get(f"/payments/rolls/{roll.pk}/")
    assert response.status_code == 200
    assert "Totals by scheme" in response.text
    assert '<th scope="row">Minimum living allowance (dibao)</th>' in response.text
    assert "1,500.00" in response.text
    assert "Sign the roll" in response.text
    assert f"****{synthetic_account(1)[-4:]}" in response.text
    assert synthetic_account(1) not in response.text
    assert AuditEntry.objects.filter(
        object_type="payments.roll", action="read"
    ).exists()


def test_roll_page_outsider_404(users: dict[str, User], roll: PaymentRoll) -> None:
    response = english(users["other_district"]).get(f"/payments/rolls/{roll.pk}/")
    assert response.status_code == 404


def test_lines_fragment_for_htmx(users: dict[str, User], roll: PaymentRoll) -> None:
    response = english(users["district"]).get(
        f"/payments/rolls/{roll.pk}/?page=1",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="lines",
    )
    assert "Lines, page 1 of 1" in response.text
    assert "Totals by scheme" not in response.text


def test_sign_export_and_reconcile(users: dict[str, User], roll: PaymentRoll) -> None:
    client = english(users["district"])
    response = client.post(
        f"/payments/rolls/{roll.pk}/sign", {"version": roll.version}, follow=True
    )
    assert "The roll is signed" in response.text

    download = client.post(f"/payments/rolls/{roll.pk}/export")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert synthetic_account(1) in download.content.decode()

    line = roll.lines.get()
    upload = SimpleUploadedFile(
        "results.csv", results_file([(line.pk, "paid", "", "B1")]), "text/csv"
    )
    response = client.post(
        f"/payments/rolls/{roll.pk}/results", {"results": upload}, follow=True
    )
    assert "Results recorded: 1 paid, 0 failed, 0 unknown line ids." in response.text
    roll.refresh_from_db()
    assert roll.status == RollStatus.RECONCILED
    assert roll.lines.get().status == LineStatus.PAID


def test_malformed_upload_names_line(users: dict[str, User], roll: PaymentRoll) -> None:
    client = english(users["district"])
    client.post(f"/payments/rolls/{roll.pk}/sign", {"version": roll.version})
    client.post(f"/payments/rolls/{roll.pk}/export")
    upload = SimpleUploadedFile("r.csv", results_file([("abc", "paid", "", "B")]))
    response = client.post(
        f"/payments/rolls/{roll.pk}/results", {"results": upload}, follow=True
    )
    assert "Line 2: line id &#x27;abc&#x27; is not a whole number" in response.text


def test_computer_cannot_sign_on_page(
    users: dict[str, User], roll: PaymentRoll
) -> None:
    client = english(users["district"])
    client.post(f"/payments/rolls/{roll.pk}/compute")
    roll.refresh_from_db()
    response = client.post(f"/payments/rolls/{roll.pk}/sign", {"version": roll.version})
    assert response.status_code == 403


def test_award_panel_renders(users: dict[str, User], household: Household) -> None:
    award = make_paid_award(household, users["district"])
    from django.utils import translation

    with translation.override("en"):
        html = render_to_string("payments/_award_panel.html", {"awards": [award]})
    assert "Minimum living allowance (dibao)" in html
    assert "1,500.00" in html
    assert "every 12 months" in html
    assert synthetic_account(1) not in html


def test_conflict_shown_with_label(users: dict[str, User], roll: PaymentRoll) -> None:
    client = english(users["district"])
    client.post(f"/payments/rolls/{roll.pk}/sign", {"version": roll.version})
    client.post(f"/payments/rolls/{roll.pk}/export")
    line = roll.lines.get()
    for name, status, reason, reference in (
        ("a.csv", "paid", "", "B1"),
        ("b.csv", "failed", "MS03", ""),
    ):
        upload = SimpleUploadedFile(
            name, results_file([(line.pk, status, reason, reference)])
        )
        client.post(f"/payments/rolls/{roll.pk}/results", {"results": upload})
    response = client.get(f"/payments/rolls/{roll.pk}/")
    assert f"line {line.pk} (already recorded as paid)" in response.text
