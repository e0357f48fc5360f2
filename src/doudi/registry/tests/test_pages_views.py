"""Registry pages without a browser: htmx fragments, fallbacks, error pages."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

from doudi.conftest import ALICE_ID, signed_in
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import AuditEntry
from doudi.registry.models import Household, Person
from doudi.registry.services import resident_id_index

LIST_URL = "/registry/households/"
STATIC_ASSETS = ["doudi/site.css", "doudi/htmx.min.js", "doudi/elder-mode.js"]


def _alice(household: Household) -> Person:
    return Person.objects.get(
        memberships__household=household,
        resident_id_index=resident_id_index(ALICE_ID),
    )


def _reveal_url(person: Person) -> str:
    return f"/registry/persons/{person.pk}/resident-id"


# Static files


@pytest.mark.parametrize("path", STATIC_ASSETS)
def test_static_asset_found(path: str) -> None:
    # The pages load these from /static/. Unless the staticfiles finders see
    # them, the live server and collectstatic leave them out.
    assert finders.find(path) is not None


# Household list


def test_list_search_returns_table_fragment(users, household) -> None:
    client = signed_in(users["owner"])

    response = client.get(
        LIST_URL,
        {"q": "王测试"},
        headers={"HX-Request": "true", "HX-Target": "households"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="households-caption"' in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert "共有 1 个家庭符合“王测试”。" in html
    assert "HX-Request" in response["Vary"]


def test_list_history_restore_returns_page(users, household) -> None:
    client = signed_in(users["owner"])

    # When its history cache misses, htmx re-fetches a pushed URL without a
    # target, and that request must get the whole page.
    response = client.get(
        LIST_URL,
        {"q": "王测试"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    html = response.content.decode()
    assert "<html" in html
    assert 'hx-swap-oob="innerHTML"' not in html


# Revealing a resident ID


def test_reveal_with_htmx_returns_fragment(users, household) -> None:
    client = signed_in(users["owner"])

    response = client.post(
        _reveal_url(_alice(household)),
        {"purpose": Purpose.VERIFICATION},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'<span class="revealed">{ALICE_ID}</span>' in html
    assert "autofocus" in html


def test_reveal_without_javascript_returns_page(users, household) -> None:
    client = signed_in(users["owner"])

    response = client.post(
        _reveal_url(_alice(household)),
        {"purpose": Purpose.CASE_WORK, "household": str(household.pk)},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>完整居民身份证号码</h1>" in html
    assert f'<span class="revealed">{ALICE_ID}</span>' in html
    assert f'href="/registry/households/{household.pk}/"' in html
    reveal = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert reveal.purpose == Purpose.CASE_WORK


def test_reveal_ignores_invalid_household(users, household) -> None:
    client = signed_in(users["owner"])

    response = client.post(
        _reveal_url(_alice(household)),
        {"purpose": Purpose.CASE_WORK, "household": "javascript:alert(1)"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "javascript:" not in html
    assert "返回家庭档案" not in html


# Error pages


def test_not_found_page_in_layout(users, household) -> None:
    client = signed_in(users["outsider"])

    response = client.get(f"/registry/households/{household.pk}/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>页面不存在</h1>" in html
    assert f'href="{LIST_URL}"' in html
    assert "测试路" not in html


def test_forbidden_page_links_auditor_home(users) -> None:
    client = signed_in(users["auditor"])

    response = client.get(LIST_URL)

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>无权访问</h1>" in html
    assert 'href="/account/audit/"' in html


def test_overlong_search_refused(users, household):
    response = signed_in(users["owner"]).get(LIST_URL, {"q": "王" * 65})
    assert response.status_code == 200
    assert response.context["search_error"]
    assert response.context["rows"] == []
