"""Complaint cases: their deadline, who answers them, and closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from doudi.cases import deadlines
from doudi.cases.complaints import answer_complaint
from doudi.cases.models import Case, CaseKind, Channel, Step
from doudi.conftest import signed_in


@pytest.fixture
def complaint(household) -> Case:
    today = timezone.localdate()
    case = Case(
        kind=CaseKind.COMPLAINT,
        household=household,
        scheme="",
        channel=Channel.PORTAL,
        opened_at=timezone.now(),
        region=household.region,
        region_path=household.region.path,
        step_started_on=today,
    )
    for name, value in deadlines.schedule(
        case, step=Step.ACCEPT, started_on=today
    ).items():
        setattr(case, name, value)
    case.save()
    return case


def test_complaint_due_in_60_days(complaint):
    assert complaint.next_due == timezone.localdate() + timedelta(days=60)


def test_worker_answers_and_closes(complaint, users):
    case = answer_complaint(
        users["owner"], complaint.pk, version=0, answer="Paid on 3 March."
    )
    assert case.step == Step.COMPLAINT_ANSWERED
    assert case.closed_at is not None
    assert case.next_due is None


def test_outsider_cannot_answer(complaint, users):
    with pytest.raises(PermissionDenied):
        answer_complaint(users["outsider"], complaint.pk, version=0, answer="No.")


def test_answer_required(complaint, users):
    with pytest.raises(ValidationError):
        answer_complaint(users["owner"], complaint.pk, version=0, answer="  ")


def test_case_page_opens_for_complaint(complaint, users):
    response = signed_in(users["owner"]).get(
        f"/cases/{complaint.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200


def test_case_page_answers_a_complaint(complaint, users):
    client = signed_in(users["owner"])

    page = client.get(f"/cases/{complaint.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        f"/cases/{complaint.pk}/act/answer_complaint/",
        {
            "answer_complaint-version": 0,
            "answer_complaint-answer": "The payment was late; it was paid on 3 March.",
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert "Complaint" in page.text
    assert "Answer the complaint" in page.text
    assert "The complaint is answered and closed." in response.text
    complaint.refresh_from_db()
    assert complaint.step == Step.COMPLAINT_ANSWERED
