"""Scoped and audited reads of warnings for the work list and the warning page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from doudi.cases import deadlines
from doudi.cases.deadlines import DeadlineStatus
from doudi.monitoring import escalation, permissions, reasons
from doudi.monitoring.models import (
    OPEN_STATUSES,
    Warning,
    WarningKind,
    WarningStatus,
)
from doudi.monitoring.permissions import OBJECT_TYPE, WarningAction
from doudi.privacy import access, audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.masking import mask_name
from doudi.privacy.models import User
from doudi.registry.choices import Relationship
from doudi.registry.models import Membership

PAGE_SIZE: Final = 25
OPEN: Final = "open"
ALL: Final = "all"


@dataclass(frozen=True)
class WarningFilters:
    """The work list's filters. `status` is a WarningStatus value, "open" or "all";
    `deadline` is a DeadlineStatus value of the respond-by day, or empty."""

    status: str = OPEN
    kind: str = ""
    category: str = ""
    deadline: str = ""


@dataclass(frozen=True)
class WarningRow:
    pk: int
    number: str
    reason: str
    kind: str
    category: str
    status: str
    household_id: int
    head_name: str
    community: str
    respond_by: date
    deadline: str
    escalated: bool
    assigned_to: str
    risk_score: Decimal


def _require_list(user: User) -> None:
    if not permissions.has_work_list(user):
        raise PermissionDenied(_("Your role has no warning work list."))


def filtered(user: User, filters: WarningFilters, today: date) -> QuerySet[Warning]:
    """Return the user's warnings narrowed by the filters, soonest due first."""
    _require_list(user)
    warnings = permissions.scope_warnings(Warning.objects.all(), user)
    if filters.status == OPEN:
        warnings = warnings.filter(status__in=OPEN_STATUSES)
    elif filters.status in WarningStatus.values:
        warnings = warnings.filter(status=filters.status)
    if filters.kind in WarningKind.values:
        warnings = warnings.filter(kind=filters.kind)
    if filters.category:
        warnings = warnings.filter(category=filters.category)
    if filters.deadline in {s.value for s in DeadlineStatus} - {"none"}:
        status = DeadlineStatus(filters.deadline)
        warnings = escalation.filter_deadline(warnings, status, today)
    # Open warnings first, so a list of every status still starts with work.
    still_open = SqlCase(
        When(status__in=OPEN_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return warnings.select_related("region", "assigned_to").order_by(
        still_open, "respond_by", "-risk_score", "pk"
    )


def categories(user: User) -> list[tuple[str, str]]:
    """Return the categories of the user's warnings, for the filter."""
    _require_list(user)
    scoped = permissions.scope_warnings(Warning.objects.all(), user)
    codes = scoped.order_by().values_list("category", flat=True).distinct()
    return sorted((code, reasons.category_label(code)) for code in codes if code)


def work_list_page(
    user: User,
    filters: WarningFilters,
    page_number: str | None,
    today: date,
    request: HttpRequest | None,
) -> tuple[Page[Warning], list[WarningRow]]:
    """Return one page of the work list as rows; one audit entry for the page."""
    paginator = Paginator(filtered(user, filters, today), PAGE_SIZE)
    page = paginator.get_page(page_number)
    warnings = list(page.object_list)
    rows = _rows(user, warnings, today)
    if rows:
        audit.record(
            actor=user,
            action=AuditAction.READ,
            object_type=OBJECT_TYPE,
            purpose=Purpose.MONITORING,
            request=request,
            record_count=len(rows),
            detail={
                "ids": [row.pk for row in rows],
                "households": sorted({row.household_id for row in rows}),
            },
        )
    return page, rows


def _rows(user: User, warnings: list[Warning], today: date) -> list[WarningRow]:
    heads = head_names([w.household_id for w in warnings])
    named = access.can_reveal_full_id(user)
    until = deadlines.nearly_due_until(today)
    return [
        WarningRow(
            pk=w.pk,
            number=reasons.warning_number(w),
            reason=reasons.reason_text(w.reason_code),
            kind=w.get_kind_display(),
            category=reasons.category_label(w.category),
            status=w.get_status_display(),
            household_id=w.household_id,
            head_name=_name(heads.get(w.household_id, ""), named),
            community=w.region.name,
            respond_by=w.respond_by,
            deadline=escalation.deadline_status(w, today, until).value,
            escalated=w.escalated_at is not None,
            assigned_to=w.assigned_to.get_username() if w.assigned_to else "",
            risk_score=w.risk_score,
        )
        for w in warnings
    ]


def _name(name: str, named: bool) -> str:
    return name if named else mask_name(name)


def head_names(household_ids: list[int]) -> dict[int, str]:
    heads = Membership.objects.filter(
        household_id__in=household_ids,
        end_date__isnull=True,
        relationship=Relationship.HEAD,
    ).select_related("person")
    return {m.household_id: str(m.person.name) for m in heads}


@dataclass(frozen=True)
class MemberRow:
    name: str
    relationship: str
    sex: str
    age: int


@dataclass(frozen=True)
class HouseholdSummary:
    pk: int
    community: str
    street: str
    members: list[MemberRow]


@dataclass(frozen=True)
class EventRow:
    at: datetime
    actor: str
    action: str
    note: str


@dataclass(frozen=True)
class WarningView:
    """Everything the warning page shows, read in the user's scope."""

    warning: Warning
    number: str
    reason: str
    category: str
    detail: list[tuple[str, str]]
    deadline: str
    household: HouseholdSummary
    events: list[EventRow]
    actions: list[WarningAction]
    assignees: list[User]


def open_warning_page(
    user: User, warning_id: int, today: date, request: HttpRequest | None
) -> WarningView:
    """Return the warning for its page, audited; 404 outside the user's scope."""
    warning = (
        Warning.objects.select_related("region__parent", "assigned_to", "case")
        .filter(pk=warning_id)
        .first()
    )
    if warning is None or not permissions.can_read(user, warning):
        if warning is not None:
            permissions.audit_denied(user, warning, None, request)
        raise Http404(_("No warning %(pk)s in your work list.") % {"pk": warning_id})
    _audit_read(user, OBJECT_TYPE, warning.pk, request)
    _audit_read(user, "registry.household", warning.household_id, request)
    until = deadlines.nearly_due_until(today)
    return WarningView(
        warning=warning,
        number=reasons.warning_number(warning),
        reason=reasons.reason_text(warning.reason_code),
        category=reasons.category_label(warning.category),
        detail=detail_lines(warning.detail),
        deadline=escalation.deadline_status(warning, today, until).value,
        household=_household(user, warning, today),
        events=_events(warning),
        actions=permissions.allowed_actions(user, warning),
        assignees=list(permissions.workers_of(warning)),
    )


def _audit_read(
    user: User, object_type: str, object_id: int, request: HttpRequest | None
) -> None:
    audit.record(
        actor=user,
        action=AuditAction.READ,
        object_type=object_type,
        object_id=object_id,
        purpose=Purpose.MONITORING,
        request=request,
    )


def _household(user: User, warning: Warning, today: date) -> HouseholdSummary:
    named = access.can_reveal_full_id(user)
    memberships = Membership.objects.filter(
        household_id=warning.household_id, end_date__isnull=True
    ).select_related("person")
    members = [
        MemberRow(
            name=_name(str(m.person.name), named),
            relationship=m.get_relationship_display(),
            sex=m.person.get_sex_display(),
            age=m.person.age_on(today),
        )
        for m in memberships.order_by("start_date", "pk")
    ]
    street = warning.region.parent
    return HouseholdSummary(
        pk=warning.household_id,
        community=warning.region.name,
        street=street.name if street else "",
        members=members,
    )


def _detail_labels() -> dict[str, str]:
    return {
        "signals": _("Signals that fired"),
        "since": _("Since"),
        "members": _("Members concerned"),
        "figure": _("Figure from the records"),
        "scheme": _("Scheme"),
        "tier": _("Tier"),
        "amount_fen": _("Amount per month (yuan)"),
        "assessed_month": _("Assessed for the month"),
    }


def detail_lines(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the scan's codes and figures behind the reason as (label, value) pairs."""
    labels = _detail_labels()
    lines = []
    for key, value in detail.items():
        if value is None or value == [] or value == "":
            continue
        lines.append(
            (labels.get(key, key.replace("_", " ")), _detail_value(key, value))
        )
    return lines


def _detail_value(key: str, value: Any) -> str:
    if key == "signals" and isinstance(value, list):
        return "; ".join(reasons.reason_text(str(code)) for code in value)
    if key == "scheme":
        return reasons.scheme_label(str(value))
    if key == "amount_fen" and isinstance(value, int):
        return f"{Decimal(value) / 100:.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    return str(value)


def _events(warning: Warning) -> list[EventRow]:
    rows = []
    for event in warning.events.select_related("actor").order_by("at", "pk"):
        label = (
            WarningAction(event.action).label
            if event.action in WarningAction.values
            else event.action
        )
        actor = event.actor.get_username() if event.actor else _("system")
        rows.append(EventRow(event.at, actor, str(label), event.note))
    return rows
