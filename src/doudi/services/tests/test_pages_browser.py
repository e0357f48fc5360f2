"""The catalogue list and a service page in Chromium, checked with axe-core.

The ORM is used only before the browser starts and after it closes, because
Playwright's sync API keeps an event loop on this thread and Django refuses
database calls from a thread with a running loop.

Set DOUDI_SCREENSHOT_DIR to a folder to keep screenshots of the pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from doudi.privacy.choices import Role
from doudi.services.demo import seed_catalogue
from doudi.services.models import Service
from doudi.testing.browser import (
    Account,
    blocking_violations,
    make_account,
    open_page,
    save_screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]


@pytest.fixture
def approver(regions) -> Account:
    seed_catalogue(seed=5, organizations=12)
    return make_account(
        "catalogue_approver", Role.DISTRICT_APPROVER, regions["huangpu"]
    )


def test_catalogue_and_service_page_pass_axe(live_server, approver, chromium_path):
    housing = Service.objects.filter(categories__category="housing").count()

    with open_page(chromium_path) as page:
        found = _walk_catalogue(page, live_server.url, approver)

    assert found == housing


def _walk_catalogue(page: Page, base: str, account: Account) -> int:
    sign_in(page, base, account)
    page.goto(base + "/services/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_be_visible()
    assert blocking_violations(page) == []
    save_screenshot(page, "services-catalogue.png")

    # Filter with the keyboard: choose a category, Tab to the button, Enter.
    page.locator("#id_category").focus()
    page.locator("#id_category").select_option("housing")
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.locator("form.filters button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"category=housing"))
    rows = page.locator("#results tbody tr th a")
    expect(rows.first).to_be_visible()
    found = rows.count()
    assert blocking_violations(page) == []

    rows.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/services/[0-9a-f-]{36}/$"))
    expect(page.locator("#hours-heading")).to_be_visible()
    save_screenshot(page, "services-service.png")
    assert blocking_violations(page) == []

    # The same page in English.
    page.locator("#language").select_option("en")
    page.locator("form.lang button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#hours-heading")).to_have_text("Opening hours")
    assert blocking_violations(page) == []

    # The form pages the approver uses, in English.
    for path in ("/services/organizations/new/", "/services/transfer/"):
        page.goto(base + path)
        expect(page.locator("h1")).to_be_visible()
        assert blocking_violations(page) == []
    return found
