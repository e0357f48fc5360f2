"""The menu and screener pages in Chromium on a phone: WCAG 2.2 AA, elder mode, keys.

Every page is checked in Chinese and English, with elder mode off and on,
at a phone-sized viewport. axe-core must find no WCAG 2.2 A or AA
violation. In elder mode the text, headings, line spacing and targets must
also be large enough. A resident applies from the menu and a visitor uses the screener
with the keyboard alone.

The ORM is used only while no browser is open, because Playwright's sync
API keeps an event loop on this thread and Django refuses database calls
from a thread with a running loop.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from doudi.cases.models import Case, Channel
from doudi.conftest import ALICE_ID
from doudi.feedback.browser_checks import (
    PHONE,
    elder_problems,
    set_elder_mode,
    wcag_violations,
)
from doudi.feedback.testing import linked_account, portal_session_key, unlinked_account
from doudi.registry.models import Household
from doudi.services.models import (
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)
from doudi.testing.browser import open_page, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]

LANGUAGES = {"en-US": "en", "zh-CN": "zh-hans"}


@pytest.fixture
def sessions(household: Household, regions) -> dict[str, str]:
    organization = Organization.objects.create(
        name="示例慈善会", description="测试", organization_type="charity"
    )
    service = Service.objects.create(
        organization=organization,
        name="助餐服务",
        description="为老年人送餐上门。",
        application_process="致电社区服务中心。",
        status="active",
        last_modified=datetime(2026, 1, 1, tzinfo=UTC),
    )
    ServiceCategory.objects.create(service=service, category="care")
    place = Location.objects.create(name="社区中心", region=regions["home"])
    ServiceAtLocation.objects.create(service=service, location=place)
    linked = linked_account("+8613911115555", ALICE_ID, "王测试")
    unlinked = unlinked_account("+8613911116666")
    return {
        "linked": portal_session_key(linked),
        "unlinked": portal_session_key(unlinked),
    }


def _use_session(page: Page, base: str, key: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": key, "url": base}]
    )


def _check_modes(page: Page, base: str, name: str, load) -> None:
    """Load a page with elder mode off and on, and check it each time."""
    for elder in (False, True):
        set_elder_mode(page, base, elder)
        load()
        label = f"{name} elder={elder}"
        save_screenshot(page, f"{name}-{'elder' if elder else 'plain'}.png")
        assert wcag_violations(page) == [], label
        if elder:
            expect(page.locator("body")).to_have_class(re.compile("elder"))
            assert elder_problems(page) == [], label
        else:
            # The same check finds the small text of the plain page, so it
            # measures something.
            assert elder_problems(page) != [], label


def _fill_screener(page: Page) -> None:
    page.locator("#id_household_size").fill("2")
    page.locator("#id_monthly_income").fill("500")
    page.locator("button[type=submit]", has_text=re.compile("Check|查询|检查")).click()
    page.wait_for_load_state()


def _pages(page: Page, base: str, lang: str, keys: dict[str, str]) -> None:
    def goto(path: str):
        return lambda: page.goto(base + path)

    _use_session(page, base, keys["linked"])
    _check_modes(page, base, f"menu-{lang}", goto("/portal/menu/"))
    expect(page.locator("html")).to_have_attribute("lang", LANGUAGES[lang])
    _check_modes(page, base, f"applied-{lang}", goto("/portal/menu/applied/dibao/"))
    _check_modes(page, base, f"screener-{lang}", goto("/portal/screener/"))

    def results() -> None:
        page.goto(base + "/portal/screener/")
        _fill_screener(page)
        expect(page.locator("#results")).to_be_visible()

    _check_modes(page, base, f"screener-results-{lang}", results)

    def errors() -> None:
        page.goto(base + "/portal/screener/")
        page.locator("#id_household_size").fill("1")
        page.locator("#id_elderly").fill("3")
        page.locator("form.screener button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator("p.error").first).to_be_visible()

    _check_modes(page, base, f"screener-errors-{lang}", errors)
    _use_session(page, base, keys["unlinked"])
    _check_modes(page, base, f"menu-unlinked-{lang}", goto("/portal/menu/"))


def _apply_with_keyboard(page: Page, base: str, key: str) -> None:
    _use_session(page, base, key)
    page.goto(base + "/portal/menu/")
    button = page.get_by_role("button", name=re.compile("Apply for"))
    for _press in range(80):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the apply button")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/portal/menu/applied/dibao/$"))


def _screener_with_keyboard(page: Page, base: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/portal/screener/")
    page.locator("#id_district").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Tab")  # to the hukou radio group
    page.keyboard.press("Tab")  # to the monthly income
    page.keyboard.press("Control+A")
    page.keyboard.type("300")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator("#results")).to_contain_text("dibao")


def test_menu_pages_accessible(live_server, chromium_path, sessions, household):
    base = live_server.url
    dialogs: list[str] = []
    with open_page(chromium_path, locale="en-US") as page:
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        page.set_viewport_size(PHONE)
        _apply_with_keyboard(page, base, sessions["linked"])
        _screener_with_keyboard(page, base)
        _pages(page, base, "en-US", sessions)
    with open_page(chromium_path, locale="zh-CN") as page:
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        page.set_viewport_size(PHONE)
        _pages(page, base, "zh-CN", sessions)

    assert dialogs == []
    case = Case.objects.get(household=household)
    assert case.channel == Channel.PORTAL
