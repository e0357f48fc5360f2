"""Scoped, masked and audited reads of cases for the work queue and the case page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from doudi.assessments.models import Scheme
from doudi.assessments.queries import ExplainedAssessment
from doudi.cases import deadlines, workflow
from doudi.cases.deadlines import DeadlineStatus
from doudi.cases.decision import recommendation_for
from doudi.cases.declaration import Declaration
from doudi.cases.models import (
    Case,
    CaseAction,
    CaseDocument,
    CaseKind,
    Objection,
    PublicNotice,
    Step,
    SurveyRecord,
)
from doudi.privacy import access, audit
from doudi.privacy.choices import AuditAction, Role
from doudi.privacy.masking import mask_name
from doudi.privacy.models import User
from doudi.registry.choices import RegionLevel, Relationship
from doudi.registry.models import Membership, Region
from doudi.registry.queries import HouseholdView, open_household

PAGE_SIZE: Final = 25
# Actions that can happen at many steps. A step belongs to a role's own queue
# only where the role has one of the other, step-specific actions.
_SIDE_ACTIONS: Final = frozenset(
    {CaseAction.WITHDRAW, CaseAction.ADD_DOCUMENT, CaseAction.MARK_SPECIAL}
)


def my_steps(role: str) -> list[tuple[str, str]]:
    """Return the (case kind, step) pairs where `role` takes the main action.

    The kind matters: at the same step an application and an appeal wait
    for different roles.
    """
    pairs: list[tuple[str, str]] = []
    for (kind, step), permits in workflow.PERMITS.items():
        acts = any(
            role in roles
            for action, roles in permits.items()
            if action not in _SIDE_ACTIONS
        )
        if acts:
            pairs.append((kind, step))
    return pairs


def _mine(role: str) -> Q:
    """Return the filter for the cases waiting for `role`'s main action."""
    condition = Q(pk__in=[])
    for kind, step in my_steps(role):
        condition |= Q(kind=kind, step=step)
    # Delegated approvals wait for the street office, not the district.
    kind, step = workflow.DELEGATED_STEP
    delegated = Q(kind=kind, step=step, delegated=True)
    if role in workflow.REVIEWER:
        condition |= delegated
    elif role in workflow.APPROVER:
        condition &= ~delegated
    return condition


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters. `step` is a Step value, "mine" or "all"."""

    step: str = "mine"
    status: str = ""
    scheme: str = ""
    region: str = ""


@dataclass(frozen=True)
class QueueRow:
    pk: int
    kind: str
    is_appeal: bool
    household_id: int
    head_name: str
    community: str
    scheme: str
    step: str
    next_due: date | None
    provisional: bool
    status: str


def can_use_queue(user: object) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and user.role in workflow.READER_ROLES
        and user.region is not None
    )


def household_cases(user: User, household_id: int) -> list[Case] | None:
    """Return the household's cases, newest first, or None for a role without cases.

    The caller has already checked that the household is in the user's region.
    """
    if not can_use_queue(user):
        return None
    return list(
        Case.objects.filter(household_id=household_id).order_by("-opened_at", "-pk")
    )


def _require_staff(user: User) -> Region:
    if not can_use_queue(user) or user.region is None:
        raise PermissionDenied(_("Your role has no work queue."))
    return user.region


def scoped_open_cases(user: User) -> QuerySet[Case]:
    region = _require_staff(user)
    return Case.objects.filter(
        closed_at__isnull=True, region_path__startswith=region.path
    )


def filtered(user: User, filters: QueueFilters, today: date) -> QuerySet[Case]:
    """Return the user's open cases narrowed by the filters, soonest due first."""
    cases = scoped_open_cases(user)
    if filters.step == "mine":
        cases = cases.filter(_mine(user.role))
    elif filters.step in Step.values:
        cases = cases.filter(step=filters.step)
    if filters.status in DeadlineStatus.__members__.values():
        cases = deadlines.filter_status(cases, DeadlineStatus(filters.status), today)
    if filters.scheme:
        cases = cases.filter(scheme=filters.scheme)
    if filters.region:
        region = regions_in_scope(user).filter(code=filters.region).first()
        if region is not None:
            cases = cases.filter(region_path__startswith=region.path)
    return cases.order_by(F("next_due").asc(nulls_last=True), "pk")


def regions_in_scope(user: User) -> QuerySet[Region]:
    """Return the regions one level below the user's own, for the region filter.

    One level keeps the list short: a district has a few dozen streets but
    hundreds of communities.
    """
    region = _require_staff(user)
    return Region.objects.filter(parent=region)


def queue_page(
    user: User,
    filters: QueueFilters,
    page_number: str | None,
    today: date,
    request: HttpRequest | None,
) -> tuple[Page[Case], list[QueueRow]]:
    """Return one page of the queue as rows; one audit entry for the page."""
    page = Paginator(filtered(user, filters, today), PAGE_SIZE).get_page(page_number)
    cases = list(page.object_list)
    rows = _rows(user, cases, today)
    if rows:
        audit.record(
            actor=user,
            action=AuditAction.READ,
            object_type=workflow.OBJECT_TYPE,
            purpose=workflow.purpose_for(user),
            request=request,
            record_count=len(rows),
            detail={"ids": [row.pk for row in rows]},
        )
    return page, rows


