"""Drive the staff pages in a real Chromium: accounts, sign-in, axe-core.

Browser tests create their accounts with the ORM before the browser starts,
because Playwright's sync API keeps an event loop on the test's thread and
Django refuses database calls from a thread with a running loop.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect, sync_playwright

from doudi.conftest import make_user
from doudi.privacy.choices import Role
from doudi.registry.models import Region

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The password of every test account; no real account uses it.
PASSWORD = "Synthetic-pass-2026"  # noqa: S105
SIGN_IN_PATH = "/account/sign-in/"
BLOCKING_IMPACTS = {"serious", "critical"}
# axe-core leaves its WCAG 2.5.8 target-size rule off unless asked.
AXE_OPTIONS: dict[str, Any] = {
    "resultTypes": ["violations"],
    "rules": {"target-size": {"enabled": True}},
}


@dataclass(frozen=True)
class Account:
    """A user who can sign in, with the TOTP parameters to compute a code."""

    username: str
    key: bytes
    step: int
    t0: int
    digits: int

    def code(self) -> str:
        return f"{totp(self.key, self.step, self.t0, self.digits):0{self.digits}d}"


@dataclass(frozen=True)
class SignInLabels:
    """The labels of the sign-in form's fields and button in one language."""

    username: str
    password: str
    code: str
    submit: str


CHINESE = SignInLabels("用户名", "密码", "身份验证器应用中的六位验证码", "登录")
ENGLISH = SignInLabels(
    "User name", "Password", "Six-digit code from your authenticator app", "Sign in"
)


def make_account(username: str, role: Role, region: Region) -> Account:
    """Create a user with PASSWORD and a confirmed TOTP device."""
    user = make_user(username, role, region, password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="browser test", confirmed=True)
    return Account(username, device.bin_key, device.step, device.t0, device.digits)


@contextmanager
def open_page(chromium_path: str, locale: str = "zh-CN") -> Iterator[Page]:
    """Yield a page of a fresh Chromium whose language is `locale`.

    Open it inside the test rather than in a fixture when the test uses the
    ORM again after the browser and its event loop are gone.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            locale=locale, viewport={"width": 1280, "height": 900}
        )
        yield context.new_page()
        context.close()
        browser.close()


def submit_sign_in(
    page: Page, url: str, account: Account, labels: SignInLabels = CHINESE
) -> None:
    """Fill in and send the sign-in form at `url`, without checking the outcome."""
    page.goto(url)
    page.get_by_label(labels.username).fill(account.username)
    page.get_by_label(labels.password).fill(PASSWORD)
    page.get_by_label(labels.code).fill(account.code())
    page.get_by_role("button", name=labels.submit, exact=True).click()
    page.wait_for_load_state()


def sign_in(page: Page, base_url: str, account: Account) -> None:
    """Sign in through the Chinese form and check that it let the account in."""
    submit_sign_in(page, base_url + SIGN_IN_PATH, account)
    # A wrong code or password stays on the sign-in page with an error.
    expect(page).not_to_have_url(re.compile(re.escape(SIGN_IN_PATH)))


def blocking_violations(page: Page) -> list[str]:
    """Return axe-core's serious and critical violations on the page."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def save_screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot when DOUDI_SCREENSHOT_DIR names a folder."""
    folder = os.environ.get("DOUDI_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)
