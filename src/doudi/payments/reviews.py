"""Reviews of awards: scheduled, after a member's death, after a reported change.

Scheduling is idempotent: a review is unique per award and due date
(scheduled), per award and deceased member (re-check), or per reported
change, so scheduling it again returns the first one.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Final, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.exchange.models import ExchangeFact, FactCategory
from doudi.payments import lifecycle, months
from doudi.payments.models import (
    Award,
    AwardStatus,
    ChangeCategory,
    ReportedChange,
    Review,
    ReviewKind,
    ReviewOutcome,
    ReviewStatus,
)
from doudi.payments.params import months_parameter
from doudi.payments.permissions import (
    DECIDING_ROLES,
    REPORTING_ROLES,
    require_household_role,
)
from doudi.payments.review_interval import review_interval_months
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.keys import keyring
from doudi.privacy.models import User
from doudi.registry.models import Membership, Person

logger = logging.getLogger(__name__)

Row = TypeVar("Row", Review, ReportedChange)

# TODO: make this a policy parameter once a source sets the limit. Until
# then a reported change is reviewed within one calendar month.
REPORTED_CHANGE_REVIEW_MONTHS: Final = 1
REVIEWED_STATUSES: Final = (AwardStatus.ACTIVE, AwardStatus.SUSPENDED)
RECHECKED_STATUSES: Final = (*REVIEWED_STATUSES, AwardStatus.GRADUAL_EXIT)
# The outcomes that change the award, and the service that applies each.
STATUS_OUTCOMES: Final = {
    ReviewOutcome.SUSPENDED: lifecycle.suspend_award,
    ReviewOutcome.GRADUAL_EXIT: lifecycle.start_gradual_exit,
    ReviewOutcome.TERMINATED: lifecycle.terminate_award,
}


def schedule_due_reviews(until: date) -> int:
    """Create the scheduled reviews of every award due on or before `until`.

    Called by the monthly cycle as the system. Returns how many were new.
    """
    due = Award.objects.filter(
        status__in=REVIEWED_STATUSES, next_review_on__lte=until
    ).values_list("pk", "next_review_on")
    now = timezone.now()
    rows = [
        Review(award_id=pk, kind=ReviewKind.SCHEDULED, due_on=due_on, created_at=now)
        for pk, due_on in due
    ]
    before = Review.objects.filter(kind=ReviewKind.SCHEDULED).count()
    Review.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    created = Review.objects.filter(kind=ReviewKind.SCHEDULED).count() - before
    if created:
        audit.record_batch(
            action=AuditAction.CREATE,
            object_type="payments.review",
            record_count=created,
            checksum="",
            detail={"kind": ReviewKind.SCHEDULED.value, "until": until.isoformat()},
        )
    return created


def schedule_death_rechecks(since: date, until: date) -> int:
    """Schedule a re-check for each death a department feed reported in a period.

    Deaths come from the household registration feed (an `event` fact with
    item `registration` and code `death`). Each award not yet terminated, of
    a household the person belonged to on the day of death, gets its
    re-check once. Called by the monthly cycle as the system.
    """
    awarded = Award.objects.filter(status__in=RECHECKED_STATUSES).values("household_id")
    members = Membership.objects.filter(household_id__in=awarded).values("person_id")
    deaths = ExchangeFact.objects.filter(
        person_id__in=members,
        category=FactCategory.EVENT,
        item="registration",
        code="death",
        superseded_by__isnull=True,
        valid_from__gte=since,
        valid_from__lte=until,
    ).values_list("person_id", "valid_from")
    scheduled = 0
    for person_id, died_on in deaths:
        for award in _awards_of_member(person_id, died_on):
            before = award.reviews.filter(kind=ReviewKind.DEATH).count()
            record_member_death(
                award, person=Person(pk=person_id), died_on=died_on, actor=None
            )
            scheduled += award.reviews.filter(kind=ReviewKind.DEATH).count() - before
    return scheduled


def _awards_of_member(person_id: int, day: date) -> QuerySet[Award]:
    households = Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        person_id=person_id,
        start_date__lte=day,
    ).values("household_id")
    return Award.objects.filter(
        household_id__in=households,
        status__in=RECHECKED_STATUSES,
        approved_on__lte=day,
    ).select_related("household")


def record_member_death(
    award: Award, *, person: Person, died_on: date, actor: User | None
) -> Review:
    """Schedule the re-check due `recheck.after_death_months` after a death.

    `actor=None` means the system, for a death that a department feed reported.
    """
    if actor is not None:
        require_household_role(actor, award.household, REPORTING_ROLES)
    if not award.household.memberships.filter(person=person).exists():
        raise ValidationError(
            _("Person %(person)s was never a member of household %(household)s.")
            % {"person": person.pk, "household": award.household_id}
        )
    length = months_parameter(
        "recheck.after_death_months", died_on, award.district_code
    )
    review = _create_once(
        Review(
            award=award,
            kind=ReviewKind.DEATH,
            deceased=person,
            due_on=months.add_months(died_on, length),
            created_at=timezone.now(),
        ),
        Review.objects.filter(award=award, kind=ReviewKind.DEATH, deceased=person),
    )
    _audit(actor, AuditAction.CREATE, "payments.review", review.pk, award)
    return review


def report_change(
    award: Award,
    *,
    category: ChangeCategory,
    description: str,
    reported_on: date,
    actor: User,
) -> ReportedChange:
    """Record a change the household reported and schedule its review.

    The same report recorded twice (same award, category, day and text)
    returns the first record.
    """
    require_household_role(actor, award.household, REPORTING_ROLES)
    description = _clean_description(description, reported_on)
    index = _description_index(description)
    with transaction.atomic():
        change = _create_once(
            ReportedChange(
                award=award,
                category=category,
                reported_on=reported_on,
                description=description,
                description_index=index,
                recorded_by=actor,
                recorded_at=timezone.now(),
            ),
            ReportedChange.objects.filter(
                award=award,
                category=category,
                reported_on=reported_on,
                description_index=index,
            ),
        )
        _schedule_change_review(change)
    _audit(actor, AuditAction.CREATE, "payments.reportedchange", change.pk, award)
    return change


def _schedule_change_review(change: ReportedChange) -> Review:
    return _create_once(
        Review(
            award=change.award,
            kind=ReviewKind.REPORTED_CHANGE,
            change=change,
            due_on=months.add_months(change.reported_on, REPORTED_CHANGE_REVIEW_MONTHS),
            created_at=timezone.now(),
        ),
        Review.objects.filter(change=change),
    )


def _clean_description(description: str, reported_on: date) -> str:
    description = description.strip()
    if not description:
        raise ValidationError(_("Describe the change the household reported."))
    if reported_on > timezone.localdate():
        raise ValidationError(
            _("The report date %(day)s is in the future; enter the day it was made.")
            % {"day": reported_on.isoformat()}
        )
    return description


def _description_index(description: str) -> str:
    return keyring().blind_index(description, domain="payments.reportedchange")


def _create_once(row: Row, existing: QuerySet[Row]) -> Row:
    """Insert `row`, or return the row its unique constraint found first."""
    found = existing.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return existing.get()
    return row


def complete_review(
    review: Review,
    *,
    outcome: ReviewOutcome,
    note: str,
    on: date,
    actor: User,
    amount_fen: int | None = None,
    addons: list[dict[str, object]] | None = None,
) -> Review:
    """Record the review's outcome, apply it to the award and schedule the next.

    Completing a review that is already done returns it unchanged.
    """
    award = review.award
    require_household_role(actor, award.household, DECIDING_ROLES)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.status == ReviewStatus.DONE:
            return locked
        _apply_outcome(award, outcome, note, on, actor, amount_fen, addons)
        locked.status, locked.outcome, locked.note = ReviewStatus.DONE, outcome, note
        locked.completed_on, locked.completed_by = on, actor
        locked.save()
        if locked.kind == ReviewKind.SCHEDULED:
            _schedule_next(award, on)
    _audit(actor, AuditAction.UPDATE, "payments.review", locked.pk, award)
    return locked


def _apply_outcome(
    award: Award,
    outcome: ReviewOutcome,
    note: str,
    on: date,
    actor: User,
    amount_fen: int | None,
    addons: list[dict[str, object]] | None,
) -> None:
    if outcome == ReviewOutcome.AMOUNT_CHANGED:
        if amount_fen is None:
            raise ValidationError(_("Enter the new monthly amount in fen."))
        lifecycle.change_amount(
            award,
            amount_fen=amount_fen,
            addons=addons or [],
            on=on,
            reason=note,
            actor=actor,
        )
    elif outcome in STATUS_OUTCOMES:
        STATUS_OUTCOMES[outcome](award, on=on, reason=note, actor=actor)


def _schedule_next(award: Award, on: date) -> None:
    award.refresh_from_db()
    interval = review_interval_months(award.household, award.scheme, on)
    award.review_interval_months = interval
    award.next_review_on = months.add_months(on, interval)
    award.save(update_fields=["review_interval_months", "next_review_on"])


def _audit(
    actor: User | None, action: AuditAction, object_type: str, pk: int, award: Award
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=pk,
        purpose=Purpose.CASE_WORK if actor is not None else Purpose.SYSTEM,
        detail={"award": award.pk, "household": award.household_id},
    )
    logger.info("%s %s of award %s", object_type, pk, award.pk)
