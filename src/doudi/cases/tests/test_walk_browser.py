"""One case walked from a walk-in request to district approval, in Chromium.

A community worker enters the request, accepts it, records the survey on a
phone-sized screen and verifies the household. A street reviewer approves it
for public notice and starts the notice. A district approver approves it with
the engine's explanation in view. Each signs in with a password and a TOTP
code, and axe-core checks every page on the way.

The ORM is used only while no browser is open, because Playwright's sync
API keeps an event loop on this thread and Django refuses database calls
from a thread with a running loop. Between the street reviewer and the
district approver the test moves the notice 8 days into the past, so that
it may be closed.

Set DOUDI_SCREENSHOT_DIR to a folder to keep screenshots of the pages.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from doudi.assessments.stages import assess_month
from doudi.cases.models import Case, Decision, Step
from doudi.cases.tests.conftest import backdate_notice
from doudi.payments.models import Award
from doudi.privacy.choices import Role
from doudi.registry.models import Household, Region
from doudi.testing.browser import (
    Account,
    blocking_violations,
    make_account,
    open_page,
    save_screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_audit_after")]

PHONE: ViewportSize = {"width": 390, "height": 844}
DESK: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture
def accounts(regions: dict[str, Region]) -> dict[str, Account]:
    return {
        "worker": make_account("cw_browser", Role.COMMUNITY_WORKER, regions["home"]),
        "street": make_account("sr_browser", Role.STREET_REVIEWER, regions["nanjing"]),
        # A second reviewer closes the notice: TOTP refuses a code used twice,
        # and the first reviewer's next sign-in could fall in the same step.
        "street2": make_account(
            "sr2_browser", Role.STREET_REVIEWER, regions["nanjing"]
        ),
        "district": make_account(
            "da_browser", Role.DISTRICT_APPROVER, regions["huangpu"]
        ),
    }


def _check(page: Page, name: str) -> None:
    save_screenshot(page, name)
    assert blocking_violations(page) == [], name


def _sign_out(page: Page) -> None:
    page.locator("form.who button[type=submit]").click()
    page.wait_for_load_state()


def test_walk_in_to_district_approval(
    live_server, chromium_path, accounts, authorised: Household, staff
):
    assess_month(timezone.localdate().replace(day=1))
    base = live_server.url

    with open_page(chromium_path) as page:
        case_url = _community_worker(page, base, accounts["worker"], authorised)
        _street_reviewer(page, base, accounts["street"], case_url)
    case = Case.objects.get()
    assert case.step == Step.PUBLIC_NOTICE
    backdate_notice(case)

    with open_page(chromium_path) as page:
        _street_closes_notice(page, base, accounts["street2"], case_url)
        _district_approver(page, base, accounts["district"], case_url)

    case.refresh_from_db()
    assert case.step == Step.AWARDED
    assert case.decision == Decision.APPROVED
    assert case.approved_amount_fen == 123_450
    assert case.recommended_amount_fen is not None
    assert Award.objects.get(case=case).amount_fen == 123_450
    roles = list(case.events.order_by("at", "pk").values_list("role", flat=True))
    assert set(roles) == {
        Role.COMMUNITY_WORKER,
        Role.STREET_REVIEWER,
        Role.DISTRICT_APPROVER,
    }


def _community_worker(
    page: Page, base: str, account: Account, household: Household
) -> str:
    sign_in(page, base, account)
    page.goto(base + "/cases/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    _check(page, "cases-queue-empty.png")

    page.goto(f"{base}/cases/new/?household={household.pk}")
    _check(page, "cases-new.png")
    page.locator("#id_scheme").select_option("dibao")
    page.locator("#id_channel").select_option("walk_in")
    page.locator("#id_income_wages").fill("600")
    page.locator("#id_asset_deposits").fill("3000")
    page.locator("#id_situation").fill("Synthetic: the head lost his job.")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case_url = page.url
    _check(page, "cases-detail-accept.png")

    # Keyboard only: focus the accept button and press Enter.
    page.locator("form[action$='/act/accept/'] button").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".messages .notice")).to_be_visible()

    page.set_viewport_size(PHONE)
    page.locator("a[href$='/survey/']").click()
    page.wait_for_load_state()
    _check(page, "cases-survey-phone.png")
    page.get_by_label("owner2", exact=False).check()
    page.locator("#id_members_present").fill("2")
    page.locator("#id_housing_1").check()
    page.locator("#id_living_conditions_1").check()
    page.locator("#id_declaration_matches_0").check()
    page.locator("#id_opinion_0").check()
    page.locator("#id_findings").fill("Two rooms, rented.")
    page.locator("form.visit button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(case_url)
    page.set_viewport_size(DESK)

    page.locator("form[action$='/act/verify/'] button").click()
    page.wait_for_load_state()
    expect(page.locator("a[href*='/verification/reports/']")).to_be_visible()
    _check(page, "cases-detail-verified.png")
    _sign_out(page)
    return case_url


def _street_reviewer(page: Page, base: str, account: Account, case_url: str) -> None:
    sign_in(page, base, account)
    page.goto(base + "/cases/")
    page.locator(f"a[href='{case_url.removeprefix(base)}']").click()
    page.wait_for_load_state()
    _check(page, "cases-detail-street-review.png")
    page.locator("#id_send_to_notice-amount_yuan").fill("1234.50")
    page.locator("form[action$='/act/send_to_notice/'] button").click()
    page.wait_for_load_state()
    page.locator("form[action$='/act/start_notice/'] button").click()
    page.wait_for_load_state()
    expect(page.locator("#notice-heading")).to_be_visible()
    _check(page, "cases-detail-notice.png")
    page.locator("a[href*='/cases/notices/']").click()
    page.wait_for_load_state()
    expect(page.locator("tbody td").first).to_have_text("王**")
    _check(page, "cases-notice-board.png")
    _sign_out(page)


def _street_closes_notice(
    page: Page, base: str, account: Account, case_url: str
) -> None:
    sign_in(page, base, account)
    page.goto(case_url)
    page.locator("form[action$='/act/close_notice/'] button").click()
    page.wait_for_load_state()
    _sign_out(page)


def _district_approver(page: Page, base: str, account: Account, case_url: str) -> None:
    sign_in(page, base, account)
    page.goto(base + "/cases/")
    _check(page, "cases-queue-district.png")
    page.goto(case_url)
    explanation = page.locator("#engine-heading ~ details").last
    expect(explanation).to_have_attribute("open", "")
    expect(explanation.locator("li").first).to_be_visible()
    _check(page, "cases-detail-district.png")
    amount = page.locator("#id_approve-amount_yuan")
    expect(amount).to_have_value("1234.50")
    page.locator("form[action$='/act/approve/'] button").click()
    page.wait_for_load_state()
    expect(page.locator(".case-facts strong").first).to_be_visible()
    _check(page, "cases-detail-awarded.png")
