"""The policy officer's signal page: outcomes, charts, weights, fairness."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from doudi.monitoring import services
from doudi.monitoring.models import Outcome, SignalWeight
from doudi.monitoring.tests.warning_factories import make_warning
from doudi.privacy.choices import AuditAction
from doudi.privacy.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def english(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _resolved(users, household, outcome=Outcome.BENEFIT_DELIVERED):
    warning = make_warning(household, reason_code="income_drop")
    owner = users["owner"]
    warning = services.assign(owner, warning.pk, version=0)
    warning = services.record_visit(
        owner, warning.pk, version=warning.version, visited_on=timezone.localdate()
    )
    return services.resolve(owner, warning.pk, version=warning.version, outcome=outcome)


def _specs(body: str) -> dict[str, dict[str, object]]:
    found = re.findall(
        r'<script id="([a-z-]+-spec)" type="application/json">(.*?)</script>',
        body,
        re.S,
    )
    return {name: json.loads(text) for name, text in found}


def test_officer_sees_outcomes_and_charts(users, household):
    _resolved(users, household)
    make_warning(household, reason_code="school_fees", category="schooling")

    response = english(users["city"]).get("/monitoring/signals/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "100.0 %" in body
    specs = _specs(body)
    assert set(specs) == {
        "outcome-chart-spec",
        "time-chart-spec",
        "fairness-chart-spec",
    }
    assert all("$schema" not in spec for spec in specs.values())
    assert "cdn" not in body.lower()
    assert "/static/doudi/vendor/vega-embed.min.js" in body
    assert "https://" not in body


def test_officer_page_names_no_person(users, household):
    _resolved(users, household)

    body = english(users["city"]).get("/monitoring/signals/").content.decode()

    assert "王测试" not in body
    assert "测试路" not in body
    entry = AuditEntry.objects.get(object_type="monitoring.signal_outcomes")
    assert entry.action == AuditAction.READ
    assert entry.record_count == 2


def test_fairness_table_by_district(users, household, far_household):
    _resolved(users, household)

    body = english(users["city"]).get("/monitoring/signals/").content.decode()

    assert "District: 黄浦区" in body
    assert "District: 徐汇区" in body
    assert "Whole city" in body


@pytest.mark.parametrize("name", ["owner", "street", "district", "analyst", "auditor"])
def test_signal_page_refused_to_others(users, name):
    assert english(users[name]).get("/monitoring/signals/").status_code == 403


def test_preview_fragment_then_save(users, household):
    client = english(users["city"])
    page = client.get("/monitoring/signals/").content.decode()
    fields = dict(re.findall(r'name="([a-z0-9_:]+)" value="([0-9.]+)"', page))
    assert "serious_illness_new" in fields
    fields["serious_illness_new"] = "4.25"

    preview = client.post(
        "/monitoring/signals/preview/", fields, HTTP_HX_REQUEST="true"
    )
    assert preview.status_code == 200
    assert b"<html" not in preview.content
    assert b"Warnings the next scan would raise" in preview.content
    assert SignalWeight.objects.count() == 0

    saved = client.post("/monitoring/signals/weights/", fields)
    assert saved.status_code == 302
    assert SignalWeight.objects.get().code == "serious_illness_new"


def test_save_rejects_negative_weight(users):
    client = english(users["city"])
    page = client.get("/monitoring/signals/").content.decode()
    fields = dict(re.findall(r'name="([a-z0-9_:]+)" value="([0-9.]+)"', page))
    fields["serious_illness_new"] = "-1"

    response = client.post("/monitoring/signals/weights/", fields)

    assert response.status_code == 400
    assert SignalWeight.objects.count() == 0


def test_worker_cannot_post_weights(users):
    response = english(users["owner"]).post(
        "/monitoring/signals/weights/", {"serious_illness_new": "1"}
    )

    assert response.status_code == 403
    assert SignalWeight.objects.count() == 0
