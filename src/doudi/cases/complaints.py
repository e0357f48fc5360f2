"""Answer a complaint: the case closes with the answer on its timeline.

Complaints are opened by `doudi.feedback` when a resident complains with a
rating. A complaint is answered within its own limit (`complaint_answer`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.cases import deadlines, workflow
from doudi.cases.models import Case, CaseAction, Step
from doudi.cases.opening import load
from doudi.privacy.models import User


def answer_complaint(
    actor: User,
    case_id: int,
    *,
    version: int,
    answer: str,
    request: HttpRequest | None = None,
) -> Case:
    """Record the answer to a complaint and close it."""
    answer = workflow.clean_note(answer)
    if not answer:
        raise ValidationError(
            _("The answer is missing: write what was found and what was done.")
        )
    case = load(case_id)
    workflow.require(actor, case, CaseAction.ANSWER_COMPLAINT, version, request)
    with transaction.atomic():
        today = timezone.localdate()
        changes = {
            **deadlines.schedule(
                case, step=Step.COMPLAINT_ANSWERED, started_on=today, closed=True
            ),
            "closed_at": timezone.now(),
        }
        return workflow.commit(
            actor,
            case,
            version,
            CaseAction.ANSWER_COMPLAINT,
            changes,
            note=answer,
            request=request,
        )
