"""Changes to an award after it is granted: suspension, exit, amount, payee.

Each function checks that the actor is a district approver over the
household, locks the award, records an `AwardEvent` and an audit entry, and
returns the award. Asking for the status an award already has changes
nothing and returns it as it is.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.assessments.models import Scheme
from doudi.payments import months
from doudi.payments.awards import addons_total, clean_addons, require_amount
from doudi.payments.models import Award, AwardEvent, AwardStatus, EventKind, LineStatus
from doudi.payments.params import months_parameter
from doudi.payments.payee import Payee
from doudi.payments.permissions import require_district_approver
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

# The statuses each status may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    AwardStatus.ACTIVE: frozenset(
        {AwardStatus.SUSPENDED, AwardStatus.GRADUAL_EXIT, AwardStatus.TERMINATED}
    ),
    AwardStatus.SUSPENDED: frozenset({AwardStatus.ACTIVE, AwardStatus.TERMINATED}),
    AwardStatus.GRADUAL_EXIT: frozenset({AwardStatus.TERMINATED}),
    AwardStatus.TERMINATED: frozenset(),
}


class AwardStateError(ValidationError):
    """The award's status does not allow the change."""


def suspend_award(award: Award, *, on: date, reason: str, actor: User) -> Award:
    """Stop paying the award from the next roll computed; nothing is owed back."""
    return _move(award, AwardStatus.SUSPENDED, EventKind.SUSPENDED, on, reason, actor)


def resume_award(award: Award, *, on: date, reason: str, actor: User) -> Award:
    """Pay a suspended award again from the next roll computed.

    NOTE: months whose rolls were computed while the award was suspended are
    not paid back, because this app cannot record a back-payment decision yet.
    """
    return _move(award, AwardStatus.ACTIVE, EventKind.RESUMED, on, reason, actor)


def start_gradual_exit(award: Award, *, on: date, reason: str, actor: User) -> Award:
    """Keep paying a dibao award for `exit.gradual_months` after `on`, then end it.

    The period matches the policy engine's: it runs from `on` to the same
    day `exit.gradual_months` later, that day excluded. Under whole-month
    prorating the month of the period's last day is paid in full.
    """
    if award.scheme != Scheme.DIBAO:
        raise AwardStateError(
            _("Only dibao has a gradual exit; terminate this %(scheme)s award.")
            % {"scheme": award.get_scheme_display()}
        )
    length = months_parameter("exit.gradual_months", on, award.district_code)
    last_day = months.add_months(on, length) - timedelta(days=1)
    return _move(
        award,
        AwardStatus.GRADUAL_EXIT,
        EventKind.GRADUAL_EXIT,
        on,
        reason,
        actor,
        last_day=last_day,
    )


def terminate_award(award: Award, *, on: date, reason: str, actor: User) -> Award:
    """End the award. The month of `on` is the last one paid (by day: up to `on`).

    An award terminated before its first month is never paid.
    """
    return _move(
        award,
        AwardStatus.TERMINATED,
        EventKind.TERMINATED,
        on,
        reason,
        actor,
        last_day=on,
    )


def _move(
    award: Award,
    status: AwardStatus,
    kind: EventKind,
    on: date,
    reason: str,
    actor: User,
    *,
    last_day: date | None = None,
) -> Award:
    require_district_approver(actor, award.household)
    reason = _required_reason(reason)
    latest = _latest_allowed(status)
    if on > latest:
        raise ValidationError(
            _(
                "The date %(day)s is too far ahead: this change takes effect on the "
                "next roll, so enter a date up to %(latest)s."
            )
            % {"day": on.isoformat(), "latest": latest.isoformat()}
        )
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.status == status:
            return locked
        if status not in TRANSITIONS[locked.status]:
            raise AwardStateError(
                _("An award that is %(current)s cannot become %(wanted)s.")
                % {"current": locked.get_status_display(), "wanted": status.label}
            )
        _set_status(locked, status, on, reason, last_day)
        _event(locked, kind, on, reason, actor)
    _audit(actor, locked, kind)
    return locked


def _latest_allowed(status: AwardStatus) -> date:
    """Return the latest effective date a change to `status` may carry.

    Changes apply from the next roll computed, so their date is today or
    earlier. An end may be set up to the end of next month.
    """
    today = timezone.localdate()
    if status == AwardStatus.TERMINATED:
        return months.add_months(months.month_of(today), 2) - timedelta(days=1)
    return today


def _set_status(
    award: Award, status: AwardStatus, on: date, reason: str, last_day: date | None
) -> None:
    award.status, award.status_since, award.status_reason = status, on, reason
    if last_day is not None:
        _set_end(award, last_day)
    award.version += 1
    award.save()


def _set_end(award: Award, last_day: date) -> None:
    end_month = months.month_of(last_day)
    if end_month < award.start_month:
        # Ended before its first month: a terminated award without an end
        # month is on no roll.
        award.end_month, award.ends_on = None, None
        return
    if award.end_month is not None and award.end_month < end_month:
        return  # never extend an end already set (a gradual exit ending early)
    award.end_month, award.ends_on = end_month, last_day


