"""Grant an award when a district approver approves a case."""

from __future__ import annotations

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.cases.models import Case
from doudi.payments import months
from doudi.payments.models import Award, AwardStatus
from doudi.payments.permissions import (
    DELEGATED_DECIDING_ROLES,
    require_district_approver,
    require_household_role,
)
from doudi.payments.review_interval import review_interval_months
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.registry.models import Household

logger = logging.getLogger(__name__)

ADDON_KEYS = frozenset({"code", "label", "amount_fen"})


def district_code_of(household: Household) -> str:
    """Return the code of the district the household's community belongs to.

    A region's path lists the codes from the city down, so the district is
    the second code.
    """
    codes = household.region.path.strip("/").split("/")
    if len(codes) < 2:
        raise ValidationError(
            _("Household %(id)s is not inside a district.") % {"id": household.pk}
        )
    return codes[1]


def grant_award(
    *,
    case: Case,
    amount_fen: int,
    addons: list[dict[str, object]],
    approved_on: date,
    actor: User,
) -> Award:
    """Grant the case's award, paid from the month after `approved_on`.

    Calling it again for the same case returns the award granted first and
    changes nothing.
    """
    household = case.household
    if case.delegated:
        # The district delegated this approval to the street office.
        require_household_role(actor, household, DELEGATED_DECIDING_ROLES)
    else:
        require_district_approver(actor, household)
    cleaned = clean_addons(addons)
    require_amount(amount_fen)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).exists()
        existing = Award.objects.filter(case=case).first()
        if existing is not None:
            return existing
        award = _create(case, amount_fen, cleaned, approved_on, actor)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="payments.award",
        object_id=award.pk,
        purpose=Purpose.CASE_WORK,
        detail={"case": case.pk, "household": household.pk, "scheme": case.scheme},
    )
    logger.info("award %s granted for case %s", award.pk, case.pk)
    return award


def _create(
    case: Case,
    amount_fen: int,
    addons: list[dict[str, object]],
    approved_on: date,
    actor: User,
) -> Award:
    start = months.next_month(approved_on)
    interval = review_interval_months(case.household, case.scheme, approved_on)
    return Award.objects.create(
        household=case.household,
        case=case,
        scheme=case.scheme,
        amount_fen=amount_fen,
        addons=addons,
        addons_fen=addons_total(addons),
        approved_on=approved_on,
        start_month=start,
        starts_on=start,
        status=AwardStatus.ACTIVE,
        status_since=approved_on,
        review_interval_months=interval,
        next_review_on=months.add_months(approved_on, interval),
        district_code=district_code_of(case.household),
        granted_by=actor,
        granted_at=timezone.now(),
    )


def require_amount(amount_fen: object) -> int:
    """Return the amount if it is a whole number of fen, 0 or more, or raise."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationError(
            _("The amount %(value)r is not a whole number of fen.")
            % {"value": amount_fen}
        )
    if amount_fen < 0:
        raise ValidationError(
            _("The amount %(value)s fen is negative; enter 0 or more.")
            % {"value": amount_fen}
        )
    return amount_fen


def clean_addons(addons: list[dict[str, object]]) -> list[dict[str, object]]:
    """Return the add-ons as `{code, label, amount_fen}` items, or raise.

    Each code may appear once and each amount is a whole number of fen, 0 or
    more.
    """
    cleaned: list[dict[str, object]] = []
    seen: set[str] = set()
    for item in addons:
        if set(item) != ADDON_KEYS:
            raise ValidationError(
                _("An add-on must have exactly code, label and amount_fen: %(item)s")
                % {"item": sorted(item)}
            )
        code = str(item["code"])
        if code in seen:
            raise ValidationError(
                _("The add-on %(code)s is listed twice.") % {"code": code}
            )
        seen.add(code)
        amount = require_amount(item["amount_fen"])
        cleaned.append(
            {"code": code, "label": str(item["label"]), "amount_fen": amount}
        )
    return cleaned


def addons_total(addons: list[dict[str, object]]) -> int:
    return sum(require_amount(item["amount_fen"]) for item in addons)
