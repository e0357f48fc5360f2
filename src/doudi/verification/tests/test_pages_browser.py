"""A community worker records an authorisation and opens a report in Chromium.

The ORM is used only before the browser starts, because Playwright's sync
API keeps an event loop on this thread and Django refuses database calls
from a thread with a running loop. The page runs in English so that the
test does not depend on the Chinese catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect, sync_playwright

from doudi.conftest import make_user
from doudi.privacy.choices import Role
from doudi.verification.tests.factories import alice, declare_income, fact

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "Synthetic-pass-2026"
BLOCKING_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"target-size": {"enabled": True}},
}


@pytest.fixture
def worker_code(regions, household):
    user = make_user("verifier", Role.COMMUNITY_WORKER, regions["home"], PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="browser test", confirmed=True)
    declare_income(alice(), "wages", 250_000, date(2024, 1, 1))
    fact(alice(), "income", "wages", 312_345, date(2025, 1, 1))
    return lambda: f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


@pytest.fixture
def page(chromium_path: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            locale="en-GB", viewport={"width": 1280, "height": 900}
        )
        yield context.new_page()
        context.close()
        browser.close()


def _blocking_violations(page: Page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def test_worker_records_authorisation_and_opens_report(
    live_server, household, worker_code, page
) -> None:
    page.goto(live_server.url + "/account/sign-in/")
    page.get_by_label("User name").fill("verifier")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Six-digit code from your authenticator app").fill(worker_code())
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/registry/households/{household.pk}/")
    page.get_by_role("link", name="Authorisations and economic verification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Economic verification of household {household.pk}"
    )
    expect(page.get_by_label("Vehicles")).to_be_checked()
    expect(page.get_by_label("Wages and individual income tax")).to_be_checked()
    expect(page.get_by_label("Medical insurance claims")).not_to_be_checked()
    assert _blocking_violations(page) == []

    page.get_by_role("button", name="Record authorisation").click()
    expect(page.get_by_role("status")).to_have_text("The authorisation was recorded.")
    expect(page.get_by_role("cell", name="Valid", exact=True)).to_be_visible()
    assert _blocking_violations(page) == []

    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page).to_have_url(re.compile(r"/verification/reports/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Household economic verification report"
    )
    expect(page.get_by_role("note")).to_contain_text("CONFIDENTIAL")
    expect(page.get_by_role("cell", name="3,123.45").first).to_be_visible()
    expect(page.get_by_text("Major discrepancy").first).to_be_visible()
    assert _blocking_violations(page) == []

    with page.expect_response(re.compile(r"\.pdf$")) as pdf:
        page.get_by_role("link", name="Open as PDF").click()
    assert pdf.value.status == 200
    assert pdf.value.headers["content-type"] == "application/pdf"
