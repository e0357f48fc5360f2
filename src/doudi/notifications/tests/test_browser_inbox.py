"""The resident's inbox and preferences pages in Chromium, checked by axe-core.

Residents sign in through the portal with a phone and a one-time code, so
the test signs the resident in with a session cookie made by Django's test
client instead of driving a sign-in form. The ORM is used only while no
browser is open (Playwright keeps an event loop on this thread).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from doudi.notifications import services
from doudi.notifications.models import Message
from doudi.privacy.models import User
from doudi.registry.models import Person
from doudi.testing.browser import blocking_violations, open_page, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]


def _session_cookie(user: User, base_url: str) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}


def _check(page: Page, name: str) -> None:
    save_screenshot(page, name)
    assert blocking_violations(page) == [], name


@pytest.mark.parametrize(("locale", "elder"), [("en-US", False), ("zh-CN", True)])
def test_inbox_accessible_and_marks_read(
    live_server,
    chromium_path: str,
    resident: User,
    head: Person,
    locale: str,
    elder: bool,
) -> None:
    services.notify_resident(
        head.pk, "help_request_received", {"reference": "Q-1"}, "q-1"
    )
    services.notify_resident(
        head.pk, "case_step_changed", {"reference": "C-2", "step": "Survey"}, "c-2"
    )
    cookies = [_session_cookie(resident, live_server.url)]
    if elder:
        cookies.append(
            {"name": "doudi_elder_mode", "value": "1", "url": live_server.url}
        )

    with open_page(chromium_path, locale=locale) as page:
        page.context.add_cookies(cookies)  # type: ignore[arg-type]
        page.goto(live_server.url + "/notifications/")
        expect(page.get_by_role("heading", level=2)).to_have_count(2)
        _check(page, f"notifications-inbox-{locale}.png")

        buttons = page.locator("form[action$='/read/'] button")
        expect(buttons).to_have_count(2)
        buttons.first.focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        expect(buttons).to_have_count(1)

        page.goto(live_server.url + "/notifications/preferences/")
        _check(page, f"notifications-preferences-{locale}.png")

    assert Message.objects.filter(person=head, read_at__isnull=False).count() == 1
