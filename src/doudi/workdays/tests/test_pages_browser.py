"""A city administrator loads a schedule through the page, in Chromium.

The ORM is used only before the browser starts and after it closes, because
Playwright's sync API keeps an event loop on this thread and Django refuses
database calls from a thread with a running loop.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import FilePayload, Page, expect

from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry
from doudi.testing.browser import (
    blocking_violations,
    make_account,
    open_page,
    save_screenshot,
    sign_in,
)
from doudi.workdays.models import OfficialSchedule
from doudi.workdays.services import OBJECT_TYPE
from doudi.workdays.tests.conftest import EXAMPLE_2027, csv_file

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]

BAD_FILE = csv_file("2027-02-10,working_day,春节", "2028-01-01,holiday,元旦")


def test_city_admin_uploads_schedule(live_server, regions, chromium_path):
    account = make_account("calendar_admin", Role.CITY_ADMIN, regions["city"])

    with open_page(chromium_path) as page:
        sign_in(page, live_server.url, account)
        _upload_bad_then_good(page, live_server.url)

    schedule = OfficialSchedule.objects.get(year=2027)
    assert schedule.loaded_by.username == "calendar_admin"
    assert schedule.days.count() == 33
    entry = AuditEntry.objects.get(object_type=OBJECT_TYPE)
    assert entry.action == AuditAction.CREATE


def _upload(page: Page, data: bytes) -> None:
    page.locator("#id_year").fill("2027")
    page.locator("#id_source").fill("示例通知（合成数据）")
    upload: FilePayload = {
        "name": "schedule.csv",
        "mimeType": "text/csv",
        "buffer": data,
    }
    page.locator("#id_file").set_input_files(files=[upload])
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()


def _upload_bad_then_good(page: Page, base: str) -> None:
    page.goto(base + "/workdays/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert blocking_violations(page) == []

    _upload(page, BAD_FILE)
    errors = page.locator("#file-errors li")
    expect(errors).to_have_count(2)
    expect(errors.first).to_contain_text("2027-02-10")
    expect(errors.nth(1)).to_contain_text("2028-01-01")
    save_screenshot(page, "workdays-upload-errors.png")
    assert blocking_violations(page) == []

    _upload(page, EXAMPLE_2027.read_bytes())
    expect(page.locator("p.notice[role=status]")).to_be_visible()
    expect(page.locator("#days-heading")).to_contain_text("2027")
    expect(page.get_by_role("cell", name="2027-02-20")).to_be_visible()
    save_screenshot(page, "workdays-loaded.png")
    assert blocking_violations(page) == []
