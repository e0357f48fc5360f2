"""The feedback pages in Chromium on a phone: WCAG 2.2 AA, elder mode, keyboard.

Each page is checked in Chinese and English with elder mode off and on. A
resident rates an award and complains with the keyboard alone. The staff
ratings page is checked after a staff sign-in.

The ORM is used only while no browser is open (see the cases browser tests).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from doudi.cases.models import CaseKind
from doudi.feedback.browser_checks import (
    PHONE,
    elder_problems,
    set_elder_mode,
    wcag_violations,
)
from doudi.feedback.models import Feedback, SubjectKind
from doudi.feedback.services import Rating, submit_feedback
from doudi.feedback.subjects import Subject
from doudi.feedback.testing import portal_session_key
from doudi.privacy.choices import Role
from doudi.testing.browser import (
    CHINESE,
    ENGLISH,
    SIGN_IN_PATH,
    make_account,
    open_page,
    save_screenshot,
    submit_sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]

LANGUAGES = {"en-US": "en", "zh-CN": "zh-hans"}


@pytest.fixture
def setup(account, household, award, service, regions):
    sent = submit_feedback(
        account.user,
        household,
        Subject(SubjectKind.SERVICE, service=service),
        Rating(2, complaint="没有人来。"),
        key=uuid.uuid4(),
    )[0]
    return {
        "session": portal_session_key(account),
        "award": award.pk,
        "sent": sent.pk,
        "staff": {
            "en-US": make_account("ratings_en", Role.CITY_ADMIN, regions["city"]),
            "zh-CN": make_account("ratings_zh", Role.CITY_ADMIN, regions["city"]),
        },
    }


def _check_modes(page: Page, base: str, name: str, path: str) -> None:
    for elder in (False, True):
        set_elder_mode(page, base, elder)
        page.goto(base + path)
        label = f"{name} elder={elder}"
        save_screenshot(page, f"{name}-{'elder' if elder else 'plain'}.png")
        assert wcag_violations(page) == [], label
        if elder and path.startswith("/portal/feedback/") and "ratings" not in path:
            assert elder_problems(page) == [], label


def _resident_pages(page: Page, base: str, lang: str, data: dict[str, Any]) -> None:
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": data["session"], "url": base}]
    )
    _check_modes(page, base, f"feedback-choose-{lang}", "/portal/feedback/")
    expect(page.locator("html")).to_have_attribute("lang", LANGUAGES[lang])
    rate = f"/portal/feedback/rate/award/{data['award']}/"
    _check_modes(page, base, f"feedback-rate-{lang}", rate)
    _check_modes(
        page, base, f"feedback-sent-{lang}", f"/portal/feedback/sent/{data['sent']}/"
    )


def _rate_with_keyboard(page: Page, base: str, data: dict[str, Any]) -> None:
    page.goto(f"{base}/portal/feedback/rate/award/{data['award']}/")
    page.locator("#id_rating_0").focus()
    page.keyboard.press("ArrowDown")  # from 5 to 4 stars
    page.keyboard.press("ArrowDown")  # 3 stars
    page.keyboard.press("ArrowDown")  # 2 stars
    page.keyboard.press("Tab")
    page.keyboard.type("太慢了。")
    page.keyboard.press("Tab")
    page.keyboard.type("发放晚了两个月。")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/portal/feedback/sent/\d+/$"))


def _staff_page(page: Page, base: str, lang: str, account) -> None:
    page.context.clear_cookies()
    labels = ENGLISH if lang == "en-US" else CHINESE
    submit_sign_in(page, base + SIGN_IN_PATH, account, labels)
    expect(page).not_to_have_url(re.compile(re.escape(SIGN_IN_PATH)))
    _check_modes(page, base, f"feedback-ratings-{lang}", "/portal/feedback/ratings/")


def test_feedback_pages_accessible(live_server, chromium_path, setup, award):
    base = live_server.url
    dialogs: list[str] = []
    for lang in ("en-US", "zh-CN"):
        with open_page(chromium_path, locale=lang) as page:
            page.on("dialog", lambda dialog: dialogs.append(dialog.message))
            page.set_viewport_size(PHONE)
            _resident_pages(page, base, lang, setup)
            if lang == "en-US":
                _rate_with_keyboard(page, base, setup)
            _staff_page(page, base, lang, setup["staff"][lang])

    assert dialogs == []
    rated = Feedback.objects.get(award=award)
    assert rated.rating == 2
    assert rated.complaint is not None
    assert rated.complaint.kind == CaseKind.COMPLAINT
