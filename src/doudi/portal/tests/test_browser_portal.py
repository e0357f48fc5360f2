"""The portal in Chromium: axe-core WCAG 2.2 AA on every page, keyboard-only request.

Every portal page is checked on a phone-sized screen with elder mode off and
on, in Chinese and in English, under the site's content security policy.
The ORM is used only before a browser opens, because Playwright's sync API
keeps an event loop on this thread and Django refuses database calls from a
thread with a running loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from doudi.portal.models import HelpRequest
from doudi.portal.tests.conftest import RESIDENT_PHONE, last_code, sign_in
from doudi.privacy.choices import Role
from doudi.testing.browser import (
    CHINESE,
    CHROMIUM_ARGS,
    ENGLISH,
    SIGN_IN_PATH,
    make_account,
    submit_sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]

PHONE: ViewportSize = {"width": 390, "height": 844}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
CSP = "doudi.core.security.ContentSecurityPolicyMiddleware"
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
ELDER_SIZES_SCRIPT = (Path(__file__).parent / "elder_sizes.js").read_text()


@pytest.fixture(autouse=True)
def _csp(settings) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, CSP]


def _violations(page: Page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{item['id']} ({item['impact']}): "
        + ", ".join(str(node["target"]) for node in item["nodes"])
        for item in results.response["violations"]
    ]


def _open(
    playwright: Any,
    chromium_path: str,
    locale: str,
    elder: bool,
    base: str,
    csp_errors: list[str],
) -> Page:
    browser = playwright.chromium.launch(
        executable_path=chromium_path, args=CHROMIUM_ARGS
    )
    context = browser.new_context(locale=locale, viewport=PHONE)
    if elder:
        context.add_cookies([{"name": "doudi_elder_mode", "value": "1", "url": base}])
    page: Page = context.new_page()
    page.on("console", lambda message: _note_csp(message.text, csp_errors))
    return page


def _note_csp(text: str, csp_errors: list[str]) -> None:
    if "Content Security Policy" in text:
        csp_errors.append(text)


def _sign_in(page: Page, base: str) -> None:
    page.goto(base + "/portal/sign-in/")
    page.locator("#id_phone").fill("139 1234 5678")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("#id_code").fill(last_code(RESIDENT_PHONE))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(base + "/portal/")


def _check(page: Page, label: str, failures: list[str]) -> None:
    failures.extend(f"{label}: {item}" for item in _violations(page))


def _check_elder_sizes(page: Page, label: str, failures: list[str]) -> None:
    sizes = page.evaluate(ELDER_SIZES_SCRIPT)
    if sizes["text"] < 24 or sizes["line"] < 1.3:
        failures.append(
            f"{label}: main text {sizes['text']}px, line spacing {sizes['line']}"
        )
    failures.extend(
        f"{label}: heading {size}px" for size in sizes["headings"] if size < 40
    )
    failures.extend(f"{label}: small target {html}" for html in sizes["small"])


def _visit_all(
    page: Page, base: str, label: str, elder: bool, request_pk: int
) -> list[str]:
    """Open every resident page, signed out then signed in; return the failures."""
    failures: list[str] = []

    def check(name: str) -> None:
        _check(page, f"{label} {name}", failures)
        if elder:
            _check_elder_sizes(page, f"{label} {name}", failures)

    page.goto(base + "/portal/")
    check("home signed out")
    page.goto(base + "/portal/sign-in/")
    page.locator("#id_phone").fill("12345")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    check("sign-in with error")
    _sign_in(page, base)
    check("home")
    page.goto(base + "/portal/link/")
    check("link")
    page.goto(base + "/portal/help/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    check("help form with errors")
    page.goto(base + "/portal/requests/")
    check("request list")
    page.goto(f"{base}/portal/requests/{request_pk}/")
    check("request status")
    return failures


def _sent_request(send: Any) -> int:
    client = sign_in(Client())
    url = client.get("/portal/help/")["Location"]
    form = {"who": "me", "kind": "care", "urgency": "today", "contact_method": "visit"}
    send(client, url + "send/", form)
    return int(HelpRequest.objects.get().pk)


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_every_page_passes_axe(live_server, chromium_path, household, elder, send):
    request_pk = _sent_request(send)
    failures: list[str] = []
    csp_errors: list[str] = []
    with sync_playwright() as playwright:
        for language, locale in LOCALES.items():
            page = _open(
                playwright, chromium_path, locale, elder, live_server.url, csp_errors
            )
            label = f"{language} elder={elder}"
            failures += _visit_all(page, live_server.url, label, elder, request_pk)
            expect(page.locator("html")).to_have_attribute("lang", language)
    assert failures == []
    assert csp_errors == []


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_staff_pages_pass_axe(live_server, chromium_path, regions, elder, send):
    request_pk = _sent_request(send)
    worker = make_account("cw_portal", Role.COMMUNITY_WORKER, regions["home"])
    failures: list[str] = []
    csp_errors: list[str] = []
    base = live_server.url
    with sync_playwright() as playwright:
        for language, locale in LOCALES.items():
            page = _open(playwright, chromium_path, locale, elder, base, csp_errors)
            labels = CHINESE if language == "zh-hans" else ENGLISH
            submit_sign_in(page, base + SIGN_IN_PATH, worker, labels)
            for path in (
                "staff/requests/",
                f"staff/requests/{request_pk}/",
                "staff/assist/",
            ):
                page.goto(f"{base}/portal/{path}")
                _check(page, f"{language} elder={elder} {path}", failures)
    assert failures == []
    assert csp_errors == []


def _tab_to(page: Page, selector: str, most: int = 60) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_help_request_by_keyboard_alone(live_server, chromium_path, household):
    base = live_server.url
    with sync_playwright() as playwright:
        csp_errors: list[str] = []
        page = _open(playwright, chromium_path, "en-US", True, base, csp_errors)
        page.goto(base + "/portal/")
        _tab_to(page, "a[href='/portal/sign-in/']")
        page.keyboard.press("Enter")
        page.wait_for_url(base + "/portal/sign-in/")
        _tab_to(page, "#id_phone")
        page.keyboard.type("139-1234-5678")
        page.keyboard.press("Enter")
        page.wait_for_url(base + "/portal/sign-in/code/")
        _tab_to(page, "#id_code")
        page.keyboard.type(last_code(RESIDENT_PHONE))
        page.keyboard.press("Enter")
        page.wait_for_url(base + "/portal/")
        _tab_to(page, "main a.portal-button[href='/portal/help/']")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/portal/help/*/")
        for name, presses in (
            ("who", 0),
            ("kind", 1),
            ("urgency", 0),
            ("contact_method", 2),
        ):
            _tab_to(page, f"input[name={name}]")
            for _ in range(presses):
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Space")
        _tab_to(page, "#id_details")
        page.keyboard.type("Synthetic: typed with the keyboard only.")
        expect(page.locator("#draft-status")).to_contain_text("Saved at")
        _tab_to(page, "main form button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/portal/requests/**")
        expect(page.locator("main")).to_contain_text("We received your request.")
        expect(page.locator("main h1")).to_contain_text("Illness or medical costs")
    assert csp_errors == []
    request = HelpRequest.objects.get()
    assert request.who == "me"
    assert request.kind == "illness"
    assert request.contact_method == "visit"
    assert request.details == "Synthetic: typed with the keyboard only."
