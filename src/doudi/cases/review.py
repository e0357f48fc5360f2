"""Economic verification, the street office's review and the public notice."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.cases import deadlines, workflow
from doudi.cases.limits import LIMITS
from doudi.cases.models import Case, CaseAction, Objection, PublicNotice, Step
from doudi.cases.opening import load
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction
from doudi.privacy.masking import mask_name
from doudi.privacy.models import User
from doudi.registry.choices import Relationship
from doudi.registry.models import Membership, Region
from doudi.verification import services as verification
from doudi.verification.models import RequestPurpose

logger = logging.getLogger(__name__)

# A notice may be set to start up to this many days ahead, e.g. after a
# public holiday; further ahead is most likely a typing error.
MAX_NOTICE_LEAD_DAYS: Final = 30


class VerificationBlocked(workflow.CaseError):
    """The household cannot be verified; the message is the verification app's."""


def request_verification(
    actor: User, case_id: int, *, version: int, request: HttpRequest | None = None
) -> Case:
    """Verify the household as of today and send the case to the street review.

    Raises VerificationBlocked, changing nothing, when the household has no
    valid authorisation for the check.
    """
    case = load(case_id)
    workflow.require(actor, case, CaseAction.VERIFY, version, request)
    with transaction.atomic():
        today = timezone.localdate()
        try:
            made = verification.verify_household(
                actor, case.household, as_of=today, purpose=RequestPurpose.APPLICATION
            )
        except verification.VerificationRefused as refused:
            logger.info(
                "verification for case %s rejected: no valid authorisation", case.pk
            )
            raise VerificationBlocked(str(refused)) from None
        changes = {
            "verification": made,
            **deadlines.schedule(case, step=Step.STREET_REVIEW, started_on=today),
        }
        return workflow.commit(
            actor, case, version, CaseAction.VERIFY, changes, request=request
        )


