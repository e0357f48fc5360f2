"""Scoped, masked and audited reads for the verification pages and the PDF.

Reports hold income and asset figures, so only the roles that decide on
assistance read them, within their region: community workers, street
reviewers and district approvers. Every read is audited with the purpose
VERIFICATION; a refused read is audited as denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.exchange.kinds import FeedKind
from doudi.privacy import access, audit
from doudi.privacy.access import AnyUser
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.masking import mask_name, mask_resident_id
from doudi.privacy.models import User
from doudi.registry.models import Household, Membership
from doudi.verification.figures import spending_window
from doudi.verification.labels import item_label, yuan
from doudi.verification.models import (
    Authorisation,
    Category,
    Severity,
    VerificationReport,
    VerificationRequest,
)
from doudi.verification.storing import StoredItem, stored_items

REPORT_ROLES = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_APPROVER}
)


def can_read_reports(user: AnyUser) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and user.role in REPORT_ROLES
        and user.region is not None
    )


@dataclass(frozen=True)
class MemberRow:
    person_id: int
    name: str
    resident_id: str
    age: int
    relationship: str


@dataclass(frozen=True)
class AuthorisationRow:
    pk: int
    signed_by: str
    members: list[str]
    kinds: list[str]
    signed_on: date
    valid_until: date
    status: str
    revocable: bool


@dataclass(frozen=True)
class ReportRow:
    pk: int
    as_of: date
    purpose: str
    requested_by: str
    severity: str
    severity_label: str


@dataclass(frozen=True)
class HouseholdPage:
    pk: int
    community: str
    street: str
    members: list[MemberRow]
    authorisations: list[AuthorisationRow]
    reports: list[ReportRow]


@dataclass(frozen=True)
class SourceRow:
    batch: int
    source: str
    department: str
    first: str
    last: str


@dataclass(frozen=True)
class ItemRow:
    who: str
    category: str
    item: str
    declared: str
    verified: str
    discrepancy: str
    share: str
    severity: str
    severity_label: str
    sources: list[SourceRow]


@dataclass(frozen=True)
class ReportPage:
    pk: int
    household_pk: int
    community: str
    street: str
    as_of: date
    purpose: str
    requested_by: str
    created_at: datetime
    spending_from: date
    items: list[ItemRow]
    declared_income: str
    verified_income: str
    declared_assets: str
    verified_assets: str
    verified_spending: str
    minor_items: int
    major_items: int
    severity: str
    severity_label: str


def _deny(
    user: User, object_type: str, object_id: int, request: HttpRequest | None
) -> None:
    audit.record(
        actor=user,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=object_id,
        purpose=Purpose.VERIFICATION,
        request=request,
    )


def _scoped_household(
    user: User, pk: int, object_type: str, object_id: int, request: HttpRequest | None
) -> Household:
    """Return the household if the user may read its verification records."""
    if not can_read_reports(user):
        _deny(user, object_type, object_id, request)
        raise PermissionDenied(_("Your role cannot read verification records."))
    household = (
        access.scope_households(Household.objects.all(), user)
        .select_related("region__parent")
        .filter(pk=pk)
        .first()
    )
    if household is None:
        if not Household.objects.filter(pk=pk).exists():
            raise Http404(_("No household %(pk)s.") % {"pk": pk})
        _deny(user, object_type, object_id, request)
        raise PermissionDenied(_("This household is outside your region."))
    return household


def _names(user: User, person_ids: set[int]) -> dict[int, str]:
    """Return names, masked unless the user's role may see them whole."""
    named = access.can_reveal_full_id(user)
    rows = Membership.objects.filter(person_id__in=person_ids).select_related("person")
    names = {row.person_id: str(row.person.name) for row in rows}
    return {pk: name if named else mask_name(name) for pk, name in names.items()}


def household_page(user: User, pk: int, request: HttpRequest | None) -> HouseholdPage:
    """Return the household's members, authorisations and reports, audited."""
    household = _scoped_household(user, pk, "registry.household", pk, request)
    today = timezone.localdate()
    memberships = list(
        household.memberships.filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .filter(start_date__lte=today)
        .select_related("person")
        .order_by("start_date", "pk")
    )
    authorisations = list(
        household.authorisations.prefetch_related("members").order_by(
            "-signed_on", "-pk"
        )
    )
    people = {m.person_id for m in memberships} | {
        a.signed_by_id for a in authorisations
    }
    for item in authorisations:
        people |= {person.pk for person in item.members.all()}
    names = _names(user, people)
    audit.record(
        actor=user,
        action=AuditAction.READ,
        object_type="registry.household",
        object_id=pk,
        purpose=Purpose.VERIFICATION,
        request=request,
        detail={"page": "verification"},
    )
    return HouseholdPage(
        pk=household.pk,
        community=household.region.name,
        street=household.region.parent.name if household.region.parent else "",
        members=[_member(m, names, today) for m in memberships],
        authorisations=[_authorisation(a, names, today) for a in authorisations],
        reports=_reports(household),
    )


