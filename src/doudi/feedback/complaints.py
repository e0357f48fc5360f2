"""A complaint made with a rating becomes a case of kind complaint.

The case has the complaint's own time limit (see `doudi.cases.limits`), a
timeline entry with the complaint in the resident's words, and an audit
entry, like any case opened through the portal. A complaint about an award
or a decided application names that application as its parent.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest
from django.utils import timezone

from doudi.cases import deadlines, workflow
from doudi.cases.models import Case, CaseAction, CaseKind, Channel, Step
from doudi.feedback.subjects import Subject
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction
from doudi.privacy.models import User
from doudi.registry.models import Household

logger = logging.getLogger(__name__)


def open_complaint(
    actor: User,
    household: Household,
    subject: Subject,
    text: str,
    *,
    assisted: bool,
    request: HttpRequest | None = None,
) -> Case:
    """Open a complaint case about `subject`; the caller checked permission."""
    today = timezone.localdate()
    case = Case(
        kind=CaseKind.COMPLAINT,
        parent=subject.application,
        household=household,
        scheme=subject.scheme,
        channel=Channel.WALK_IN if assisted else Channel.PORTAL,
        opened_at=timezone.now(),
        region=household.region,
        region_path=household.region.path,
        opened_by=actor,
        step_started_on=today,
    )
    for name, value in deadlines.schedule(
        case, step=Step.ACCEPT, started_on=today
    ).items():
        setattr(case, name, value)
    case.save(force_insert=True)
    workflow.add_event(actor, case, CaseAction.OPEN, note=text)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=workflow.OBJECT_TYPE,
        object_id=case.pk,
        purpose=workflow.purpose_for(actor),
        request=request,
        detail={
            "household": household.pk,
            "kind": case.kind,
            "about": subject.kind.value,
            "channel": case.channel,
        },
    )
    logger.info("complaint case %s opened for household %s", case.pk, household.pk)
    return case
