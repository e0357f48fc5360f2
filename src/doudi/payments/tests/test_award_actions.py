"""Each action of the award page, sent as the page sends it, and double submits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from doudi.payments.models import (
    Award,
    AwardEvent,
    AwardStatus,
    ChangeCategory,
    EventKind,
    ReportedChange,
    Review,
    ReviewKind,
    ReviewOutcome,
    ReviewStatus,
)
from doudi.payments.reviews import report_change
from doudi.payments.tests.factories import make_award
from doudi.payments.tests.test_pages import english
from doudi.privacy.models import AuditEntry, User
from doudi.registry.models import Household

DAY = "2025-05-02"


@pytest.fixture
def award(users: dict[str, User], household: Household) -> Award:
    return make_award(household, users["district"], amount_fen=150_000)


def post(client: Client, award: Award, name: str, data: Mapping[str, object]) -> str:
    fields = {f"{name}-{key}": value for key, value in data.items()}
    response = client.post(f"/payments/awards/{award.pk}/{name}", fields, follow=True)
    assert response.status_code == 200
    return response.text


def status_form(award: Award, reason: str = "未按时报告收入") -> dict[str, object]:
    return {"version": award.version, "on": DAY, "reason": reason}


def test_suspend_then_resume(users: dict[str, User], award: Award) -> None:
    client = english(users["district"])
    text = post(client, award, "suspend", status_form(award))
    assert "The award is suspended." in text
    award.refresh_from_db()
    assert award.status == AwardStatus.SUSPENDED
    text = post(client, award, "resume", status_form(award, "已核实"))
    assert "The award is in payment again." in text
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE


def test_double_submit_applies_once(users: dict[str, User], award: Award) -> None:
    client = english(users["district"])
    form = status_form(award)
    post(client, award, "suspend", form)
    text = post(client, award, "suspend", form)
    assert "This award changed after you opened the page" in text
    assert AwardEvent.objects.filter(kind=EventKind.SUSPENDED).count() == 1


def test_stale_form_rejected(users: dict[str, User], award: Award) -> None:
    client = english(users["district"])
    old = status_form(award)
    post(client, award, "suspend", old)
    post(client, award, "resume", status_form(Award.objects.get(pk=award.pk)))
    text = post(client, award, "suspend", old)  # sent from the first view
    assert "nothing was done" in text
    assert Award.objects.get(pk=award.pk).status == AwardStatus.ACTIVE


def test_reason_required(users: dict[str, User], award: Award) -> None:
    text = post(english(users["district"]), award, "suspend", status_form(award, ""))
    assert "Reason, in writing: This field is required." in text
    assert Award.objects.get(pk=award.pk).status == AwardStatus.ACTIVE


def test_gradual_exit_and_terminate(users: dict[str, User], award: Award) -> None:
    client = english(users["district"])
    assert "The gradual exit has started." in post(
        client, award, "gradual_exit", status_form(award, "就业收入超过标准")
    )
    award.refresh_from_db()
    assert award.status == AwardStatus.GRADUAL_EXIT
    assert "The award is terminated." in post(
        client, award, "terminate", status_form(award, "迁出本市")
    )
    assert Award.objects.get(pk=award.pk).status == AwardStatus.TERMINATED


def test_change_amount(users: dict[str, User], award: Award) -> None:
    data = {"version": award.version, "amount_yuan": "1620.50", "on": DAY}
    text = post(
        english(users["district"]), award, "amount", data | {"reason": "标准调整"}
    )
    assert "The monthly amount is changed." in text
    assert Award.objects.get(pk=award.pk).amount_fen == 162_050


def test_bank_account_never_echoed(users: dict[str, User], award: Award) -> None:
    number = "6200000000000012345"
    data = {"version": award.version, "holder": "王测试", "bank_code": "TESTBANK"}
    text = post(
        english(users["district"]), award, "account", data | {"account_number": number}
    )
    assert "The bank account is recorded." in text
    assert "****2345" in text
    assert number not in text
    assert Award.objects.get(pk=award.pk).bank_account_last4 == "2345"


def test_bad_account_not_echoed(users: dict[str, User], award: Award) -> None:
    data = {"version": award.version, "holder": "王测试", "bank_code": "TESTBANK"}
    text = post(
        english(users["district"]),
        award,
        "account",
        data | {"account_number": "12AB56"},
    )
    assert "8 to 30 digits" in text
    assert "12AB56" not in text


def test_worker_reports_change_once(users: dict[str, User], award: Award) -> None:
    client = english(users["owner"])
    data = {"category": "income", "description": "女儿开始工作", "reported_on": DAY}
    text = post(client, award, "report", data)
    assert "The change is recorded and its review scheduled." in text
    assert "女儿开始工作" in text
    post(client, award, "report", data)
    assert ReportedChange.objects.filter(award=award).count() == 1
    assert Review.objects.filter(kind=ReviewKind.REPORTED_CHANGE).count() == 1


def test_worker_records_a_death_once(
    users: dict[str, User], award: Award, household: Household
) -> None:
    member = household.memberships.order_by("pk").last()
    assert member is not None
    client = english(users["owner"])
    data = {"member": member.person_id, "died_on": DAY}

    text = post(client, award, "death", data)
    post(client, award, "death", data)

    assert "The death is recorded and the re-check scheduled." in text
    recheck = Review.objects.get(award=award, kind=ReviewKind.DEATH)
    assert recheck.deceased_id == member.person_id
    assert recheck.due_on == date(2025, 8, 2)  # three months after the death


def test_death_of_a_stranger_is_refused(
    users: dict[str, User], award: Award, far_household: Household
) -> None:
    stranger = far_household.memberships.first()
    assert stranger is not None
    data = {"member": stranger.person_id, "died_on": DAY}

    text = post(english(users["owner"]), award, "death", data)

    assert "Select a valid choice" in text
    assert not Review.objects.filter(award=award, kind=ReviewKind.DEATH).exists()


def test_worker_cannot_suspend(users: dict[str, User], award: Award) -> None:
    response = english(users["owner"]).post(
        f"/payments/awards/{award.pk}/suspend",
        {f"suspend-{key}": value for key, value in status_form(award).items()},
    )
    assert response.status_code == 403
    assert Award.objects.get(pk=award.pk).status == AwardStatus.ACTIVE
    assert AuditEntry.objects.filter(
        object_type="payments.award", action="denied", actor=users["owner"]
    ).exists()


def test_outsider_cannot_act(users: dict[str, User], award: Award) -> None:
    response = english(users["other_district"]).post(
        f"/payments/awards/{award.pk}/suspend",
        {f"suspend-{key}": value for key, value in status_form(award).items()},
    )
    assert response.status_code == 403
    assert Award.objects.get(pk=award.pk).status == AwardStatus.ACTIVE


def test_unknown_action_404(users: dict[str, User], award: Award) -> None:
    client = english(users["district"])
    assert client.post(f"/payments/awards/{award.pk}/delete", {}).status_code == 404


def _reported(users: dict[str, User], award: Award) -> Review:
    change = report_change(
        award,
        category=ChangeCategory.INCOME,
        description="收入增加",
        reported_on=date(2025, 5, 1),
        actor=users["owner"],
    )
    return Review.objects.get(change=change)


def test_complete_review_twice(users: dict[str, User], award: Award) -> None:
    review = _reported(users, award)
    client = english(users["district"])
    form = {
        "version": award.version,
        "review": review.pk,
        "outcome": ReviewOutcome.AMOUNT_CHANGED,
        "amount_yuan": "1200.00",
        "on": timezone.localdate().isoformat(),
        "note": "收入核实后调整",
    }
    page = english(users["district"]).get(f"/payments/awards/{award.pk}/").text
    assert f'id="id_review{review.pk}_review-outcome"' in page
    assert "The review is completed." in post(client, award, "review", form)
    post(client, award, "review", form)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DONE
    assert Award.objects.get(pk=award.pk).amount_fen == 120_000
    assert AwardEvent.objects.filter(kind=EventKind.AMOUNT_CHANGED).count() == 1


def test_review_of_other_award_404(
    users: dict[str, User], award: Award, household: Household
) -> None:
    other = make_award(household, users["district"])
    review = _reported(users, other)
    form = {
        "review-version": award.version,
        "review-review": review.pk,
        "review-outcome": ReviewOutcome.CONTINUED,
        "review-on": DAY,
        "review-note": "无变化",
    }
    client = english(users["district"])
    assert client.post(f"/payments/awards/{award.pk}/review", form).status_code == 404
