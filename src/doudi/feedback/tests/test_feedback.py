"""Ratings and complaints: stored once, audited, limited, own household only."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from doudi.cases.models import Case, CaseKind, Step
from doudi.feedback.models import Feedback, SubjectKind
from doudi.feedback.services import RateLimited, Rating, submit_feedback
from doudi.feedback.subjects import Subject, find_subject
from doudi.privacy.models import AuditEntry


def _form(rating: int = 4, complaint: str = "", key: uuid.UUID | None = None):
    return {
        "rating": str(rating),
        "comment": "",
        "complaint": complaint,
        "key": str(key or uuid.uuid4()),
    }


def test_rating_service_stored_and_audited(resident, service, household):
    response = resident.post(f"/portal/feedback/rate/service/{service.pk}/", _form(5))
    feedback = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/feedback/sent/{feedback.pk}/"
    assert feedback.rating == 5
    assert feedback.household_id == household.pk
    assert feedback.subject_kind == SubjectKind.SERVICE
    entry = AuditEntry.objects.get(object_type="feedback.feedback")
    assert entry.action == "create"
    assert entry.object_id == str(feedback.pk)


def test_same_form_twice_stores_once(resident, service):
    form = _form(3)
    first = resident.post(f"/portal/feedback/rate/service/{service.pk}/", form)
    second = resident.post(f"/portal/feedback/rate/service/{service.pk}/", form)
    assert first["Location"] == second["Location"]
    assert Feedback.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="feedback.feedback").count() == 1


def test_new_rating_replaces_old(resident, service):
    resident.post(f"/portal/feedback/rate/service/{service.pk}/", _form(2))
    resident.post(f"/portal/feedback/rate/service/{service.pk}/", _form(4))
    feedback = Feedback.objects.get()
    assert feedback.rating == 4
    actions = AuditEntry.objects.filter(object_type="feedback.feedback")
    assert sorted(actions.values_list("action", flat=True)) == ["create", "update"]


def test_complaint_becomes_case_with_deadline(resident, award, household):
    response = resident.post(
        f"/portal/feedback/rate/award/{award.pk}/",
        _form(1, complaint="The payment came two months late."),
    )
    feedback = Feedback.objects.get()
    complaint = feedback.complaint
    assert response.status_code == 302
    assert complaint is not None
    assert complaint.kind == CaseKind.COMPLAINT
    assert complaint.household_id == household.pk
    assert complaint.parent_id == award.case_id
    assert complaint.step == Step.ACCEPT
    assert complaint.next_due == timezone.localdate() + timedelta(days=60)
    event = complaint.events.get()
    assert event.note == "The payment came two months late."
    page = resident.get(response["Location"]).content.decode()
    assert f"recorded as number {complaint.pk}" in page


def test_second_complaint_joins_open_case(resident, award):
    url = f"/portal/feedback/rate/award/{award.pk}/"
    resident.post(url, _form(1, complaint="Late again."))
    resident.post(url, _form(2, complaint="Still late."))
    assert Case.objects.filter(kind=CaseKind.COMPLAINT).count() == 1
    assert Feedback.objects.get().rating == 2


def test_complaint_about_service_has_no_scheme(resident, service):
    resident.post(
        f"/portal/feedback/rate/service/{service.pk}/",
        _form(1, complaint="No one came."),
    )
    complaint = Case.objects.get(kind=CaseKind.COMPLAINT)
    assert complaint.scheme == ""
    assert complaint.parent_id is None


def test_other_households_award_not_found(resident, far_award):
    response = resident.get(f"/portal/feedback/rate/award/{far_award.pk}/")
    posted = resident.post(f"/portal/feedback/rate/award/{far_award.pk}/", _form(1))
    assert response.status_code == 404
    assert posted.status_code == 404
    assert not Feedback.objects.exists()


def test_resident_cannot_rate_for_other_household(account, far_household, far_award):
    subject = Subject(SubjectKind.AWARD, award=far_award)
    with pytest.raises(PermissionDenied):
        submit_feedback(
            account.user, far_household, subject, Rating(5), key=uuid.uuid4()
        )
    assert not Feedback.objects.exists()
    assert AuditEntry.objects.filter(action="denied").count() == 1


def test_open_case_cannot_be_rated(resident, household):
    from doudi.feedback.tests.conftest import closed_case

    case = closed_case(household)
    Case.objects.filter(pk=case.pk).update(closed_at=None)
    response = resident.get(f"/portal/feedback/rate/case/{case.pk}/")
    assert response.status_code == 404


def test_find_subject_rejects_bad_reference(household):
    from django.http import Http404

    with pytest.raises(Http404):
        find_subject(household, "service", "not-a-uuid")
    with pytest.raises(Http404):
        find_subject(household, "award", "x1")


def test_rating_out_of_range_rejected(resident, service):
    response = resident.post(f"/portal/feedback/rate/service/{service.pk}/", _form(6))
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_rate_limit(settings, account, household, service):
    settings.FEEDBACK_PER_HOUR = 2
    subject = Subject(SubjectKind.SERVICE, service=service)
    for rating in (3, 4):
        submit_feedback(
            account.user, household, subject, Rating(rating), key=uuid.uuid4()
        )
    with pytest.raises(RateLimited):
        submit_feedback(account.user, household, subject, Rating(5), key=uuid.uuid4())
    assert Feedback.objects.get().rating == 4


def test_rate_limit_page_status(settings, resident, service):
    settings.FEEDBACK_PER_HOUR = 1
    url = f"/portal/feedback/rate/service/{service.pk}/"
    resident.post(url, _form(3))
    response = resident.post(url, _form(4))
    assert response.status_code == 429


def test_choose_lists_own_subjects(resident, award, far_award, service):
    content = resident.get("/portal/feedback/").content.decode()
    assert f"/portal/feedback/rate/award/{award.pk}/" in content
    assert f"/portal/feedback/rate/award/{far_award.pk}/" not in content


def test_sent_page_of_other_household_not_found(
    resident, far_household, far_award, users
):
    from doudi.conftest import BOB_ID
    from doudi.feedback.testing import linked_account, portal_client

    other = linked_account("+8613911114444", BOB_ID, "李测试")
    assert other.user is not None
    subject = Subject(SubjectKind.AWARD, award=far_award)
    feedback, _ = submit_feedback(
        other.user, far_household, subject, Rating(3), key=uuid.uuid4()
    )
    assert resident.get(f"/portal/feedback/sent/{feedback.pk}/").status_code == 404
    assert (
        portal_client(other).get(f"/portal/feedback/sent/{feedback.pk}/").status_code
        == 200
    )


def test_worker_rates_in_assisted_mode(users, household, service):
    subject = Subject(SubjectKind.SERVICE, service=service)
    feedback, created = submit_feedback(
        users["owner"], household, subject, Rating(4), key=uuid.uuid4(), assisted=True
    )
    assert created
    assert feedback.assisted
    assert feedback.submitted_by_id == users["owner"].pk


def test_worker_without_assisted_mode_denied(users, household, service):
    subject = Subject(SubjectKind.SERVICE, service=service)
    with pytest.raises(PermissionDenied):
        submit_feedback(users["owner"], household, subject, Rating(4), key=uuid.uuid4())
    with pytest.raises(PermissionDenied):
        submit_feedback(
            users["outsider"],
            household,
            subject,
            Rating(4),
            key=uuid.uuid4(),
            assisted=True,
        )
