"""Record the household survey: a home visit by at least two investigators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.cases import deadlines, workflow
from doudi.cases.models import (
    Case,
    CaseAction,
    Housing,
    LivingConditions,
    Step,
    SurveyOpinion,
    SurveyRecord,
)
from doudi.cases.opening import load
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.models import User
from doudi.registry.models import Membership

MIN_INVESTIGATORS: Final = 2
INVESTIGATOR_ROLES: Final = frozenset({Role.COMMUNITY_WORKER, Role.STREET_REVIEWER})
MAX_FINDINGS_CHARACTERS: Final = 4000


@dataclass(frozen=True)
class Visit:
    """The fields of the visit form, as the service takes them."""

    visited_on: date
    investigator_ids: Sequence[int]
    members_present: int
    housing: str
    living_conditions: str
    declaration_matches: bool
    opinion: str
    findings: str = ""


def record_survey(
    actor: User,
    case_id: int,
    *,
    version: int,
    visit: Visit,
    request: HttpRequest | None = None,
) -> Case:
    """Store the visit and move the case on to the economic check."""
    case = load(case_id)
    workflow.require(actor, case, CaseAction.RECORD_SURVEY, version, request)
    with transaction.atomic():
        investigators = _investigators(case, visit.investigator_ids)
        _check_visit(case, visit)
        today = timezone.localdate()
        changes = deadlines.schedule(case, step=Step.VERIFICATION, started_on=today)
        case = workflow.commit(
            actor, case, version, CaseAction.RECORD_SURVEY, changes, request=request
        )
        survey = SurveyRecord.objects.create(
            case=case,
            visited_on=visit.visited_on,
            members_present=visit.members_present,
            housing=visit.housing,
            living_conditions=visit.living_conditions,
            declaration_matches=visit.declaration_matches,
            opinion=visit.opinion,
            findings=visit.findings.strip(),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        survey.investigators.set(investigators)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="cases.survey",
            object_id=survey.pk,
            purpose=workflow.purpose_for(actor),
            request=request,
            detail={"case": case.pk, "investigators": len(investigators)},
        )
        return case


def _investigators(case: Case, ids: Sequence[int]) -> list[User]:
    distinct = sorted(set(ids))
    if len(distinct) < MIN_INVESTIGATORS:
        raise ValidationError(
            _(
                "A household survey needs at least %(min)d different investigators; "
                "%(count)d given."
            )
            % {"min": MIN_INVESTIGATORS, "count": len(distinct)}
        )
    users = User.objects.select_related("region").in_bulk(distinct)
    for pk in distinct:
        user = users.get(pk)
        if (
            user is None
            or not user.is_active
            or user.role not in INVESTIGATOR_ROLES
            or user.region is None
            or not case.region_path.startswith(user.region.path)
        ):
            raise ValidationError(
                _(
                    "User %(pk)s cannot investigate this household: choose a "
                    "community worker or street reviewer of its region."
                )
                % {"pk": pk}
            )
    return [users[pk] for pk in distinct]


def _check_visit(case: Case, visit: Visit) -> None:
    today = timezone.localdate()
    if visit.visited_on > today:
        raise ValidationError(
            _("The visit date %(day)s is in the future; enter the day of the visit.")
            % {"day": visit.visited_on.isoformat()}
        )
    if case.accepted_on and visit.visited_on < case.accepted_on:
        raise ValidationError(
            _("The visit date %(day)s is before the case was accepted on %(accepted)s.")
            % {
                "day": visit.visited_on.isoformat(),
                "accepted": case.accepted_on.isoformat(),
            }
        )
    for value, allowed in (
        (visit.housing, Housing.values),
        (visit.living_conditions, LivingConditions.values),
        (visit.opinion, SurveyOpinion.values),
    ):
        if value not in allowed:
            raise ValidationError(
                _("%(value)s is not a valid choice; use one of: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(allowed)}
            )
    if visit.members_present < 0:
        raise ValidationError(_("The number of members present cannot be negative."))
    members = Membership.objects.filter(
        household_id=case.household_id, start_date__lte=visit.visited_on
    ).filter(Q(end_date__isnull=True) | Q(end_date__gt=visit.visited_on))
    size = members.count()
    if visit.members_present > size:
        raise ValidationError(
            _(
                "%(present)d members present is more than the %(size)d members the "
                "household had on the day of the visit; count only its members."
            )
            % {"present": visit.members_present, "size": size}
        )
    if len(visit.findings) > MAX_FINDINGS_CHARACTERS:
        raise ValidationError(
            _("The findings have %(count)d characters; shorten them to %(max)d.")
            % {"count": len(visit.findings), "max": MAX_FINDINGS_CHARACTERS}
        )
