"""A district approver reviews a possible duplicate in Chromium, checked by axe-core.

The pair is found before the browser starts, and the ORM is used again only
after it closes, because Playwright's sync API keeps an event loop on this
thread. Set DOUDI_SCREENSHOT_DIR to keep screenshots.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from doudi.monitoring.duplicates.detection import run_detection
from doudi.monitoring.duplicates.models import DuplicatePair, PairStatus
from doudi.monitoring.duplicates.tests.factories import award_both, move_carol
from doudi.payments.models import AwardStatus
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


@pytest.fixture
def found(users, household, far_household, regions) -> tuple[Account, DuplicatePair]:
    move_carol(users, household, far_household)
    award_both(users, household, far_household)
    run_detection()
    # The approver of the district that holds the second award decides.
    account = make_account(
        "xuhui_approver", users["other_district"].role, regions["xuhui"]
    )
    return account, DuplicatePair.objects.get()


def test_approver_confirms_duplicate(live_server, found, chromium_path):
    account, pair = found
    with open_page(chromium_path, locale="en-US") as page:
        submit_sign_in(page, live_server.url + SIGN_IN_PATH, account, ENGLISH)
        expect(page).not_to_have_url(re.compile(re.escape(SIGN_IN_PATH)))
        _review(page, live_server.url, pair.pk)
    pair.refresh_from_db()
    assert pair.status == PairStatus.CONFIRMED
    assert pair.award_to_stop is not None
    assert pair.award_to_stop.status == AwardStatus.SUSPENDED


def _review(page: Page, base: str, pk: int) -> None:
    page.goto(base + "/duplicates/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Possible duplicate assistance"
    )
    assert blocking_violations(page) == []
    save_screenshot(page, "duplicates-queue.png")

    page.get_by_role("link", name=f"Pair {pk}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"pair {pk}")
    expect(page.get_by_role("cell", name="王**")).to_have_count(2)
    assert blocking_violations(page) == []
    save_screenshot(page, "duplicates-pair.png")

    page.get_by_label("Same person: confirm and stop the second award").check()
    page.get_by_label("Note").fill("Same person, moved to Xuhui.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("Your decision is recorded.")
    assert blocking_violations(page) == []
