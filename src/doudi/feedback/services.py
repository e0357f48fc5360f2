"""Record a resident's rating, and open a complaint case when they complain."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.feedback.complaints import open_complaint
from doudi.feedback.models import MAX_RATING, MIN_RATING, Feedback
from doudi.feedback.subjects import Subject
from doudi.portal import ratelimit
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.models import User
from doudi.registry.models import Household, Membership

logger = logging.getLogger(__name__)

OBJECT_TYPE: Final = "feedback.feedback"
MAX_TEXT_CHARACTERS: Final = 2000
# Ratings one account may send per hour; override with FEEDBACK_PER_HOUR.
DEFAULT_PER_HOUR: Final = 30
RATE_WINDOW_SECONDS: Final = 3600


class RateLimited(Exception):
    """The account sent more ratings this hour than the limit allows."""


@dataclass(frozen=True)
class Rating:
    """The rating, comment and complaint entered on the form."""

    rating: int
    comment: str = ""
    complaint: str = ""


def per_hour() -> int:
    return int(getattr(settings, "FEEDBACK_PER_HOUR", DEFAULT_PER_HOUR))


def submit_feedback(
    actor: User,
    household: Household,
    subject: Subject,
    entry: Rating,
    *,
    key: UUID,
    assisted: bool = False,
    request: HttpRequest | None = None,
) -> tuple[Feedback, bool]:
    """Store the household's rating of `subject`; return it and whether it changed.

    A form sent again with the same `key` returns the stored rating
    unchanged. A new rating of the same subject replaces the old one. A
    complaint opens a complaint case unless the rating already has one open.
    Raises PermissionDenied when the actor may not rate for the household,
    ValidationError for invalid input and RateLimited past the hourly limit.
    """
    _check_actor(actor, household, assisted, request)
    entry = _clean(entry)
    existing = Feedback.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_form(existing, household), False
    if not ratelimit.hit(
        "feedback", str(actor.pk), limit=per_hour(), window_seconds=RATE_WINDOW_SECONDS
    ):
        logger.info("feedback rate limit reached by user %s", actor.pk)
        raise RateLimited
    with transaction.atomic():
        # Serialise the household's ratings, so that two forms sent at once
        # for one subject leave one row.
        Household.objects.select_for_update().filter(pk=household.pk).exists()
        existing = Feedback.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _same_form(existing, household), False
        feedback = _stored(actor, household, subject, entry, key, assisted, request)
        if entry.complaint and not _complaint_open(feedback):
            feedback.complaint = open_complaint(
                actor,
                household,
                subject,
                entry.complaint,
                assisted=assisted,
                request=request,
            )
            feedback.save(update_fields=["complaint"])
    return feedback, True


def _check_actor(
    actor: User, household: Household, assisted: bool, request: HttpRequest | None
) -> None:
    if _may_rate(actor, household, assisted):
        return
    audit.record(
        actor=actor,
        action=AuditAction.DENIED,
        object_type="registry.household",
        object_id=household.pk,
        purpose=_purpose(actor),
        request=request,
        detail={"action": "rate"},
    )
    raise PermissionDenied(_("You can rate only for your own household."))


def _may_rate(actor: User, household: Household, assisted: bool) -> bool:
    if not actor.is_active:
        return False
    if actor.role == Role.RESIDENT and not assisted:
        return (
            actor.person_id is not None
            and Membership.objects.filter(
                person_id=actor.person_id, household=household, end_date__isnull=True
            ).exists()
        )
    if actor.role == Role.COMMUNITY_WORKER and assisted:
        region = actor.region
        return region is not None and household.region.path.startswith(region.path)
    return False


def _purpose(actor: User) -> Purpose:
    return Purpose.OWN_RECORD if actor.role == Role.RESIDENT else Purpose.CASE_WORK


def _clean(entry: Rating) -> Rating:
    if not MIN_RATING <= entry.rating <= MAX_RATING:
        raise ValidationError(
            _("The rating %(rating)s is invalid; choose %(min)d to %(max)d stars.")
            % {"rating": entry.rating, "min": MIN_RATING, "max": MAX_RATING}
        )
    comment, complaint = entry.comment.strip(), entry.complaint.strip()
    for text in (comment, complaint):
        if len(text) > MAX_TEXT_CHARACTERS:
            raise ValidationError(
                _("The text has %(count)d characters; shorten it to %(max)d.")
                % {"count": len(text), "max": MAX_TEXT_CHARACTERS}
            )
    return Rating(entry.rating, comment, complaint)


def _same_form(feedback: Feedback, household: Household) -> Feedback:
    if feedback.household_id != household.pk:
        raise ValidationError(
            _("This form was already used; open the rating page again.")
        )
    return feedback


def _complaint_open(feedback: Feedback) -> bool:
    complaint = feedback.complaint
    return complaint is not None and complaint.closed_at is None


def _stored(
    actor: User,
    household: Household,
    subject: Subject,
    entry: Rating,
    key: UUID,
    assisted: bool,
    request: HttpRequest | None,
) -> Feedback:
    now = timezone.now()

    feedback = Feedback.objects.filter(
        household=household,
        award=subject.award,
        case=subject.case,
        service=subject.service,
    ).first()
    created = feedback is None
    if feedback is None:
        feedback = Feedback(
            household=household,
            region_path=household.region.path,
            subject_kind=subject.kind,
            award=subject.award,
            case=subject.case,
            service=subject.service,
            scheme=subject.scheme,
            created_at=now,
        )

    feedback.rating = entry.rating
    feedback.comment = entry.comment or None
    feedback.submitted_by = actor
    feedback.assisted = assisted
    feedback.idempotency_key = key
    feedback.updated_at = now
    feedback.save()

    audit.record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        object_type=OBJECT_TYPE,
        object_id=feedback.pk,
        purpose=_purpose(actor),
        request=request,
        detail={
            "household": household.pk,
            "about": subject.kind.value,
            "rating": entry.rating,
            "assisted": assisted,
        },
    )
    return feedback
