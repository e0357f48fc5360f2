"""Officer A proposes a dibao standard change; officer B approves it, in Chromium.

Both sign in through the real form with a password and a TOTP code. The ORM
is used only before the browser starts and after it closes, because
Playwright's sync API keeps an event loop on this thread and Django refuses
database calls from a thread with a running loop.

Set DOUDI_SCREENSHOT_DIR to a folder to keep screenshots of the pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from doudi.policychanges.models import ChangeStatus, ParameterChange
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry
from doudi.registry.models import Region
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
def officer_accounts(loaded_city: Region) -> dict[str, Account]:
    return {
        "a": make_account("officer_a", Role.CITY_ADMIN, loaded_city),
        "b": make_account("officer_b", Role.CITY_ADMIN, loaded_city),
    }


def _sign_out(page: Page) -> None:
    page.locator("form.who button[type=submit]").click()
    page.wait_for_load_state()


def _expect_chart(page: Page, chart_id: str) -> None:
    chart = page.locator(f"#{chart_id}[data-chart-ready='true'] svg")
    expect(chart).to_be_visible(timeout=CHART_TIMEOUT_MS)
    assert page.locator(f"#{chart_id} svg .mark-rect path").count() > 0


def test_officer_a_proposes_officer_b_approves(
    live_server, officer_accounts, chromium_path
):
    with open_page(chromium_path) as page:
        requested = _walk_proposal_and_approval(page, live_server.url, officer_accounts)

    # Every script, style and chart came from the test server itself.
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []
    vendored = "/static/doudi/vendor/vega-embed.min.js"
    assert any(url.endswith(vendored) for url in requested)
    [change] = ParameterChange.objects.all()
    assert change.status == ChangeStatus.APPROVED
    assert change.proposed_by.username == "officer_a"
    assert change.decided_by is not None
    assert change.decided_by.username == "officer_b"
    assert change.simulation["totals"]["monthly_cost_change_fen"] > 0
    updates = AuditEntry.objects.filter(action=AuditAction.UPDATE)
    assert [entry.detail["status"] for entry in updates] == ["approved"]


def _walk_proposal_and_approval(
    page: Page, base: str, officer_accounts: dict[str, Account]
) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    # Officer A: from the navigation to the proposal form, through the preview.
    sign_in(page, base, officer_accounts["a"])
    page.locator("nav[aria-label] a[href='/policy/']").first.click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert blocking_violations(page) == []
    page.goto(base + "/policy/propose/?name=dibao.standard")
    page.locator("#id_effective_from").fill("2027-01-01")
    page.locator("#id_value").fill("2400")
    page.locator("#id_source").fill("沪民规〔2026〕1号")
    page.locator("#id_reason").fill("Annual adjustment")
    page.locator("button[name=action][value=preview]").click()
    page.wait_for_load_state()
    _expect_chart(page, "preview-chart")
    expect(page.locator("#diff-heading")).to_be_visible()
    save_screenshot(page, "policy-propose-preview.png")
    assert blocking_violations(page) == []
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/policy/changes/\d+/$"))
    change_url = page.url
    assert page.locator("button[formaction$='/reject']").count() == 0
    _sign_out(page)

    # Officer B: reads the stored simulation and chart, then approves.
    sign_in(page, base, officer_accounts["b"])
    page.goto(change_url)
    _expect_chart(page, "change-chart")
    save_screenshot(page, "policy-change-approve.png")
    assert blocking_violations(page) == []
    page.locator("#id_note").fill("Checked against the published notice")
    page.locator("#id_note").press("Tab")
    expect(page.locator("form.stacked button[type=submit]").first).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".status-approved").first).to_be_visible()
    assert blocking_violations(page) == []

    return requested


def test_simulation_page_chart_and_axe(live_server, officer_accounts, chromium_path):
    with open_page(chromium_path) as page:
        _simulate_in_browser(page, live_server.url, officer_accounts["a"])

    assert AuditEntry.objects.filter(
        object_type="policychanges.affected_households", actor__username="officer_a"
    ).exists()


def _simulate_in_browser(page: Page, base: str, account: Account) -> None:
    sign_in(page, base, account)
    page.goto(base + "/policy/simulate/")
    assert blocking_violations(page) == []

    page.locator("#id_effective_from").fill("2027-01-01")
    page.locator("#id_set-0-name").select_option("dibao.standard")
    page.locator("#id_set-0-value").fill("2400")
    page.locator("#id_set-0-value").press("Enter")
    page.wait_for_load_state()

    _expect_chart(page, "sim-chart")
    expect(page.locator("#affected-heading")).to_be_visible()
    save_screenshot(page, "policy-simulate.png")
    assert blocking_violations(page) == []