def change_amount(
    award: Award,
    *,
    amount_fen: int,
    addons: list[dict[str, object]],
    on: date,
    reason: str,
    actor: User,
) -> Award:
    """Set the monthly amount and add-ons paid on rolls computed from now on."""
    require_district_approver(actor, award.household)
    amount = require_amount(amount_fen)
    cleaned = clean_addons(addons)
    reason = _required_reason(reason)
    if on > timezone.localdate():
        raise ValidationError(
            _(
                "The date %(day)s is in the future: a new amount is paid from the "
                "next roll, so enter today's date or an earlier one."
            )
            % {"day": on.isoformat()}
        )
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.amount_fen == amount and locked.addons == cleaned:
            return locked
        if locked.status == AwardStatus.TERMINATED:
            raise AwardStateError(_("A terminated award cannot change its amount."))
        locked.amount_fen, locked.addons = amount, cleaned
        locked.addons_fen = addons_total(cleaned)
        locked.version += 1
        locked.save()
        _event(locked, EventKind.AMOUNT_CHANGED, on, reason, actor)
    _audit(actor, locked, EventKind.AMOUNT_CHANGED)
    return locked


def set_bank_account(
    award: Award, *, holder: str, account_number: str, bank_code: str, actor: User
) -> Award:
    """Record the account the award is paid into.

    Lines held for want of an account, and failed lines waiting for a
    person, are released to be paid again on the next roll.
    """
    require_district_approver(actor, award.household)
    holder, number, bank = _clean_account(holder, account_number, bank_code)
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        payee = Payee(holder=holder, number=number).encode()
        if (locked.payee, locked.bank_code) == (payee, bank):
            return locked
        locked.payee, locked.bank_code = payee, bank
        locked.bank_account_last4 = number[-4:]
        locked.version += 1
        locked.save()
        released = _release_waiting_lines(locked)
        _event(locked, EventKind.ACCOUNT_CHANGED, timezone.localdate(), "", actor)
    _audit(actor, locked, EventKind.ACCOUNT_CHANGED, released_lines=released)
    return locked


def _release_waiting_lines(award: Award) -> int:
    return award.payment_lines.filter(
        status__in=[LineStatus.HELD, LineStatus.FAILED],
        needs_person=True,
        retries__isnull=True,
    ).update(needs_person=False)


def _clean_account(holder: str, number: str, bank: str) -> tuple[str, str, str]:
    holder, number, bank = holder.strip(), number.replace(" ", ""), bank.strip()
    if not holder:
        raise ValidationError(_("Enter the account holder's name."))
    if not number.isdigit() or not 8 <= len(number) <= 30:
        # The value is personal data, so the message names only its length.
        raise ValidationError(
            _(
                "The account number must be 8 to 30 digits; the one entered has "
                "%(length)s characters."
            )
            % {"length": len(number)}
        )
    if not bank or len(bank) > 12:
        raise ValidationError(_("Enter the bank code, at most 12 characters."))
    return holder, number, bank


def _required_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason, in writing, for this decision."))
    return reason


def _event(
    award: Award, kind: EventKind, on: date, reason: str, actor: User | None
) -> None:
    AwardEvent.objects.create(
        award=award,
        kind=kind,
        effective_on=on,
        reason=reason,
        actor=actor,
        recorded_at=timezone.now(),
    )


def _audit(actor: User, award: Award, kind: EventKind, **detail: object) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="payments.award",
        object_id=award.pk,
        purpose=Purpose.CASE_WORK,
        detail={"event": str(kind), "status": award.status, **detail},
    )
    logger.info("award %s: %s", award.pk, kind)


def end_finished_awards(month: date) -> int:
    """Mark awards in gradual exit whose last month is before `month` as ended.

    The monthly cycle calls this as the system; it returns how many ended.
    """
    finished = list(
        Award.objects.filter(
            status=AwardStatus.GRADUAL_EXIT, end_month__lt=months.month_of(month)
        ).values_list("pk", flat=True)
    )
    for pk in finished:
        _end_one(pk)
    if finished:
        audit.record_batch(
            action=AuditAction.UPDATE,
            object_type="payments.award",
            record_count=len(finished),
            checksum="",
            detail={"event": str(EventKind.ENDED), "month": month.isoformat()},
        )
    return len(finished)


def _end_one(pk: int) -> None:
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=pk)
        if award.status != AwardStatus.GRADUAL_EXIT or award.end_month is None:
            return
        # The event kind gives the reason, so the reason text stays empty.
        on = months.next_month(award.end_month)
        award.status, award.status_since, award.status_reason = (
            AwardStatus.TERMINATED,
            on,
            "",
        )
        award.version += 1
        award.save()
        _event(award, EventKind.ENDED, on, "", None)
