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
from playwright.sync_api import Page, expect

from doudi.privacy.choices import Role
from doudi.testing.browser import (
    ENGLISH,
    SIGN_IN_PATH,
    Account,
    blocking_violations,
    make_account,
    open_page,
    submit_sign_in,
)
from doudi.verification.tests.factories import alice, declare_income, fact

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]


@pytest.fixture
def worker(regions, household) -> Account:
    account = make_account("verifier", Role.COMMUNITY_WORKER, regions["home"])
    declare_income(alice(), "wages", 250_000, date(2024, 1, 1))
    fact(alice(), "income", "wages", 312_345, date(2025, 1, 1))
    return account


@pytest.fixture
def page(chromium_path: str) -> Iterator[Page]:
    with open_page(chromium_path, locale="en-GB") as opened:
        yield opened


def test_worker_records_authorisation_and_opens_report(
    live_server, household, worker, page
) -> None:
    submit_sign_in(page, live_server.url + SIGN_IN_PATH, worker, ENGLISH)

    page.goto(f"{live_server.url}/registry/households/{household.pk}/")
    page.get_by_role("link", name="Authorisations and economic verification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Economic verification of household {household.pk}"
    )
    expect(page.get_by_label("Vehicles")).to_be_checked()
    expect(page.get_by_label("Wages and individual income tax")).to_be_checked()
    expect(page.get_by_label("Medical insurance claims")).not_to_be_checked()
    assert blocking_violations(page) == []

    page.get_by_role("button", name="Record authorisation").click()
    expect(page.get_by_role("status")).to_have_text("The authorisation was recorded.")
    expect(page.get_by_role("cell", name="Valid", exact=True)).to_be_visible()
    assert blocking_violations(page) == []

    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page).to_have_url(re.compile(r"/verification/reports/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Household economic verification report"
    )
    expect(page.get_by_role("note")).to_contain_text("CONFIDENTIAL")
    expect(page.get_by_role("cell", name="3,123.45").first).to_be_visible()
    expect(page.get_by_text("Major discrepancy").first).to_be_visible()
    assert blocking_violations(page) == []

    with page.expect_response(re.compile(r"\.pdf$")) as pdf:
        page.get_by_role("link", name="Open as PDF").click()
    assert pdf.value.status == 200
    assert pdf.value.headers["content-type"] == "application/pdf"