def _member(membership: Membership, names: dict[int, str], today: date) -> MemberRow:
    person = membership.person
    return MemberRow(
        person_id=person.pk,
        name=names.get(person.pk, ""),
        resident_id=mask_resident_id(str(person.resident_id)),
        age=person.age_on(today),
        relationship=membership.get_relationship_display(),
    )


def _authorisation(
    item: Authorisation, names: dict[int, str], today: date
) -> AuthorisationRow:
    if item.revoked_at is not None:
        status = _("Revoked on %(day)s") % {
            "day": timezone.localdate(item.revoked_at).isoformat()
        }
    elif item.valid_until < today:
        status = _("Expired")
    elif item.signed_on > today:
        status = _("Not yet valid")
    else:
        status = _("Valid")
    return AuthorisationRow(
        pk=item.pk,
        signed_by=names.get(item.signed_by_id, ""),
        members=[names.get(person.pk, "") for person in item.members.all()],
        kinds=[_kind_label(kind) for kind in item.data_kinds],
        signed_on=item.signed_on,
        valid_until=item.valid_until,
        status=status,
        revocable=item.revoked_at is None and item.valid_until >= today,
    )


def _kind_label(kind: str) -> str:
    return str(FeedKind(kind).label) if kind in FeedKind.values else kind


def _reports(household: Household) -> list[ReportRow]:
    requests = (
        VerificationRequest.objects.filter(household=household)
        .select_related("report", "requested_by")
        .order_by("-as_of", "-pk")
    )
    return [
        ReportRow(
            pk=request.pk,
            as_of=request.as_of,
            purpose=request.get_purpose_display(),
            requested_by=_requester(request),
            severity=request.report.severity,
            severity_label=request.report.get_severity_display(),
        )
        for request in requests
        if hasattr(request, "report")
    ]


def _requester(request: VerificationRequest) -> str:
    if request.requested_by is None:
        return _("Monthly batch")
    return request.requested_by.get_username()


def open_report(
    user: User, pk: int, request: HttpRequest | None, output: str
) -> ReportPage:
    """Return one report for the page or the PDF, audited with its format."""
    report = (
        VerificationReport.objects.select_related("request__requested_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        if not can_read_reports(user):
            _deny(user, "verification.report", pk, request)
            raise PermissionDenied(_("Your role cannot read verification records."))
        raise Http404(_("No verification report %(pk)s.") % {"pk": pk})
    household = _scoped_household(
        user, report.request.household_id, "verification.report", pk, request
    )
    items = stored_items(report)
    names = _names(user, {item.person_id for item in items if item.person_id})
    audit.record(
        actor=user,
        action=AuditAction.READ,
        object_type="verification.report",
        object_id=pk,
        purpose=Purpose.VERIFICATION,
        request=request,
        detail={"format": output, "household": household.pk},
    )
    return _report_page(report, household, items, names)


def _report_page(
    report: VerificationReport,
    household: Household,
    items: list[StoredItem],
    names: dict[int, str],
) -> ReportPage:
    order = {Category.INCOME: 0, Category.ASSET: 1, Category.SPENDING: 2}
    items.sort(key=lambda item: order.get(Category(item.category), 3))
    request = report.request
    return ReportPage(
        pk=report.pk,
        household_pk=household.pk,
        community=household.region.name,
        street=household.region.parent.name if household.region.parent else "",
        as_of=request.as_of,
        purpose=request.get_purpose_display(),
        requested_by=_requester(request),
        created_at=request.created_at,
        spending_from=spending_window(request.as_of)[0],
        items=[_item(item, names) for item in items],
        declared_income=yuan(report.declared_income_fen),
        verified_income=yuan(report.verified_income_fen),
        declared_assets=yuan(report.declared_assets_fen),
        verified_assets=yuan(report.verified_assets_fen),
        verified_spending=yuan(report.verified_spending_fen),
        minor_items=report.minor_items,
        major_items=report.major_items,
        severity=report.severity,
        severity_label=report.get_severity_display(),
    )


def _item(item: StoredItem, names: dict[int, str]) -> ItemRow:
    household_level = item.person_id is None
    who = _("Household") if household_level else names.get(item.person_id or 0, "")
    share = ""
    if item.discrepancy_share is not None:
        share = f"{item.discrepancy_share * 100:+.2f} %"
    sources = [
        SourceRow(
            batch=int(source["batch"]),
            source=str(source["source"]),
            department=str(source["department"]),
            first=str(source["first"]),
            last=str(source["last"]),
        )
        for source in item.sources
    ]
    return ItemRow(
        who=who,
        category=str(Category(item.category).label),
        item=item_label(item.category, item.item),
        declared=yuan(item.declared_fen),
        verified=yuan(item.verified_fen),
        discrepancy=yuan(item.discrepancy_fen),
        share=share,
        severity=item.severity,
        severity_label=str(Severity(item.severity).label),
        sources=sources,
    )
