"""The staff pages in a real Chromium against the live Django server.

Accounts sign in through the real form with a password and a TOTP code. The
tests use the ORM only before the browser starts, because Playwright's sync
API keeps an event loop on this thread and Django raises
SynchronousOnlyOperation for database calls from a thread with a running loop.

Set DOUDI_SCREENSHOT_DIR to a folder to keep screenshots of the pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from doudi.conftest import ALICE_ID
from doudi.privacy.choices import Role
from doudi.registry.models import Household
from doudi.testing.browser import (
    PASSWORD,
    SIGN_IN_PATH,
    Account,
    blocking_violations,
    make_account,
    open_page,
    save_screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]

LIST_PATH = "/registry/households/"
QUEUE_PATH = "/cases/"
AUDIT_PATH = "/account/audit/"
MASKED_HEAD = "王**"
ELDER_CLASS = re.compile(r"\belder\b")
INTERACTIVE = "a[href], button, input:not([type=hidden]), select"


@pytest.fixture
def worker(regions, household) -> Account:
    return make_account("worker", Role.COMMUNITY_WORKER, regions["home"])


@pytest.fixture
def outsider(regions, household) -> Account:
    return make_account("neighbour_worker", Role.COMMUNITY_WORKER, regions["neighbour"])


@pytest.fixture
def auditor(regions, household) -> Account:
    return make_account("audit_reader", Role.AUDITOR, regions["city"])


@pytest.fixture
def page(chromium_path: str) -> Iterator[Page]:
    # Function scope, so no event loop runs on this thread while fixtures
    # set up or tear down the database. The browser is set to Chinese, as
    # staff of a Chinese city office use.
    with open_page(chromium_path) as opened:
        yield opened


def _undersized_targets(page: Page, minimum: float) -> list[str]:
    """Return the visible interactive elements smaller than minimum CSS px."""
    undersized = []
    for element in page.locator(INTERACTIVE).all():
        box = element.bounding_box()
        if not element.is_visible() or box is None or box["x"] < 0:
            continue
        if box["width"] < minimum or box["height"] < minimum:
            label = element.evaluate("e => e.outerHTML.slice(0, 80)")
            undersized.append(f"{box['width']:.0f}x{box['height']:.0f} {label}")
    return undersized


def _computed_px(page: Page, selector: str, css_property: str) -> float:
    value = page.locator(selector).first.evaluate(
        "(e, p) => getComputedStyle(e).getPropertyValue(p)", css_property
    )
    return float(value.removesuffix("px"))


def _household_heading(household: Household) -> str:
    return f"家庭档案（编号 {household.pk}）"


# Sign-in, list, detail, reveal and the language switch


def test_worker_reveals_id_and_switches_language(
    live_server, household, worker, page
) -> None:
    sign_in(page, live_server.url, worker)

    # A community worker starts at the work queue.
    expect(page).to_have_url(re.compile(re.escape(QUEUE_PATH) + "$"))
    page.goto(live_server.url + LIST_PATH)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("家庭档案")
    expect(page.get_by_role("cell", name=MASKED_HEAD)).to_be_visible()
    expect(page.get_by_text("王测试")).to_have_count(0)
    save_screenshot(page, "household-list.png")

    page.get_by_role("link", name=_household_heading(household)).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        _household_heading(household)
    )
    assert page.evaluate("typeof htmx") == "object"
    detail_url = page.url
    expect(page.get_by_text("310101********0018")).to_be_visible()

    page.get_by_label("用途").first.select_option(label="家庭经济状况核对")
    page.get_by_role("button", name="显示完整号码（王测试）").click()
    revealed = page.locator(".revealed")
    expect(revealed).to_have_text(ALICE_ID)
    assert page.url == detail_url
    # htmx moves focus onto the number that replaced the focused button.
    focused_text = page.evaluate("document.activeElement.textContent")
    assert ALICE_ID in focused_text

    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == detail_url
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Household {household.pk}"
    )
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Resident ID")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # The full number was shown once and is masked again on the next load.
    expect(page.get_by_text(ALICE_ID)).to_have_count(0)


def test_outsider_gets_not_found_page(live_server, household, outsider, page) -> None:
    sign_in(page, live_server.url, outsider)

    response = page.goto(f"{live_server.url}/registry/households/{household.pk}/")

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(page.get_by_text("测试路")).to_have_count(0)
    expect(page.get_by_text("王")).to_have_count(0)


# Keyboard


def test_keyboard_signs_in_searches_and_opens(
    live_server, household, worker, page
) -> None:
    page.goto(live_server.url + SIGN_IN_PATH)
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.get_by_label("用户名").focus()
    page.keyboard.type(worker.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(worker.code())
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(QUEUE_PATH) + "$"))
    page.goto(live_server.url + LIST_PATH)

    page.keyboard.press("Tab")
    skip = page.locator(".skip")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("Tab")
    search = page.get_by_label("按居民身份证号码、手机号码或完整姓名查询")
    expect(search).to_be_focused()
    outline = search.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"
    page.keyboard.type("王测试")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?q="))
    expect(page.get_by_role("status")).to_have_text("共有 1 个家庭符合“王测试”。")

    link = page.get_by_role("link", name=_household_heading(household))
    for _ in range(10):
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        _household_heading(household)
    )


# Accessibility checks by axe-core


def test_axe_sign_in_page(live_server, page) -> None:
    page.goto(live_server.url + SIGN_IN_PATH)
    assert blocking_violations(page) == []

    # Submitting the empty form shows an error under each required field.
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    username = page.get_by_label("用户名")
    expect(username).to_have_attribute("aria-invalid", "true")
    error_id = username.get_attribute("aria-describedby")
    assert error_id
    expect(page.locator(f"#{error_id}")).to_have_text("这个字段是必填项。")
    assert blocking_violations(page) == []


def test_axe_not_found_page(live_server, household, outsider, page) -> None:
    sign_in(page, live_server.url, outsider)
    page.goto(f"{live_server.url}/registry/households/{household.pk}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    assert blocking_violations(page) == []


def test_axe_list_and_detail_pages(live_server, household, worker, page) -> None:
    sign_in(page, live_server.url, worker)
    page.goto(live_server.url + LIST_PATH)
    assert blocking_violations(page) == []

    page.get_by_role("link", name=_household_heading(household)).click()
    page.wait_for_load_state()
    assert blocking_violations(page) == []

    page.get_by_role("button", name="显示完整号码（王测试）").click()
    expect(page.locator(".revealed")).to_have_text(ALICE_ID)
    assert blocking_violations(page) == []


def test_axe_audit_log_page(live_server, household, auditor, page) -> None:
    sign_in(page, live_server.url, auditor)

    expect(page).to_have_url(re.compile(re.escape(AUDIT_PATH) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")
    assert blocking_violations(page) == []


# Target sizes and elder mode


def test_targets_meet_minimum_size(live_server, household, worker, page) -> None:
    sign_in(page, live_server.url, worker)
    page.goto(live_server.url + LIST_PATH)
    assert _undersized_targets(page, 24) == []

    page.get_by_role("link", name=_household_heading(household)).click()
    page.wait_for_load_state()
    assert _undersized_targets(page, 24) == []


def test_elder_mode_enlarges_text_and_targets(
    live_server, household, worker, page
) -> None:
    sign_in(page, live_server.url, worker)
    page.goto(live_server.url + LIST_PATH)
    toggle = page.get_by_role("button", name="长辈模式（大字）")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert _computed_px(page, "body", "font-size") == 16

    toggle.click()
    expect(page.locator("body")).to_have_class(ELDER_CLASS)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    # 18 pt is 24 CSS px and 30 pt is 40 CSS px.
    assert _computed_px(page, "body", "font-size") >= 24
    assert _computed_px(page, "td", "font-size") >= 24
    assert _computed_px(page, "h1", "font-size") >= 40
    line_height = _computed_px(page, "body", "line-height")
    assert line_height / _computed_px(page, "body", "font-size") >= 1.3
    assert _undersized_targets(page, 60) == []
    assert blocking_violations(page) == []

    # The cookie keeps the mode on the next page, rendered by the server.
    page.get_by_role("link", name=_household_heading(household)).click()
    expect(page.locator("body")).to_have_class(ELDER_CLASS)
    assert _computed_px(page, "body", "font-size") >= 24
    assert _undersized_targets(page, 60) == []

    page.get_by_role("button", name="长辈模式（大字）").click()
    expect(page.locator("body")).not_to_have_class(ELDER_CLASS)
    assert _computed_px(page, "body", "font-size") == 16
