"""The monthly cycle stage: draft payment rolls and the reviews that fall due."""

from __future__ import annotations

import logging
from datetime import date

from doudi.core.cycle import register_stage
from doudi.payments import months
from doudi.payments.lifecycle import end_finished_awards
from doudi.payments.models import PaymentRoll, RollStatus
from doudi.payments.reviews import schedule_death_rechecks, schedule_due_reviews
from doudi.payments.rolls import compute_roll
from doudi.registry.choices import RegionLevel
from doudi.registry.models import Region

logger = logging.getLogger(__name__)


@register_stage(
    "payments.roll",
    order=400,
    description="Draft each district's payment roll and schedule the reviews due",
)
def payment_month(month: date) -> dict[str, object]:
    """Draft the month's roll of every district and schedule the month's reviews.

    A roll already signed is left as it is, so a repeated run changes
    nothing that an approver has signed. Awards whose gradual exit ended
    before the month are marked ended first, so they are on no roll.
    """
    month = months.month_of(month)
    ended = end_finished_awards(month)
    drafted, signed, total = 0, 0, 0
    for code in _district_codes():
        if _signed(code, month):
            signed += 1
            continue
        roll = compute_roll(code, month)
        drafted += 1
        total += roll.total_fen
    last_day = months.last_day(month)
    reviews = schedule_due_reviews(last_day)
    # The previous month too, so a death reported late in a month still
    # gets its re-check when the cycle runs early in the next.
    rechecks = schedule_death_rechecks(months.add_months(month, -1), last_day)
    logger.info(
        "payment rolls for %s: %d drafted, %d already signed", month, drafted, signed
    )
    return {
        "rolls_drafted": drafted,
        "rolls_signed_kept": signed,
        "draft_total_fen": total,
        "awards_ended": ended,
        "reviews_scheduled": reviews,
        "death_rechecks_scheduled": rechecks,
    }


def _district_codes() -> list[str]:
    return list(
        Region.objects.filter(level=RegionLevel.DISTRICT)
        .order_by("code")
        .values_list("code", flat=True)
    )


def _signed(code: str, month: date) -> bool:
    return (
        PaymentRoll.objects.filter(district_code=code, month=month)
        .exclude(status=RollStatus.DRAFT)
        .exists()
    )
