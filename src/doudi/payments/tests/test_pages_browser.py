"""A district approver pages through, signs and exports a roll in Chromium.

The roll is drafted by the system before the browser starts, and the ORM is
used again only after it closes, because Playwright's sync API keeps an
event loop on this thread. Set DOUDI_SCREENSHOT_DIR to keep screenshots.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from doudi.payments.models import PaymentRoll, RollStatus
from doudi.payments.rolls import compute_roll
from doudi.payments.tests.factories import make_paid_award
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Household, Region
from doudi.testing.browser import (
    ENGLISH,
    SIGN_IN_PATH,
    Account,
    blocking_violations,
    make_account,
    open_page,
    save_screenshot,
    submit_sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]

AWARDS = 60  # more than one page of lines


@pytest.fixture
def drafted(
    regions: dict[str, Region], household: Household
) -> tuple[Account, PaymentRoll]:
    account = make_account("approver", Role.DISTRICT_APPROVER, regions["huangpu"])
    approver = User.objects.get(username="approver")
    for seed in range(AWARDS):
        make_paid_award(household, approver, seed=seed, amount_fen=100_000 + seed)
    return account, compute_roll("310101", date(2025, 4, 1))


def test_approver_signs_roll(live_server, drafted, chromium_path):
    account, roll = drafted
    with open_page(chromium_path, locale="en-US") as page:
        submit_sign_in(page, live_server.url + SIGN_IN_PATH, account, ENGLISH)
        expect(page).not_to_have_url(re.compile(re.escape(SIGN_IN_PATH)))
        _walk_roll(page, live_server.url)
    roll.refresh_from_db()
    assert roll.status == RollStatus.EXPORTED
    assert roll.signed_by is not None
    assert roll.signed_by.username == "approver"


def _walk_roll(page: Page, base: str) -> None:
    page.goto(base + "/payments/")
    page.get_by_role("link", name=re.compile("黄浦区")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("黄浦区")
    assert blocking_violations(page) == []
    save_screenshot(page, "payment-roll-draft.png")

    # The pager swaps the lines table in place and keeps the address in step.
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#lines-caption")).to_contain_text("page 2 of 2")
    expect(page).to_have_url(re.compile(r"page=2"))

    # Keyboard only: focus the sign button and press Enter.
    page.get_by_role("button", name="Sign the roll").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_be_visible()
    assert blocking_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the bank file (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.reload()
    assert blocking_violations(page) == []
    save_screenshot(page, "payment-roll-exported.png")
