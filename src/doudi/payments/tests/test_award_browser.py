"""A district approver suspends and resumes an award in Chromium, by keyboard.

The award is granted before the browser starts, and the ORM is used again
only after it closes, because Playwright's sync API keeps an event loop on
this thread. Set DOUDI_SCREENSHOT_DIR to keep screenshots.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from doudi.payments.models import Award, AwardEvent, AwardStatus, EventKind
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


@pytest.fixture
def granted(regions: dict[str, Region], household: Household) -> tuple[Account, Award]:
    account = make_account("approver", Role.DISTRICT_APPROVER, regions["huangpu"])
    approver = User.objects.get(username="approver")
    return account, make_paid_award(household, approver)


def test_approver_suspends_and_resumes(live_server, granted, chromium_path):
    account, award = granted
    with open_page(chromium_path, locale="en-US") as page:
        submit_sign_in(page, live_server.url + SIGN_IN_PATH, account, ENGLISH)
        expect(page).not_to_have_url(re.compile(re.escape(SIGN_IN_PATH)))
        _find_award(page, live_server.url, award.pk)
        _act(page, "suspend", "Suspend payment", "未按时报告收入")
        expect(page.get_by_role("status")).to_contain_text("The award is suspended.")
        assert blocking_violations(page) == []
        save_screenshot(page, "award-suspended.png")
        _act(page, "resume", "Resume payment", "已核实收入")
        expect(page.get_by_role("status")).to_contain_text("in payment again")
        assert blocking_violations(page) == []
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE
    kinds = list(AwardEvent.objects.filter(award=award).values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.SUSPENDED, EventKind.RESUMED]


def _find_award(page: Page, base: str, pk: int) -> None:
    page.goto(base + "/payments/")
    page.get_by_role("link", name="Awards in my region").click()
    assert blocking_violations(page) == []
    page.get_by_role("link", name=f"Award {pk}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Award {pk}")
    assert blocking_violations(page) == []
    save_screenshot(page, "award-page.png")


def _act(page: Page, name: str, button: str, reason: str) -> None:
    """Fill the action's reason and send it with the keyboard only."""
    form = page.get_by_role("form", name=button)
    form.get_by_label("Reason, in writing").focus()
    page.keyboard.type(reason)
    page.keyboard.press("Tab")  # from the reason to the submit button
    expect(form.get_by_role("button", name=button)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