def _rows(user: User, cases: list[Case], today: date) -> list[QueueRow]:
    heads = _head_names([case.household_id for case in cases])
    named = access.can_reveal_full_id(user)
    communities = Region.objects.in_bulk({case.region_id for case in cases})
    until = deadlines.nearly_due_until(today)
    # Labels once per page: get_FOO_display() translates every choice per call.
    kinds, schemes, steps = labels(CaseKind), labels(Scheme), labels(Step)
    rows = []
    for case in cases:
        head = heads.get(case.household_id, "")
        community = communities.get(case.region_id) if case.region_id else None
        rows.append(
            QueueRow(
                pk=case.pk,
                kind=kinds.get(case.kind, case.kind),
                is_appeal=case.kind == CaseKind.APPEAL,
                household_id=case.household_id,
                head_name=head if named else mask_name(head),
                community=community.name if community else "",
                scheme=schemes.get(case.scheme, case.scheme),
                step=steps.get(case.step, case.step),
                next_due=case.next_due,
                provisional=_next_due_provisional(case),
                status=deadlines.status_of(case.next_due, today, until).value,
            )
        )
    return rows


def labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Return each choice's label in the current language."""
    return {value: str(label) for value, label in choices.choices}


def region_options(user: User) -> list[tuple[str, str]]:
    """Return (code, "name (level)") of the regions the queue can be narrowed to."""
    levels = labels(RegionLevel)
    return [
        (code, f"{name} ({levels.get(level, level)})")
        for code, name, level in regions_in_scope(user)
        .order_by("path")
        .values_list("code", "name", "level")
    ]


def _head_names(household_ids: list[int]) -> dict[int, str]:
    heads = Membership.objects.filter(
        household_id__in=household_ids,
        end_date__isnull=True,
        relationship=Relationship.HEAD,
    ).select_related("person")
    return {m.household_id: str(m.person.name) for m in heads}


def _next_due_provisional(case: Case) -> bool:
    if case.next_due is None:
        return False
    if case.next_due == case.step_due and case.step_due_provisional:
        return True
    return case.next_due == case.case_due and case.case_due_provisional


@dataclass(frozen=True)
class EventRow:
    at: object
    actor: str
    role: str
    step: str
    action: str
    note: str


@dataclass(frozen=True)
class CaseView:
    """Everything the case page shows, read in the user's scope."""

    case: Case
    household: HouseholdView
    declaration: Declaration
    events: list[EventRow]
    surveys: list[SurveyRecord]
    documents: list[CaseDocument]
    notice: PublicNotice | None
    objections: list[Objection]
    recommendation: ExplainedAssessment | None
    decided_explanation: list[str]
    actions: list[CaseAction]
    status: str
    next_due_provisional: bool
    appeals: list[Case] = field(default_factory=list)
    is_appeal: bool = False


def open_case_page(
    user: User, case_id: int, today: date, request: HttpRequest | None
) -> CaseView:
    """Return the case for its page, audited; 404 outside the user's scope."""
    case = (
        Case.objects.select_related("region", "household__region", "parent")
        .filter(pk=case_id)
        .first()
    )
    if case is None or not workflow.can_read(user, case):
        if case is not None:
            _audit(user, case, AuditAction.DENIED, request)
        raise Http404(_("No case %(pk)s in your region.") % {"pk": case_id})
    _audit(user, case, AuditAction.READ, request)
    household = open_household(user, case.household_id, request)
    notice = workflow.notice_of(case)
    return CaseView(
        case=case,
        household=household,
        declaration=Declaration.from_json(case.declaration),
        events=_events(case),
        surveys=list(
            case.surveys.prefetch_related("investigators").order_by("visited_on")
        ),
        documents=list(case.documents.order_by("uploaded_at")),
        notice=notice,
        objections=list(notice.objections.order_by("received_on")) if notice else [],
        recommendation=recommendation_for(case) if user.role != Role.RESIDENT else None,
        decided_explanation=json.loads(case.recommendation_explanation or "[]"),
        actions=workflow.allowed_actions(user, case, today),
        status=deadlines.status_of(
            case.next_due, today, deadlines.nearly_due_until(today)
        ).value,
        next_due_provisional=_next_due_provisional(case),
        appeals=list(case.appeals.order_by("opened_at")),
        is_appeal=case.kind == CaseKind.APPEAL,
    )


def _events(case: Case) -> list[EventRow]:
    return [
        EventRow(
            at=event.at,
            actor=event.actor_label,
            role=str(Role(event.role).label) if event.role in Role.values else "",
            step=event.get_step_display(),
            action=event.get_action_display(),
            note=event.note or "",
        )
        for event in case.events.order_by("at", "pk")
    ]


def _audit(
    user: User, case: Case, action: AuditAction, request: HttpRequest | None
) -> None:
    audit.record(
        actor=user,
        action=action,
        object_type=workflow.OBJECT_TYPE,
        object_id=case.pk,
        purpose=workflow.purpose_for(user),
        request=request,
    )
