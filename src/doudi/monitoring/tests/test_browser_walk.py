"""One warning walked from new to resolved by a community worker, in Chromium.

The worker signs in with a password and a TOTP code, opens the warning from
the work list with the keyboard, takes it, records the visit and resolves
it as benefit delivered. The policy officer then opens the signal page and
sees the outcome in its table and charts. axe-core checks every page on the
way.

The ORM is used only while no browser is open, because Playwright's sync
API keeps an event loop on this thread and Django refuses database calls
from a thread with a running loop.

Set DOUDI_SCREENSHOT_DIR to a folder to keep screenshots of the pages.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from doudi.monitoring.models import Outcome, WarningStatus
from doudi.monitoring.permissions import WarningAction
from doudi.monitoring.tests.warning_factories import make_warning
from doudi.privacy.choices import Role
from doudi.registry.models import Household, Region
from doudi.testing.browser import (
    Account,
    blocking_violations,
    make_account,
    open_page,
    save_screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]

CHART_TIMEOUT_MS = 15_000


@pytest.fixture
def accounts(regions: dict[str, Region]) -> dict[str, Account]:
    return {
        "worker": make_account("cw_warnings", Role.COMMUNITY_WORKER, regions["home"]),
        "officer": make_account("officer_warnings", Role.CITY_ADMIN, regions["city"]),
    }


def _check(page: Page, name: str) -> None:
    save_screenshot(page, name)
    assert blocking_violations(page) == [], name


def _sign_out(page: Page) -> None:
    page.locator("form.who button[type=submit]").click()
    page.wait_for_load_state()


def test_worker_resolves_warning(
    live_server, chromium_path, accounts, household: Household
):
    warning = make_warning(household, reason_code="serious_illness_new")
    base = live_server.url
    requested: list[str] = []

    with open_page(chromium_path) as page:
        page.on("request", lambda request: requested.append(request.url))
        _worker(page, base, accounts["worker"], warning.pk)
        _officer(page, base, accounts["officer"])

    warning.refresh_from_db()
    assert warning.status == WarningStatus.RESOLVED
    assert warning.outcome == Outcome.BENEFIT_DELIVERED
    assert warning.assigned_to is not None
    assert warning.assigned_to.username == "cw_warnings"
    assert list(warning.events.values_list("action", flat=True)) == [
        WarningAction.ASSIGN,
        WarningAction.VISIT,
        WarningAction.RESOLVE,
    ]
    assert [url for url in requested if not url.startswith(base)] == []


def _worker(page: Page, base: str, account: Account, pk: int) -> None:
    sign_in(page, base, account)
    page.goto(base + "/monitoring/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(f"a[href='/monitoring/{pk}/']")).to_be_visible()
    _check(page, "warnings-list.png")

    # Keyboard only: focus the warning's link and press Enter.
    page.locator(f"a[href='/monitoring/{pk}/']").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#reason-heading")).to_be_visible()
    _check(page, "warning-new.png")

    page.locator("form[action$='/act/assign/'] button").click()
    page.wait_for_load_state()
    expect(page.locator("form[action$='/act/visit/']")).to_be_visible()
    _check(page, "warning-assigned.png")

    page.locator("#id_visit-note").fill("Synthetic: visited, the head is in hospital.")
    page.locator("form[action$='/act/visit/'] button").click()
    page.wait_for_load_state()
    expect(page.locator("form[action$='/act/resolve/']")).to_be_visible()
    _check(page, "warning-visited.png")

    page.locator("#id_resolve-outcome_0").check()
    page.locator("#id_resolve-note").fill("Temporary assistance paid.")
    page.locator("form[action$='/act/resolve/'] button").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("form[action$='/act/resolve/']")).to_have_count(0)
    expect(page.locator(".messages .notice")).to_be_visible()
    _check(page, "warning-resolved.png")

    page.goto(base + "/monitoring/?status=all")
    _check(page, "warnings-list-all.png")
    _sign_out(page)


def _officer(page: Page, base: str, account: Account) -> None:
    sign_in(page, base, account)
    page.goto(base + "/monitoring/signals/")
    chart = page.locator("#outcome-chart[data-chart-ready='true'] svg")
    expect(chart).to_be_visible(timeout=CHART_TIMEOUT_MS)
    expect(page.locator("#fairness-chart[data-chart-ready='true'] svg")).to_be_visible(
        timeout=CHART_TIMEOUT_MS
    )
    _check(page, "signals.png")

    page.locator("button[formaction$='/signals/preview/']").click()
    expect(page.locator("#preview-caption")).to_be_visible()
    _check(page, "signals-preview.png")
    _sign_out(page)
