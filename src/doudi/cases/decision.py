"""Decide a case: approve with an award, or refuse with a written reason."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.assessments.models import Scheme
from doudi.assessments.queries import ExplainedAssessment, latest_for
from doudi.cases import deadlines, workflow
from doudi.cases.models import Case, CaseAction, Decision, Step
from doudi.cases.opening import load
from doudi.payments.awards import grant_award
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

MIN_REASON_CHARACTERS: Final = 10


def recommendation_for(case: Case) -> ExplainedAssessment | None:
    """Return the policy engine's latest assessment of the case's scheme."""
    if not case.scheme:
        return None  # A complaint about a service names no scheme.
    label = str(Scheme(case.scheme).label)
    return next(
        (item for item in latest_for(case.household_id) if item.scheme == label),
        None,
    )


def _snapshot(case: Case) -> dict[str, Any]:
    """Return the recommendation shown to the decider, as the case keeps it."""
    found = recommendation_for(case)
    if found is None:
        return {
            "recommended_eligible": None,
            "recommended_amount_fen": None,
            "recommendation_month": None,
            "recommendation_explanation": None,
        }
    return {
        "recommended_eligible": found.eligible,
        "recommended_amount_fen": found.amount_fen,
        "recommendation_month": date.fromisoformat(f"{found.month}-01"),
        "recommendation_explanation": json.dumps(found.lines, ensure_ascii=False),
    }


def approve(
    actor: User,
    case_id: int,
    *,
    version: int,
    amount_fen: int,
    addons: list[dict[str, object]] | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Approve the case and grant its award, paid from next month.

    The engine's recommendation at this moment is kept on the case beside
    the decision, whether or not the amount follows it.
    """
    workflow.check_award_amount(amount_fen)
    case = load(case_id)
    workflow.require(actor, case, CaseAction.APPROVE, version, request)
    snapshot = _snapshot(case)
    if snapshot["recommended_eligible"] is False and not note.strip():
        raise ValidationError(
            _(
                "The policy engine recommends that this household does not qualify. "
                "To approve it all the same, give the reason in the note."
            )
        )
    with transaction.atomic():
        today = timezone.localdate()
        case.decision = Decision.APPROVED
        changes = {
            **deadlines.schedule(
                case, step=Step.AWARDED, started_on=today, closed=True
            ),
            **snapshot,
            "decision": Decision.APPROVED,
            "decided_on": today,
            "decided_by": actor,
            "approved_amount_fen": amount_fen,
            "closed_at": timezone.now(),
        }
        case = workflow.commit(
            actor,
            case,
            version,
            CaseAction.APPROVE,
            changes,
            note=workflow.clean_note(note),
            request=request,
        )
        grant_award(
            case=case,
            amount_fen=amount_fen,
            addons=addons or [],
            approved_on=today,
            actor=actor,
        )
        logger.info("case %s approved", case.pk)
        return case


def refuse(
    actor: User,
    case_id: int,
    *,
    version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> Case:
    """Refuse the case; the written refusal is due within its own limit."""
    reason = workflow.clean_note(reason)
    if len(reason) < MIN_REASON_CHARACTERS:
        raise ValidationError(
            _(
                "Write the reason for the refusal in full (at least %(min)d "
                "characters): the household receives it in writing."
            )
            % {"min": MIN_REASON_CHARACTERS}
        )
    case = load(case_id)
    workflow.require(actor, case, CaseAction.REFUSE, version, request)
    with transaction.atomic():
        today = timezone.localdate()
        case.decision = Decision.REFUSED
        changes = {
            **deadlines.schedule(case, step=Step.REFUSED, started_on=today),
            **_snapshot(case),
            "decision": Decision.REFUSED,
            "decided_on": today,
            "decided_by": actor,
            "refusal_reason": reason,
        }
        return workflow.commit(
            actor,
            case,
            version,
            CaseAction.REFUSE,
            changes,
            note=reason,
            request=request,
        )


def issue_refusal_notice(
    actor: User, case_id: int, *, version: int, request: HttpRequest | None = None
) -> Case:
    """Record that the written refusal went out today, which closes the case."""
    case = load(case_id)
    workflow.require(actor, case, CaseAction.ISSUE_REFUSAL_NOTICE, version, request)
    with transaction.atomic():
        changes = {
            "refusal_notified_on": timezone.localdate(),
            "closed_at": timezone.now(),
            "next_due": None,
        }
        return workflow.commit(
            actor,
            case,
            version,
            CaseAction.ISSUE_REFUSAL_NOTICE,
            changes,
            request=request,
        )
