"""The warning work list and the warning page with its action forms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from doudi.cases.models import Case
from doudi.monitoring import services, signals
from doudi.monitoring.models import Warning, WarningKind, WarningStatus
from doudi.monitoring.tests.warning_factories import make_warning
from doudi.privacy.choices import AuditAction
from doudi.privacy.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def english(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _days(n: int):
    return timezone.localdate() + timedelta(days=n)


def test_list_shows_own_community_only(users, household, far_household):
    mine = make_warning(household)
    theirs = make_warning(far_household)

    response = english(users["owner"]).get("/monitoring/")

    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/monitoring/{mine.pk}/"' in body
    assert f'href="/monitoring/{theirs.pk}/"' not in body
    assert "王测试" in body
    entry = AuditEntry.objects.get(
        action=AuditAction.READ, object_type="monitoring.warning"
    )
    assert entry.detail["ids"] == [mine.pk]
    assert entry.detail["households"] == [household.pk]


def test_list_reason_in_plain_words(users, household):
    make_warning(household, reason_code="missed:dibao", kind=WarningKind.MISSED)
    make_warning(household, reason_code="exit:tekun", kind=WarningKind.EXIT)

    body = english(users["owner"]).get("/monitoring/").content.decode()

    assert "May qualify for the minimum living allowance (dibao): verify" in body
    assert "May no longer qualify for the extreme poverty support (tekun)" in body


def test_list_reason_in_chinese_by_default(users, household):
    make_warning(household, reason_code="income_drop")
    client = Client()
    client.force_login(users["owner"])

    body = client.get("/monitoring/").content.decode()

    assert 'lang="zh-hans"' in body
    assert signals.reason("income_drop", "zh") in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("deadline=overdue", {"late"}),
        ("deadline=on_time", {"later", "missed"}),
        ("kind=missed", {"missed"}),
        ("category=schooling", {"later"}),
        ("status=closed", {"closed"}),
        ("status=all", {"late", "later", "missed", "closed"}),
        ("", {"late", "later", "missed"}),
    ],
)
def test_list_filters(users, household, query, expected):
    made = {
        "late": make_warning(household, respond_by=_days(-1)),
        "later": make_warning(
            household,
            reason_code="school_fees",
            category="schooling",
            respond_by=_days(30),
        ),
        "missed": make_warning(
            household,
            reason_code="missed:dibao",
            kind=WarningKind.MISSED,
            category="missed_assistance",
            respond_by=_days(30),
        ),
        "closed": make_warning(
            household, reason_code="turning_60", status=WarningStatus.CLOSED
        ),
    }

    body = english(users["owner"]).get(f"/monitoring/?{query}").content.decode()

    shown = {name for name, w in made.items() if f'/monitoring/{w.pk}/"' in body}
    assert shown == expected


def test_overdue_row_stands_out(users, household):
    make_warning(household, respond_by=_days(-1))

    body = english(users["owner"]).get("/monitoring/").content.decode()

    assert 'class="due-overdue"' in body
    assert "Overdue" in body


def test_list_htmx_fragment(users, household):
    make_warning(household)

    response = english(users["owner"]).get(
        "/monitoring/?status=open", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="warnings"
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="warnings-caption"' in response.content


@pytest.mark.parametrize("name", ["city", "district", "auditor", "analyst"])
def test_list_refused_to_other_roles(users, name):
    assert english(users[name]).get("/monitoring/").status_code == 403


def test_detail_shows_reason_household_timeline(users, household):
    warning = make_warning(household)
    services.assign(users["owner"], warning.pk, version=0)

    response = english(users["owner"]).get(f"/monitoring/{warning.pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert f"Warning W{warning.pk:08d}" in body
    assert "王小测" in body
    assert "Assigned" in body
    assert f'action="/monitoring/{warning.pk}/act/visit/"' in body
    assert f'action="/monitoring/{warning.pk}/act/convert/"' in body
    reads = AuditEntry.objects.filter(action=AuditAction.READ, purpose="monitoring")
    assert set(reads.values_list("object_type", flat=True)) == {
        "monitoring.warning",
        "registry.household",
    }


def test_detail_hidden_from_outsider(users, household):
    warning = make_warning(household)

    response = english(users["outsider"]).get(f"/monitoring/{warning.pk}/")

    assert response.status_code == 404
    assert AuditEntry.objects.filter(
        action=AuditAction.DENIED, object_id=str(warning.pk)
    ).exists()
    assert "王测试" not in response.content.decode()


def test_act_assign_then_visit(users, household):
    warning = make_warning(household)
    client = english(users["owner"])

    assigned = client.post(
        f"/monitoring/{warning.pk}/act/assign/",
        {"assign-version": 0, "assign-assignee": users["owner"].pk},
    )
    visited = client.post(
        f"/monitoring/{warning.pk}/act/visit/",
        {
            "visit-version": 1,
            "visit-visited_on": timezone.localdate().isoformat(),
            "visit-note": "Synthetic visit.",
        },
    )

    assert assigned.status_code == 302
    assert visited.status_code == 302
    warning.refresh_from_db()
    assert warning.status == WarningStatus.VISITED


def test_act_stale_version_conflict(users, household):
    warning = make_warning(household)
    services.assign(users["owner"], warning.pk, version=0)

    response = english(users["owner"]).post(
        f"/monitoring/{warning.pk}/act/close/",
        {"close-version": 0, "close-reason": "No need."},
    )

    assert response.status_code == 409
    assert "Someone else acted on this warning" in response.content.decode()
    warning.refresh_from_db()
    assert warning.status == WarningStatus.ASSIGNED


def test_act_close_without_reason_rejected(users, household):
    warning = make_warning(household)

    response = english(users["owner"]).post(
        f"/monitoring/{warning.pk}/act/close/", {"close-version": 0, "close-reason": ""}
    )

    assert response.status_code == 400
    warning.refresh_from_db()
    assert warning.status == WarningStatus.NEW


def test_act_by_outsider_refused(users, household):
    warning = make_warning(household)

    response = english(users["outsider"]).post(
        f"/monitoring/{warning.pk}/act/close/",
        {"close-version": 0, "close-reason": "No need."},
    )

    assert response.status_code in {403, 404}
    warning.refresh_from_db()
    assert warning.status == WarningStatus.NEW


def test_act_convert_redirects_to_case(users, household):
    warning = make_warning(household)

    response = english(users["owner"]).post(
        f"/monitoring/{warning.pk}/act/convert/",
        {"convert-version": 0, "convert-scheme": "dibao", "convert-situation": ""},
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert Warning.objects.get().case == case


def test_unknown_action_not_found(users, household):
    warning = make_warning(household)

    response = english(users["owner"]).post(f"/monitoring/{warning.pk}/act/delete/")

    assert response.status_code == 404


def test_street_reviewer_list_after_escalation(users, household):
    warning = make_warning(household, respond_by=_days(-1))
    client = english(users["street"])

    before = client.get("/monitoring/").content.decode()
    services.escalate_overdue(timezone.localdate())
    after = client.get("/monitoring/").content.decode()

    assert f"/monitoring/{warning.pk}/" not in before
    assert f"/monitoring/{warning.pk}/" in after
    assert "escalated" in after


def test_detail_figures_in_plain_words(users, household):
    warning = make_warning(household, reason_code="missed:dibao")
    Warning.objects.filter(pk=warning.pk).update(
        detail={
            "signals": ["serious_illness_new"],
            "scheme": "dibao",
            "amount_fen": 123450,
            "tier": None,
        }
    )

    body = english(users["owner"]).get(f"/monitoring/{warning.pk}/").content.decode()

    assert "A member was recently diagnosed with a serious illness" in body
    assert "1234.50" in body
    assert "Tier" not in body


def test_stale_action_shows_error(users, household):
    warning = make_warning(household)
    assigned = services.assign(users["owner"], warning.pk, version=0)
    services.close_no_need(
        users["owner"], warning.pk, version=assigned.version, reason="Moved away."
    )

    # The visit form of the assigned warning; the warning is closed since.
    response = english(users["owner"]).post(
        f"/monitoring/{warning.pk}/act/visit/",
        {
            "visit-version": assigned.version,
            "visit-visited_on": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 409
    alerts = re.findall(r'<p class="error" role="alert">(.*?)</p>', response.text)
    assert alerts, "the page says nothing about why the visit was not recorded"
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLOSED
