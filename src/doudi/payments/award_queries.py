"""Reads for the award pages, each narrowed to the reader's region and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from doudi.assessments.models import Scheme
from doudi.payments.models import (
    Award,
    AwardEvent,
    AwardStatus,
    PaymentLine,
    ReportedChange,
    Review,
    ReviewStatus,
)
from doudi.payments.permissions import READING_ROLES
from doudi.privacy import audit
from doudi.privacy.access import AnyUser, scope_households
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.registry.models import Household

OBJECT_TYPE: Final = "payments.award"
PAGE_SIZE: Final = 50
# "Review due soon" on the award list means due within this many calendar days.
DUE_SOON_DAYS: Final = 30
REVIEW_FILTERS: Final = ("soon", "overdue")


def can_read_awards(user: AnyUser) -> bool:
    return isinstance(user, User) and user.is_active and user.role in READING_ROLES


def awards_in_scope(user: User) -> QuerySet[Award]:
    """Return the awards of the households in the user's region."""
    if not can_read_awards(user):
        return Award.objects.none()
    households = scope_households(Household.objects.all(), user).values("pk")
    return Award.objects.filter(household_id__in=households)


def deny(user: User, request: HttpRequest | None, object_id: object = "") -> None:
    """Audit a denied read or action, then raise PermissionDenied."""
    audit.record(
        actor=user,
        action=AuditAction.DENIED,
        object_type=OBJECT_TYPE,
        object_id=object_id,
        purpose=Purpose.CASE_WORK,
        request=request,
    )
    raise PermissionDenied(_("Your role or region does not give access to this award."))


def find_award(user: User, pk: int, request: HttpRequest | None) -> Award:
    """Return the award if the user may read it; 404 if none, 403 (audited) if not."""
    award = Award.objects.select_related("household").filter(pk=pk).first()
    if award is None:
        raise Http404(_("No award %(pk)s.") % {"pk": pk})
    if not awards_in_scope(user).filter(pk=pk).exists():
        deny(user, request, pk)
    return award


@dataclass(frozen=True)
class AwardView:
    """Everything the award page shows."""

    award: Award
    events: list[AwardEvent]
    lines: list[PaymentLine]
    reviews: list[Review]
    due_reviews: list[Review]
    changes: list[ReportedChange]


def open_award(user: User, pk: int, request: HttpRequest | None) -> AwardView:
    """Return the award page's content and audit the read (personal and money data)."""
    award = find_award(user, pk, request)
    audit.record(
        actor=user,
        action=AuditAction.READ,
        object_type=OBJECT_TYPE,
        object_id=award.pk,
        purpose=Purpose.CASE_WORK,
        request=request,
    )
    reviews = list(award.reviews.order_by("-due_on", "-pk"))
    return AwardView(
        award=award,
        events=list(award.events.select_related("actor")),
        lines=list(award.payment_lines.order_by("-period", "-pk")),
        reviews=reviews,
        due_reviews=[item for item in reviews if item.status == ReviewStatus.DUE],
        changes=list(
            award.reported_changes.select_related("recorded_by").order_by(
                "-reported_on", "-pk"
            )
        ),
    )


@dataclass(frozen=True)
class AwardFilters:
    scheme: str = ""
    status: str = ""
    review: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> AwardFilters:
        """Keep only known values, so a wrong one shows every award."""
        scheme = query.get("scheme", "")
        status = query.get("status", "")
        review = query.get("review", "")
        return cls(
            scheme=scheme if scheme in Scheme.values else "",
            status=status if status in AwardStatus.values else "",
            review=review if review in REVIEW_FILTERS else "",
        )


def filtered(user: User, filters: AwardFilters, today: date) -> QuerySet[Award]:
    awards = awards_in_scope(user)
    if filters.scheme:
        awards = awards.filter(scheme=filters.scheme)
    if filters.status:
        awards = awards.filter(status=filters.status)
    if filters.review == "overdue":
        awards = awards.filter(next_review_on__lt=today)
    elif filters.review == "soon":
        until = today + timedelta(days=DUE_SOON_DAYS)
        awards = awards.filter(next_review_on__gte=today, next_review_on__lte=until)
    return awards.order_by("next_review_on", "pk")


def award_page(
    user: User,
    filters: AwardFilters,
    page_number: str | None,
    today: date,
    request: HttpRequest | None,
) -> Page[Award]:
    """Return one page of the award list; one audit entry for the page."""
    page = Paginator(filtered(user, filters, today), PAGE_SIZE).get_page(page_number)
    ids = [award.pk for award in page.object_list]
    if ids:
        audit.record(
            actor=user,
            action=AuditAction.READ,
            object_type=OBJECT_TYPE,
            purpose=Purpose.CASE_WORK,
            request=request,
            record_count=len(ids),
            detail={"ids": ids},
        )
    return page
