"""The work queue, the case page, its action forms and the new-request form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from doudi.assessments.stages import assess_month
from doudi.cases import services
from doudi.cases.models import Case, CaseDocument, CaseKind, Step
from doudi.cases.tests.conftest import open_walk_in, today, walk
from doudi.conftest import make_user
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def english(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_queue_lists_own_region_only(staff, household, far_household):
    mine = open_walk_in(staff["worker"], household)
    far_worker = User.objects.get(username="far_worker")
    theirs = open_walk_in(far_worker, far_household)

    response = english(staff["worker"]).get("/cases/")

    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/cases/{mine.pk}/"' in body
    assert f'href="/cases/{theirs.pk}/"' not in body
    assert "王测试" in body
    entry = AuditEntry.objects.get(action=AuditAction.READ, object_type="cases.case")
    assert entry.detail["ids"] == [mine.pk]


def test_my_queue_tells_appeals_from_applications(staff, household):
    application = open_walk_in(staff["worker"], household)
    appeal = Case.objects.create(
        household=household,
        scheme="dibao",
        channel="walk_in",
        kind=CaseKind.APPEAL,
        parent=application,
        step=Step.ACCEPT,
        opened_at=application.opened_at,
        region=household.region,
        region_path=household.region.path,
    )

    worker = english(staff["worker"]).get("/cases/?step=mine").content.decode()
    approver = english(staff["district"]).get("/cases/?step=mine").content.decode()

    assert f'href="/cases/{application.pk}/"' in worker
    assert f'href="/cases/{appeal.pk}/"' not in worker
    assert f'href="/cases/{appeal.pk}/"' in approver
    assert f'href="/cases/{application.pk}/"' not in approver


def test_queue_marks_overdue(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)
    Case.objects.filter(pk=case.pk).update(next_due=today() - timedelta(days=2))

    body = english(staff["worker"]).get("/cases/").content.decode()

    assert 'class="due-overdue"' in body
    assert "Overdue" in body


def test_queue_filters_by_status_and_step(staff, household):
    late = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)
    Case.objects.filter(pk=late.pk).update(next_due=today() - timedelta(days=2))
    fresh = open_walk_in(staff["worker"], household, "temporary")
    client = english(staff["worker"])

    overdue = client.get("/cases/?status=overdue").content.decode()
    accepting = client.get("/cases/?step=accept").content.decode()

    assert f'href="/cases/{late.pk}/"' in overdue
    assert f'href="/cases/{fresh.pk}/"' not in overdue
    assert f'href="/cases/{fresh.pk}/"' in accepting
    assert f'href="/cases/{late.pk}/"' not in accepting


def test_street_queue_shows_review_steps(staff, authorised):
    review = walk(open_walk_in(staff["worker"], authorised), staff, Step.STREET_REVIEW)
    accepting = open_walk_in(staff["worker"], authorised, "temporary")

    body = english(staff["street"]).get("/cases/").content.decode()

    assert f'href="/cases/{review.pk}/"' in body
    assert f'href="/cases/{accepting.pk}/"' not in body


def test_queue_htmx_returns_table(staff, household):
    open_walk_in(staff["worker"], household)

    response = english(staff["worker"]).get(
        "/cases/?step=all", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue"
    )

    body = response.content.decode()
    assert "<table" in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("who", ["auditor"])
def test_queue_forbidden_without_case_role(staff, who):
    assert english(staff[who]).get("/cases/").status_code == 403


def test_case_page_shows_allowed_forms(staff, household):
    case = open_walk_in(staff["worker"], household)

    worker_page = english(staff["worker"]).get(f"/cases/{case.pk}/").content.decode()
    street_page = english(staff["street"]).get(f"/cases/{case.pk}/").content.decode()

    assert f'action="/cases/{case.pk}/act/accept/"' in worker_page
    assert f'action="/cases/{case.pk}/act/accept/"' not in street_page
    assert "Timeline" in worker_page
    assert "The head lost his job" in worker_page


def test_case_page_not_found_outside_region(staff, household):
    case = open_walk_in(staff["worker"], household)

    response = english(staff["outsider"]).get(f"/cases/{case.pk}/")

    assert response.status_code == 404
    assert AuditEntry.objects.filter(
        action=AuditAction.DENIED, object_id=str(case.pk), actor=staff["outsider"]
    ).exists()


def test_accept_through_page(staff, household):
    case = open_walk_in(staff["worker"], household)

    response = english(staff["worker"]).post(
        f"/cases/{case.pk}/act/accept/", {"accept-version": case.version}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.step == Step.SURVEY


def test_stale_form_gets_conflict(staff, household):
    case = open_walk_in(staff["worker"], household)
    services.accept(staff["worker"], case.pk, version=case.version)

    response = english(staff["worker2"]).post(
        f"/cases/{case.pk}/act/withdraw/", {"withdraw-version": 0, "withdraw-note": ""}
    )

    assert response.status_code == 409
    assert "Someone else acted on this case" in response.content.decode()


def test_refusal_reason_error_beside_form(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.STREET_REVIEW)

    response = english(staff["street"]).post(
        f"/cases/{case.pk}/act/refuse/",
        {"refuse-version": case.version, "refuse-reason": "No"},
    )

    assert response.status_code == 400
    assert "in full" in response.content.decode()


def test_wrong_role_post_forbidden(staff, household):
    case = open_walk_in(staff["worker"], household)

    response = english(staff["street"]).post(
        f"/cases/{case.pk}/act/accept/", {"accept-version": case.version}
    )

    assert response.status_code == 403


def test_new_walk_in_form(staff, household):
    client = english(staff["worker"])

    page = client.get(f"/cases/new/?household={household.pk}")
    response = client.post(
        "/cases/new/",
        {
            "household": household.pk,
            "scheme": "dibao",
            "channel": "walk_in",
            "income_wages": "800.50",
            "asset_deposits": "5000",
            "situation": "Lost work",
        },
    )

    assert page.status_code == 200
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.channel == "walk_in"
    assert '"amount_fen": 80050' in case.declaration


def test_new_case_form_rejects_bad_amount(staff, household):
    response = english(staff["worker"]).post(
        "/cases/new/",
        {
            "household": household.pk,
            "scheme": "dibao",
            "channel": "walk_in",
            "income_wages": "-1",
        },
    )

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_new_case_outside_region_keeps_the_form(staff, far_household):
    response = english(staff["worker"]).post(
        "/cases/new/",
        {
            "household": far_household.pk,
            "scheme": "dibao",
            "channel": "walk_in",
            "income_wages": "800.50",
        },
    )

    content = response.content.decode()
    assert response.status_code == 403
    assert "outside your region" in content
    assert 'value="800.50"' in content
    assert not Case.objects.exists()


def test_new_case_unknown_household_is_a_form_error(staff):
    response = english(staff["worker"]).post(
        "/cases/new/",
        {"household": 99999999, "scheme": "dibao", "channel": "walk_in"},
    )

    assert response.status_code == 404
    assert "No household 99999999" in response.content.decode()


def test_survey_page_records_visit(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)
    client = english(staff["worker"])

    page = client.get(f"/cases/{case.pk}/survey/")
    response = client.post(
        f"/cases/{case.pk}/survey/",
        {
            "version": case.version,
            "visited_on": today().isoformat(),
            "investigators": [staff["worker"].pk, staff["worker2"].pk],
            "members_present": 2,
            "housing": "rented",
            "living_conditions": "poor",
            "declaration_matches": "yes",
            "opinion": "support",
            "findings": "Damp rooms",
        },
    )

    assert page.status_code == 200
    assert 'name="viewport"' in page.content.decode()
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.step == Step.VERIFICATION


def test_survey_page_one_investigator_rejected(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)

    response = english(staff["worker"]).post(
        f"/cases/{case.pk}/survey/",
        {
            "version": case.version,
            "visited_on": today().isoformat(),
            "investigators": [staff["worker"].pk],
            "members_present": 2,
            "housing": "rented",
            "living_conditions": "poor",
            "declaration_matches": "no",
            "opinion": "doubts",
        },
    )

    assert response.status_code == 400
    assert "at least 2 different investigators" in response.content.decode()


def test_document_upload_and_download(staff, household, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    case = open_walk_in(staff["worker"], household)
    upload = SimpleUploadedFile("proof.pdf", b"%PDF-1.4 synthetic", "application/pdf")

    response = english(staff["worker"]).post(
        f"/cases/{case.pk}/act/add_document/",
        {"add_document-kind": "income", "add_document-file": upload},
    )
    document = CaseDocument.objects.get()
    download = english(staff["street"]).get(f"/cases/documents/{document.pk}/")

    assert response.status_code == 302
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert download.getvalue() == b"%PDF-1.4 synthetic"


def test_resident_reads_own_case(staff, household):
    head = household.memberships.get(relationship="head").person
    resident = make_user("applicant", Role.RESIDENT, None, person=head)
    case = open_walk_in(staff["worker"], household)

    response = english(resident).get(f"/cases/{case.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Policy engine recommendation" not in body
    assert f'action="/cases/{case.pk}/act/withdraw/"' in body


def test_case_page_shows_engine_explanation(staff, authorised):
    assess_month(today().replace(day=1))
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )

    body = english(staff["district"]).get(f"/cases/{case.pk}/").content.decode()

    assert "Policy engine recommendation" in body
    assert "The dibao standard is" in body
    assert f'action="/cases/{case.pk}/act/approve/"' in body


def test_case_page_in_chinese_by_default(staff, household):
    case = open_walk_in(staff["worker"], household)
    client = Client()
    client.force_login(staff["worker"])

    body = client.get(f"/cases/{case.pk}/").content.decode()

    assert 'lang="zh-hans"' in body


def test_notice_board_public_and_masked(staff, authorised, regions):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.PUBLIC_NOTICE)
    services.start_notice(staff["street"], case.pk, version=case.version)

    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        f"/cases/notices/{regions['nanjing'].code}/"
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "王**" in body
    assert "1,200.00" in body
    assert "王测试" not in body
    assert "测试路" not in body