def send_to_notice(
    actor: User,
    case_id: int,
    *,
    version: int,
    proposed_amount_fen: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Approve the case at the street office with the monthly amount proposed."""
    workflow.check_award_amount(proposed_amount_fen)
    case = load(case_id)
    workflow.require(actor, case, CaseAction.SEND_TO_NOTICE, version, request)
    with transaction.atomic():
        changes = {
            "proposed_amount_fen": proposed_amount_fen,
            **deadlines.schedule(
                case, step=Step.PUBLIC_NOTICE, started_on=timezone.localdate()
            ),
        }
        return workflow.commit(
            actor,
            case,
            version,
            CaseAction.SEND_TO_NOTICE,
            changes,
            note=workflow.clean_note(note),
            request=request,
        )


def return_for_survey(
    actor: User,
    case_id: int,
    *,
    version: int,
    note: str,
    request: HttpRequest | None = None,
) -> Case:
    """Send the case back to the community for another household survey."""
    if not note.strip():
        raise ValidationError(
            _("The note is missing: say what the new survey must look at.")
        )
    case = load(case_id)
    workflow.require(actor, case, CaseAction.RETURN_FOR_SURVEY, version, request)
    with transaction.atomic():
        changes = deadlines.schedule(
            case, step=Step.SURVEY, started_on=timezone.localdate()
        )
        return workflow.commit(
            actor,
            case,
            version,
            CaseAction.RETURN_FOR_SURVEY,
            changes,
            note=workflow.clean_note(note),
            request=request,
        )


def start_notice(
    actor: User,
    case_id: int,
    *,
    version: int,
    starts_on: date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Post the public notice: masked name, household size and amount only."""
    case = load(case_id)
    workflow.require(actor, case, CaseAction.START_NOTICE, version, request)
    with transaction.atomic():
        today = timezone.localdate()
        start = starts_on or today
        _check_notice_start(start, today)
        length = LIMITS["public_notice"].amount
        changes = deadlines.schedule(case, step=Step.PUBLIC_NOTICE, started_on=start)
        case = workflow.commit(
            actor, case, version, CaseAction.START_NOTICE, changes, request=request
        )
        head_name, size = _head_and_size(case.household_id, start)
        notice = PublicNotice.objects.create(
            case=case,
            street=_street_of(case),
            masked_name=mask_name(head_name),
            household_size=size,
            amount_fen=case.proposed_amount_fen or 0,
            starts_on=start,
            ends_on=start + timedelta(days=length - 1),
            started_by=actor,
        )
        _audit_notice(actor, notice, AuditAction.CREATE, request)
        return case


def _check_notice_start(start: date, today: date) -> None:
    if start < today:
        raise ValidationError(
            _("The notice cannot start in the past (%(day)s); start it today or later.")
            % {"day": start.isoformat()}
        )
    if start > today + timedelta(days=MAX_NOTICE_LEAD_DAYS):
        raise ValidationError(
            _("The notice start %(day)s is more than %(max)d days ahead.")
            % {"day": start.isoformat(), "max": MAX_NOTICE_LEAD_DAYS}
        )


def _head_and_size(household_id: int, on: date) -> tuple[str, int]:
    members = Membership.objects.filter(
        household_id=household_id, end_date__isnull=True
    ).select_related("person")
    head = next((m for m in members if m.relationship == Relationship.HEAD), None)
    return (head.person.name if head else ""), len(members)


def _street_of(case: Case) -> Region:
    if case.region is None:
        raise workflow.CaseError(
            _("Case %(pk)s has no community; it was not opened through the service.")
            % {"pk": case.pk}
        )
    return case.region.parent or case.region


def record_objection(
    actor: User,
    case_id: int,
    *,
    received_on: date,
    summary: str,
    request: HttpRequest | None = None,
) -> Objection:
    """Record an objection to a running notice; the case's step does not change."""
    case = load(case_id)
    workflow.require(actor, case, CaseAction.RECORD_OBJECTION, None, request)
    with transaction.atomic():
        if not summary.strip():
            raise ValidationError(
                _("The summary is missing: write what the objection says.")
            )
        notice = PublicNotice.objects.get(case=case)
        if not notice.starts_on <= received_on <= timezone.localdate():
            raise ValidationError(
                _("The objection date %(day)s is outside the notice, from %(start)s.")
                % {
                    "day": received_on.isoformat(),
                    "start": notice.starts_on.isoformat(),
                }
            )
        objection = Objection.objects.create(
            notice=notice,
            received_on=received_on,
            summary=workflow.clean_note(summary),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        workflow.add_event(actor, case, CaseAction.RECORD_OBJECTION)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="cases.objection",
            object_id=objection.pk,
            purpose=workflow.purpose_for(actor),
            request=request,
            detail={"case": case.pk},
        )
        return objection


def close_notice(
    actor: User,
    case_id: int,
    *,
    version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """End a notice that has run its days and pass the case to the district."""
    case = load(case_id)
    workflow.require(actor, case, CaseAction.CLOSE_NOTICE, version, request)
    with transaction.atomic():
        today = timezone.localdate()
        changes = deadlines.schedule(
            case, step=Step.DISTRICT_APPROVAL, started_on=today
        )
        case = workflow.commit(
            actor,
            case,
            version,
            CaseAction.CLOSE_NOTICE,
            changes,
            note=workflow.clean_note(note),
            request=request,
        )
        notice = PublicNotice.objects.get(case=case)
        notice.closed_on = today
        notice.save(update_fields=["closed_on"])
        _audit_notice(actor, notice, AuditAction.UPDATE, request)
        return case


def _audit_notice(
    actor: User,
    notice: PublicNotice,
    action: AuditAction,
    request: HttpRequest | None,
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="cases.notice",
        object_id=notice.pk,
        purpose=workflow.purpose_for(actor),
        request=request,
        detail={"case": notice.case_id},
    )
