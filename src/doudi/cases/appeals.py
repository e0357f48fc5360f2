"""Appeals against a refusal: filed, accepted, then the refusal upheld or overturned.

An appeal is a case of kind APPEAL whose parent is the refused case. An
overturned refusal sends the parent back to district approval for a new
decision.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.cases import deadlines, workflow
from doudi.cases.limits import LIMITS
from doudi.cases.models import Case, CaseAction, CaseKind, Channel, Decision, Step
from doudi.cases.opening import _audit_created, load
from doudi.privacy.choices import Role
from doudi.privacy.models import User

logger = logging.getLogger(__name__)


def file_appeal(
    actor: User,
    case_id: int,
    *,
    reason: str,
    request: HttpRequest | None = None,
) -> tuple[Case, bool]:
    """Open an appeal against the refusal of `case_id`; return it and if it is new.

    While an appeal of the case is open, that appeal is returned unchanged.
    """
    reason = workflow.clean_note(reason)
    if not reason:
        raise ValidationError(
            _("The reason is missing: say why the household disagrees.")
        )
    parent = load(case_id)
    existing = Case.objects.filter(parent=parent, closed_at__isnull=True).first()
    if existing is not None and _may_file(actor, parent):
        return existing, False
    workflow.require(actor, parent, CaseAction.FILE_APPEAL, None, request)
    with transaction.atomic():
        _check_filing_period(parent)
        appeal = _new_appeal(actor, parent)
        try:
            with transaction.atomic():
                appeal.save(force_insert=True)
        except IntegrityError:
            existing = Case.objects.filter(
                parent=parent, closed_at__isnull=True
            ).first()
            if existing is None:
                raise
            return existing, False
        workflow.add_event(actor, parent, CaseAction.FILE_APPEAL)
        workflow.add_event(actor, appeal, CaseAction.OPEN, note=reason)
        _audit_created(actor, appeal, request)
        logger.info("appeal %s filed against case %s", appeal.pk, parent.pk)
        return appeal, True


def _may_file(actor: User, parent: Case) -> bool:
    return actor.role in workflow.APPLICANT and workflow.in_scope(actor, parent)


def _check_filing_period(parent: Case) -> None:
    learned = parent.refusal_notified_on or parent.decided_on
    if learned is None:
        return
    last_day = deadlines.due_after(learned, LIMITS["appeal_filing"]).day
    if timezone.localdate() > last_day:
        raise ValidationError(
            _(
                "The time to appeal ended on %(day)s, %(days)d days after the "
                "refusal was issued."
            )
            % {"day": last_day.isoformat(), "days": LIMITS["appeal_filing"].amount}
        )


def _new_appeal(actor: User, parent: Case) -> Case:
    today = timezone.localdate()
    channel = Channel.PORTAL if actor.role == Role.RESIDENT else Channel.WALK_IN
    appeal = Case(
        kind=CaseKind.APPEAL,
        parent=parent,
        household=parent.household,
        scheme=parent.scheme,
        channel=channel,
        opened_at=timezone.now(),
        region=parent.region,
        region_path=parent.region_path,
        opened_by=actor,
        step_started_on=today,
    )
    for name, value in deadlines.schedule(
        appeal, step=Step.ACCEPT, started_on=today
    ).items():
        setattr(appeal, name, value)
    return appeal


def accept_appeal(
    actor: User, case_id: int, *, version: int, request: HttpRequest | None = None
) -> Case:
    """Accept an appeal for review; its decision is due within its own limit."""
    appeal = load(case_id)
    workflow.require(actor, appeal, CaseAction.ACCEPT_APPEAL, version, request)
    with transaction.atomic():
        today = timezone.localdate()
        appeal.accepted_on = today
        changes = {
            "accepted_on": today,
            **deadlines.schedule(appeal, step=Step.APPEAL_REVIEW, started_on=today),
        }
        return workflow.commit(
            actor, appeal, version, CaseAction.ACCEPT_APPEAL, changes, request=request
        )


def decide_appeal(
    actor: User,
    case_id: int,
    *,
    version: int,
    overturn: bool,
    reason: str,
    request: HttpRequest | None = None,
) -> Case:
    """Uphold the refusal, or overturn it and send the case back for a decision."""
    reason = workflow.clean_note(reason)
    if not reason:
        raise ValidationError(
            _("The reasons are missing: give the reasons for the decision.")
        )
    appeal = load(case_id)
    action = CaseAction.OVERTURN_REFUSAL if overturn else CaseAction.UPHOLD_REFUSAL
    workflow.require(actor, appeal, action, version, request)
    with transaction.atomic():
        today = timezone.localdate()
        decision = Decision.REFUSAL_OVERTURNED if overturn else Decision.REFUSAL_UPHELD
        appeal.decision = decision
        changes = {
            **deadlines.schedule(
                appeal, step=Step.APPEAL_DECIDED, started_on=today, closed=True
            ),
            "decision": decision,
            "decided_on": today,
            "decided_by": actor,
            "closed_at": timezone.now(),
        }
        appeal = workflow.commit(
            actor, appeal, version, action, changes, note=reason, request=request
        )
        if overturn:
            _reopen(actor, appeal, request)
        return appeal


def _reopen(actor: User, appeal: Case, request: HttpRequest | None) -> None:
    parent = load(appeal.parent_id or 0)
    other = (
        Case.objects.filter(
            household_id=parent.household_id,
            scheme=parent.scheme,
            kind=CaseKind.APPLICATION,
            closed_at__isnull=True,
        )
        .exclude(pk=parent.pk)
        .first()
    )
    if other is not None:
        raise workflow.CaseError(
            _(
                "The household has another open case %(pk)s for this scheme; "
                "decide that case instead of reopening this one."
            )
            % {"pk": other.pk}
        )
    today = timezone.localdate()
    parent.decision = ""
    parent.reopened = True
    fields = deadlines.schedule(parent, step=Step.DISTRICT_APPROVAL, started_on=today)
    changes = {
        **fields,
        "reopened": True,
        "decision": "",
        "decided_on": None,
        "decided_by": None,
        "refusal_reason": None,
        "refusal_notified_on": None,
        "closed_at": None,
    }
    workflow.commit(
        actor, parent, parent.version, CaseAction.REOPEN, changes, request=request
    )
