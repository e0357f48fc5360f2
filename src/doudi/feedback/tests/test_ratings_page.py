"""The staff page of average ratings, per scheme and per service."""

from __future__ import annotations

import uuid

from django.test import Client

from doudi.conftest import signed_in
from doudi.feedback.models import SubjectKind
from doudi.feedback.services import Rating, submit_feedback
from doudi.feedback.subjects import Subject


def _rate(account, household, subject, rating):
    submit_feedback(account.user, household, subject, Rating(rating), key=uuid.uuid4())


def test_city_admin_sees_averages(account, household, award, service, users):
    _rate(account, household, Subject(SubjectKind.AWARD, award=award), 4)
    _rate(account, household, Subject(SubjectKind.SERVICE, service=service), 2)
    client = signed_in(users["city"])
    response = client.get("/portal/feedback/ratings/", HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Minimum living allowance (dibao)" in content
    assert "<td>4.0</td>" in content
    assert "Home visits" in content
    assert "<td>2.0</td>" in content
    assert "王测试" not in content


def test_other_region_sees_none(account, household, award, users):
    _rate(account, household, Subject(SubjectKind.AWARD, award=award), 4)
    client = signed_in(users["other_district"])
    content = client.get("/portal/feedback/ratings/", HTTP_ACCEPT_LANGUAGE="en")
    assert "4.0" not in content.content.decode()


def test_auditor_and_provider_refused(users):
    for name in ("auditor", "provider"):
        response = signed_in(users[name]).get("/portal/feedback/ratings/")
        assert response.status_code == 403, name


def test_anonymous_sent_to_sign_in(db):
    response = Client().get("/portal/feedback/ratings/")
    assert response.status_code == 302
