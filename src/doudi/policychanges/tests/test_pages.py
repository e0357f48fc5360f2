"""The policy pages through Django's test client."""

from __future__ import annotations

import re
from datetime import date

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from doudi.conftest import make_user, signed_in
from doudi.policychanges import services
from doudi.policychanges.models import ChangeStatus, ParameterChange
from doudi.policychanges.tests.conftest import standard_proposal
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry
from doudi.registry.models import Household

PROPOSAL = {
    "name": "dibao.standard",
    "district": "",
    "effective_from": "2027-01-01",
    "value": "1800",
    "source": "沪民规〔2026〕1号",
    "reason": "Annual adjustment",
}


def _pages(change_pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("policychanges:parameters")),
        ("get", reverse("policychanges:parameter_detail", args=["dibao.standard"])),
        ("get", reverse("policychanges:propose")),
        ("get", reverse("policychanges:change_list")),
        ("get", reverse("policychanges:change_detail", args=[change_pk])),
        ("get", reverse("policychanges:export")),
        ("get", reverse("policychanges:simulate")),
        ("post", reverse("policychanges:approve", args=[change_pk])),
        ("post", reverse("policychanges:withdraw", args=[change_pk])),
    ]


@pytest.mark.parametrize("role_user", ["district", "street", "auditor", "analyst"])
def test_other_roles_get_403(users, officers, role_user):
    change, _ = services.propose(officers["a"], standard_proposal())
    client = signed_in(users[role_user])

    for method, url in _pages(change.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url

    change.refresh_from_db()
    assert change.status == ChangeStatus.PROPOSED


def test_anonymous_redirected_to_sign_in(db):
    response = Client().get(reverse("policychanges:parameters"))
    assert response.status_code == 302


def test_nav_link_for_city_admin_only(users):
    admin_page = signed_in(users["city"]).get(reverse("registry:household_list"))
    worker_page = signed_in(users["owner"]).get(reverse("registry:household_list"))

    assert reverse("policychanges:parameters") in admin_page.content.decode()
    assert reverse("policychanges:parameters") not in worker_page.content.decode()


def test_parameter_list_shows_values_and_flags(officers):
    response = signed_in(officers["a"]).get(
        reverse("policychanges:parameters"), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = response.content.decode()

    assert response.status_code == 200
    assert "dibao.standard" in text
    assert "1650" in text
    assert "yuan per person per month" in text
    assert "national default" in text
    assert "secondary source" in text


def test_parameter_list_in_chinese_by_default(officers):
    response = signed_in(officers["a"]).get(reverse("policychanges:parameters"))

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_parameter_detail_lists_history(officers):
    response = signed_in(officers["a"]).get(
        reverse("policychanges:parameter_detail", args=["dibao.standard"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = response.content.decode()

    assert "2021-07-01" in text
    assert "1330" in text
    assert "in force" in text


def test_unknown_parameter_not_found(officers):
    url = reverse("policychanges:parameter_detail", args=["dibao.nonsense"])
    assert signed_in(officers["a"]).get(url).status_code == 404


def test_propose_previews_then_submits(officers):
    client = signed_in(officers["a"])
    url = reverse("policychanges:propose")

    preview = client.post(url, {**PROPOSAL, "action": "preview"})
    text = preview.content.decode()
    assert preview.status_code == 200
    assert ParameterChange.objects.count() == 0
    assert "1650" in text
    assert 'id="preview-chart-heading"' in text
    fingerprint = re.search(r'name="previewed" value="([0-9a-f]+)"', text)
    assert fingerprint

    submitted = client.post(
        url, {**PROPOSAL, "action": "submit", "previewed": fingerprint[1]}
    )
    change = ParameterChange.objects.get()
    assert submitted.status_code == 302
    assert submitted["Location"] == reverse(
        "policychanges:change_detail", args=[change.pk]
    )
    assert change.proposed_by == officers["a"]


def test_submit_with_changed_value_previews_again(officers):
    client = signed_in(officers["a"])
    url = reverse("policychanges:propose")
    preview = client.post(url, {**PROPOSAL, "action": "preview"})
    fingerprint = re.search(
        r'name="previewed" value="([0-9a-f]+)"', preview.content.decode()
    )
    assert fingerprint

    again = client.post(
        url,
        {**PROPOSAL, "value": "1900", "action": "submit", "previewed": fingerprint[1]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert again.status_code == 200
    assert "The values changed since the last preview" in again.content.decode()
    assert ParameterChange.objects.count() == 0


def test_propose_error_names_value(officers):
    response = signed_in(officers["a"]).post(
        reverse("policychanges:propose"),
        {**PROPOSAL, "value": "-100", "action": "preview"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "“-100” is negative" in response.content.decode()


def test_propose_prefills_current_value(officers):
    response = signed_in(officers["a"]).get(
        reverse("policychanges:propose") + "?name=dibao.standard"
    )

    assert 'value="1650"' in response.content.decode()


def test_proposer_sees_no_approve_button(officers):
    change, _ = services.propose(officers["a"], standard_proposal())
    url = reverse("policychanges:change_detail", args=[change.pk])

    own = signed_in(officers["a"]).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    other = (
        signed_in(officers["b"]).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    approve_url = reverse("policychanges:approve", args=[change.pk])
    assert approve_url not in own
    assert "Withdraw this proposal" in own
    assert approve_url in other
    assert "Withdraw this proposal" not in other
    assert 'id="change-chart-heading"' in other


def test_proposer_approval_refused_by_server(officers):
    change, _ = services.propose(officers["a"], standard_proposal())

    response = signed_in(officers["a"]).post(
        reverse("policychanges:approve", args=[change.pk]),
        {"note": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 403
    assert "you cannot decide on it" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeStatus.PROPOSED


def test_second_officer_approves_page(officers):
    change, _ = services.propose(officers["a"], standard_proposal())

    response = signed_in(officers["b"]).post(
        reverse("policychanges:approve", args=[change.pk]), {"note": "ok"}
    )

    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert change.decided_by == officers["b"]


def test_reject_without_note_refused(officers):
    change, _ = services.propose(officers["a"], standard_proposal())

    response = signed_in(officers["b"]).post(
        reverse("policychanges:reject", args=[change.pk]), {"note": ""}
    )

    assert response.status_code == 400
    change.refresh_from_db()
    assert change.status == ChangeStatus.PROPOSED


def test_approving_decided_change_conflicts(officers):
    change, _ = services.propose(officers["a"], standard_proposal())
    services.withdraw(officers["a"], change.pk)

    response = signed_in(officers["b"]).post(
        reverse("policychanges:approve", args=[change.pk]), {"note": ""}
    )

    assert response.status_code == 409


def test_change_list_filters_status(officers):
    open_change, _ = services.propose(officers["a"], standard_proposal())
    withdrawn, _ = services.propose(
        officers["a"], standard_proposal("1900", date(2027, 2, 1))
    )
    services.withdraw(officers["a"], withdrawn.pk)
    client = signed_in(officers["b"])

    text = client.get(reverse("policychanges:change_list") + "?status=proposed")

    page = text.content.decode()
    assert reverse("policychanges:change_detail", args=[open_change.pk]) in page
    assert reverse("policychanges:change_detail", args=[withdrawn.pk]) not in page


def test_export_downloads_effective_yaml(officers):
    change, _ = services.propose(officers["a"], standard_proposal())
    services.approve(officers["b"], change.pk)

    response = signed_in(officers["a"]).get(reverse("policychanges:export"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="shanghai')
    document = yaml.safe_load(response.content.decode())
    entries = document["parameters"]["dibao.standard"]
    assert entries[-1]["source"] == "沪民规〔2026〕1号"
    assert str(entries[-1]["effective_from"]) == "2027-01-01"


@pytest.fixture
def city_officer(loaded_city):
    return make_user("city_officer", Role.CITY_ADMIN, loaded_city)


def _simulate(client, **extra: str):
    query = {
        "effective_from": "2027-01-01",
        "district": "",
        "set-TOTAL_FORMS": "3",
        "set-INITIAL_FORMS": "0",
        "set-MIN_NUM_FORMS": "0",
        "set-MAX_NUM_FORMS": "5",
        "set-0-name": "dibao.standard",
        "set-0-value": "2400",
        "set-1-name": "",
        "set-1-value": "",
        "set-2-name": "",
        "set-2-value": "",
        **extra,
    }
    return client.get(
        reverse("policychanges:simulate"), query, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_simulation_lists_affected_and_audits(city_officer):
    response = _simulate(signed_in(city_officer))
    text = response.content.decode()

    assert response.status_code == 200
    assert 'id="sim-chart"' in text
    assert "Households gained" in text
    entry = AuditEntry.objects.get(
        object_type="policychanges.affected_households", action=AuditAction.READ
    )
    assert entry.actor == city_officer
    assert entry.record_count == len(entry.detail["ids"])
    assert entry.record_count > 0
    first = entry.detail["ids"][0]
    assert Household.objects.filter(pk=first).exists()
    assert reverse("registry:household_detail", args=[first]) in text


def test_simulation_cost_change_exact(city_officer):
    text = _simulate(signed_in(city_officer)).content.decode()

    total = re.search(r"<strong>(-?[0-9]+\.[0-9]{2}) yuan</strong>", text)
    assert total, "the total is shown in yuan with two places"


def test_simulation_form_errors(city_officer):
    response = _simulate(
        signed_in(city_officer),
        **{"set-0-value": "lots", "set-1-name": "dibao.standard"},
    )
    text = response.content.decode()

    assert response.status_code == 400
    assert "“lots” is not a number" in text
    assert not AuditEntry.objects.filter(
        object_type="policychanges.affected_households"
    ).exists()


def test_simulation_needs_one_parameter(city_officer):
    response = _simulate(
        signed_in(city_officer), **{"set-0-name": "", "set-0-value": ""}
    )

    assert response.status_code == 400
    assert "Set at least one parameter" in response.content.decode()


def test_forged_form_count_is_refused_quickly(city_officer):
    """A count of 100,000 forms builds at most MAX_OVERRIDES before refusing."""
    response = _simulate(signed_in(city_officer), **{"set-TOTAL_FORMS": "100000"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(
        object_type="policychanges.affected_households"
    ).exists()
