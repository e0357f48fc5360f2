"""Each step of the workflow: survey, verification, review, notice, decision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from doudi.assessments.stages import assess_month
from doudi.cases import services
from doudi.cases.models import (
    CaseAction,
    Decision,
    Objection,
    PublicNotice,
    Step,
    SurveyRecord,
)
from doudi.cases.tests.conftest import backdate_notice, open_walk_in, today, visit, walk
from doudi.conftest import make_user
from doudi.payments.models import Award
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import AuditEntry
from doudi.verification.models import VerificationRequest
from doudi.workdays import calendar

pytestmark = pytest.mark.django_db


def test_survey_with_two_investigators(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)

    case = services.record_survey(
        staff["worker"], case.pk, version=case.version, visit=visit(staff)
    )

    assert case.step == Step.VERIFICATION
    assert case.step_due == calendar.add_working_days(today(), 3).due
    [survey] = SurveyRecord.objects.filter(case=case)
    assert set(survey.investigators.all()) == {staff["worker"], staff["worker2"]}
    assert survey.findings.startswith("Two rooms")
    assert AuditEntry.objects.filter(object_type="cases.survey").exists()


def test_survey_needs_two_distinct_investigators(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)
    same = [staff["worker"].pk, staff["worker"].pk]

    with pytest.raises(ValidationError, match="at least 2 different investigators"):
        services.record_survey(
            staff["worker"],
            case.pk,
            version=case.version,
            visit=visit(staff, investigator_ids=same),
        )
    assert not SurveyRecord.objects.exists()


def test_investigator_outside_region_rejected(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)
    ids = [staff["worker"].pk, staff["outsider"].pk]

    with pytest.raises(ValidationError, match=f"User {staff['outsider'].pk} cannot"):
        services.record_survey(
            staff["worker"],
            case.pk,
            version=case.version,
            visit=visit(staff, investigator_ids=ids),
        )


def test_street_reviewer_may_investigate(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)
    ids = [staff["worker"].pk, staff["street"].pk]

    case = services.record_survey(
        staff["worker"],
        case.pk,
        version=case.version,
        visit=visit(staff, investigator_ids=ids),
    )

    assert case.step == Step.VERIFICATION


def test_survey_more_present_than_members_rejected(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)

    with pytest.raises(ValidationError, match="50 members present"):
        services.record_survey(
            staff["worker"],
            case.pk,
            version=case.version,
            visit=visit(staff, members_present=50),
        )


def test_survey_in_future_rejected(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.SURVEY)
    tomorrow = today() + timedelta(days=1)

    with pytest.raises(ValidationError, match="in the future"):
        services.record_survey(
            staff["worker"],
            case.pk,
            version=case.version,
            visit=visit(staff, visited_on=tomorrow),
        )


def test_verification_without_authorisation_refused(staff, household):
    case = walk(open_walk_in(staff["worker"], household), staff, Step.VERIFICATION)

    with pytest.raises(services.VerificationBlocked, match="no signed authorisation"):
        services.request_verification(staff["worker"], case.pk, version=case.version)

    case.refresh_from_db()
    assert case.step == Step.VERIFICATION
    assert not VerificationRequest.objects.exists()


def test_verification_links_report(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.VERIFICATION)

    case = services.request_verification(staff["worker"], case.pk, version=case.version)

    assert case.step == Step.STREET_REVIEW
    assert case.verification is not None
    assert case.verification.household_id == authorised.pk
    assert case.step_due is None
    assert case.next_due == case.case_due


def test_return_for_survey(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.STREET_REVIEW)

    with pytest.raises(ValidationError, match="new survey"):
        services.return_for_survey(
            staff["street"], case.pk, version=case.version, note=""
        )
    case = services.return_for_survey(
        staff["street"], case.pk, version=case.version, note="Check the car"
    )

    assert case.step == Step.SURVEY
    assert case.events.filter(action=CaseAction.RETURN_FOR_SURVEY).get().note == (
        "Check the car"
    )


def test_public_notice_shows_masked_details(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.PUBLIC_NOTICE)

    case = services.start_notice(staff["street"], case.pk, version=case.version)

    notice = PublicNotice.objects.get(case=case)
    assert notice.masked_name == "王**"
    assert notice.household_size == 2
    assert notice.amount_fen == 120_000
    assert notice.street.level == "street"
    assert notice.ends_on == notice.starts_on + timedelta(days=6)
    assert case.step_due == notice.starts_on + timedelta(days=7)
    assert not case.step_due_provisional


def test_notice_cannot_close_early(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.PUBLIC_NOTICE)
    case = services.start_notice(staff["street"], case.pk, version=case.version)

    with pytest.raises(services.NotAllowedNow):
        services.close_notice(staff["street"], case.pk, version=case.version)


def test_objection_recorded_during_notice(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.PUBLIC_NOTICE)
    case = services.start_notice(staff["street"], case.pk, version=case.version)

    services.record_objection(
        staff["street"], case.pk, received_on=today(), summary="Neighbour: owns a shop"
    )

    [objection] = Objection.objects.all()
    assert objection.summary == "Neighbour: owns a shop"
    case.refresh_from_db()
    assert case.step == Step.PUBLIC_NOTICE
    assert case.version == 5


def test_close_notice_gives_district_ten_days(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.PUBLIC_NOTICE)
    case = services.start_notice(staff["street"], case.pk, version=case.version)
    backdate_notice(case)

    case = services.close_notice(staff["street"], case.pk, version=case.version)

    assert case.step == Step.DISTRICT_APPROVAL
    assert case.step_due == calendar.add_working_days(today(), 10).due
    assert PublicNotice.objects.get(case=case).closed_on == today()


def test_district_approval_grants_award(staff, authorised):
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )
    addon = {"code": "elderly", "label": "Elderly member", "amount_fen": 44_800}

    case = services.approve(
        staff["district"],
        case.pk,
        version=case.version,
        amount_fen=125_000,
        addons=[addon],
    )

    assert case.step == Step.AWARDED
    assert case.decision == Decision.APPROVED
    assert case.decided_by == staff["district"]
    assert case.approved_amount_fen == 125_000
    assert case.closed_at is not None
    assert case.next_due is None
    award = Award.objects.get(case=case)
    assert award.amount_fen == 125_000
    assert award.addons_fen == 44_800
    first = today().replace(day=1)
    assert award.start_month == (first + timedelta(days=32)).replace(day=1)


def test_district_refusal_has_notice_limit(staff, authorised):
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )

    with pytest.raises(ValidationError, match="in full"):
        services.refuse(staff["district"], case.pk, version=case.version, reason="No")
    case = services.refuse(
        staff["district"],
        case.pk,
        version=case.version,
        reason="Deposits of 80,000 yuan exceed the asset limit.",
    )

    assert case.step == Step.REFUSED
    assert case.decision == Decision.REFUSED
    assert case.refusal_reason.startswith("Deposits")
    assert case.step_due == calendar.add_working_days(today(), 3).due
    assert case.next_due == case.step_due
    assert case.closed_at is None
    assert not Award.objects.exists()


def test_refusal_notice_closes_case(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.STREET_REVIEW)
    case = services.refuse(
        staff["street"],
        case.pk,
        version=case.version,
        reason="Income above the standard.",
    )

    case = services.issue_refusal_notice(staff["street"], case.pk, version=case.version)

    assert case.refusal_notified_on == today()
    assert case.closed_at is not None
    assert case.next_due is None
    with pytest.raises(services.NotAllowedNow):
        services.issue_refusal_notice(staff["street"], case.pk, version=case.version)


def test_amount_must_be_whole_fen(staff, authorised):
    case = walk(open_walk_in(staff["worker"], authorised), staff, Step.STREET_REVIEW)

    with pytest.raises(ValidationError, match="whole number of fen"):
        services.send_to_notice(
            staff["street"],
            case.pk,
            version=case.version,
            proposed_amount_fen=12.5,  # type: ignore[arg-type]
        )


def test_every_action_in_timeline_and_audit(staff, authorised):
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )
    services.approve(staff["district"], case.pk, version=case.version, amount_fen=1000)

    actions = list(case.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions == [
        CaseAction.OPEN,
        CaseAction.ACCEPT,
        CaseAction.RECORD_SURVEY,
        CaseAction.VERIFY,
        CaseAction.SEND_TO_NOTICE,
        CaseAction.START_NOTICE,
        CaseAction.CLOSE_NOTICE,
        CaseAction.APPROVE,
    ]
    updates = AuditEntry.objects.filter(
        object_type="cases.case", object_id=str(case.pk), action=AuditAction.UPDATE
    )
    assert [entry.detail["action"] for entry in updates.order_by("pk")] == actions[1:]


def test_second_approver_in_district_may_decide(staff, authorised, regions):
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )
    colleague = make_user("huangpu2", Role.DISTRICT_APPROVER, regions["huangpu"])

    case = services.approve(colleague, case.pk, version=case.version, amount_fen=1000)

    assert case.decided_by == colleague


def test_approval_keeps_engine_recommendation(staff, authorised):
    assess_month(today().replace(day=1))
    case = walk(
        open_walk_in(staff["worker"], authorised), staff, Step.DISTRICT_APPROVAL
    )

    case = services.approve(
        staff["district"], case.pk, version=case.version, amount_fen=100_000
    )

    assert case.recommended_eligible is True
    assert case.recommended_amount_fen is not None
    assert case.recommendation_month == today().replace(day=1)
    assert "dibao" in (case.recommendation_explanation or "")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT recommendation_explanation FROM cases_case WHERE id = %s",
            [case.pk],
        )
        [stored] = cursor.fetchone()
    assert "dibao" not in stored
