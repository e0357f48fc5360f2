"""An operator corrects a quarantined row in Chromium, by keyboard, axe-clean.

The operator signs in through the real form with a password and a TOTP
code. The ORM is used only before the browser starts and after it closes,
because Playwright's sync API keeps an event loop on this thread and Django
refuses database calls from a thread with a running loop.

Set DOUDI_SCREENSHOT_DIR to a folder to keep screenshots of the pages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect, sync_playwright

from doudi.conftest import ALICE_ID, make_user
from doudi.exchange.ingest import ingest_records
from doudi.exchange.models import Channel, ExchangeFact, QuarantinedRow, RowStatus
from doudi.exchange.tests.conftest import TODAY, claim
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry

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
# axe-core leaves its WCAG 2.5.8 target-size rule off unless asked.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"target-size": {"enabled": True}},
}


@dataclass(frozen=True)
class Account:
    username: str
    key: bytes
    step: int
    t0: int
    digits: int

    def code(self) -> str:
        return f"{totp(self.key, self.step, self.t0, self.digits):0{self.digits}d}"


@pytest.fixture
def operator_account(regions) -> Account:
    user = make_user(
        "operator_b", Role.DATA_OPERATOR, regions["city"], password=PASSWORD
    )
    device = TOTPDevice.objects.create(user=user, name="browser test", confirmed=True)
    return Account(user.username, device.bin_key, device.step, device.t0, device.digits)


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


@contextmanager
def _open_page(chromium_path: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        yield context.new_page()
        context.close()
        browser.close()


def _sign_in(page: Page, base: str, account: Account) -> None:
    page.goto(base + "/account/sign-in/?next=/exchange/")
    page.get_by_label("用户名").fill(account.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("身份验证器应用中的六位验证码").fill(account.code())
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile("/exchange/batches/$"))


def _blocking_violations(page: Page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def _screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("DOUDI_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_operator_corrects_quarantined_row(
    live_server, operator_account, quarantined, chromium_path
):
    with _open_page(chromium_path) as page:
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
    assert _blocking_violations(page) == []

    page.locator("nav.exchange-nav a[href='/exchange/quarantine/']").click()
    page.wait_for_load_state()
    assert _blocking_violations(page) == []
    _screenshot(page, "exchange-quarantine.png")

    page.locator(f"a[href='/exchange/quarantine/{row_pk}/']").click()
    page.wait_for_load_state()
    expect(page.locator("td.value").first).to_have_text("310101********0018")
    assert page.get_by_text(ALICE_ID).count() == 0
    assert _blocking_violations(page) == []

    # Keyboard only from here: focus the reveal button and press Enter.
    page.locator("#reveal").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    field = page.locator("#id_row-out_of_pocket")
    expect(field).to_have_value("-3")
    assert _blocking_violations(page) == []
    _screenshot(page, "exchange-correct.png")

    field.fill("3")
    field.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(f"/exchange/quarantine/{row_pk}/$"))
    expect(page.locator("#row-status .status-resubmitted")).to_be_visible()
    expect(page.locator(".messages [role=status]")).to_be_visible()
    assert _blocking_violations(page) == []
    _screenshot(page, "exchange-resubmitted.png")
