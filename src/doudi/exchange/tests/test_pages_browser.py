"""An operator corrects a quarantined row in Chromium, by keyboard, axe-clean.

The operator signs in through the real form with a password and a TOTP
code. The ORM is used only before the browser starts and after it closes,
because Playwright's sync API keeps an event loop on this thread and Django
refuses database calls from a thread with a running loop.

Set DOUDI_SCREENSHOT_DIR to a folder to keep screenshots of the pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from doudi.conftest import ALICE_ID
from doudi.exchange.ingest import ingest_records
from doudi.exchange.models import Channel, ExchangeFact, QuarantinedRow, RowStatus
from doudi.exchange.tests.conftest import TODAY, claim
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry
from doudi.testing.browser import (
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
def operator_account(regions) -> Account:
    return make_account("operator_b", Role.DATA_OPERATOR, regions["city"])


@pytest.fixture
def quarantined(source, persons) -> QuarantinedRow:
    batch = ingest_records(
        [claim(), claim(out_of_pocket="-3", settled_on="2026-05-03")],
        source=source,
        kind="medical_claim",
        channel=Channel.PUSH,
        today=TODAY,
    )
    return QuarantinedRow.objects.get(batch=batch)


def _sign_in(page: Page, base: str, account: Account) -> None:
    submit_sign_in(page, base + SIGN_IN_PATH + "?next=/exchange/", account)
    expect(page).to_have_url(re.compile("/exchange/batches/$"))


def test_operator_corrects_quarantined_row(
    live_server, operator_account, quarantined, chromium_path
):
    with open_page(chromium_path) as page:
        _correct_in_browser(page, live_server.url, operator_account, quarantined.pk)

    quarantined.refresh_from_db()
    assert quarantined.status == RowStatus.RESUBMITTED
    fact = ExchangeFact.objects.get(batch=quarantined.resubmitted_in)
    assert fact.amount_fen == 300
    actions = set(
        AuditEntry.objects.filter(object_type="exchange.quarantinedrow").values_list(
            "action", flat=True
        )
    )
    assert {AuditAction.READ, AuditAction.REVEAL, AuditAction.UPDATE} <= actions


def _correct_in_browser(page: Page, base: str, account: Account, row_pk: int) -> None:
    _sign_in(page, base, account)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert blocking_violations(page) == []

    page.locator("nav.exchange-nav a[href='/exchange/quarantine/']").click()
    page.wait_for_load_state()
    assert blocking_violations(page) == []
    save_screenshot(page, "exchange-quarantine.png")

    page.locator(f"a[href='/exchange/quarantine/{row_pk}/']").click()
    page.wait_for_load_state()
    expect(page.locator("td.value").first).to_have_text("310101********0018")
    assert page.get_by_text(ALICE_ID).count() == 0
    assert blocking_violations(page) == []

    # Keyboard only from here: focus the reveal button and press Enter.
    page.locator("#reveal").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    field = page.locator("#id_row-out_of_pocket")
    expect(field).to_have_value("-3")
    assert blocking_violations(page) == []
    save_screenshot(page, "exchange-correct.png")

    field.fill("3")
    field.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(f"/exchange/quarantine/{row_pk}/$"))
    expect(page.locator("#row-status .status-resubmitted")).to_be_visible()
    expect(page.locator(".messages [role=status]")).to_be_visible()
    assert blocking_violations(page) == []
    save_screenshot(page, "exchange-resubmitted.png")
