"""Pages of the awards: the list in the user's region and one award's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from doudi.assessments.models import Scheme
from doudi.payments import award_queries
from doudi.payments.award_actions import (
    ACTIONS,
    allowed_actions,
    initial_forms,
    run_action,
)
from doudi.payments.award_forms import CompleteReviewForm
from doudi.payments.award_queries import AwardFilters, AwardView
from doudi.payments.models import AwardStatus
from doudi.privacy.models import User


def _reader(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    if not award_queries.can_read_awards(user):
        award_queries.deny(user, request)
    return user


@login_required
@never_cache
@require_GET
def award_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    filters = AwardFilters.from_query(request.GET.dict())
    page = award_queries.award_page(
        user, filters, request.GET.get("page"), timezone.localdate(), request
    )
    context = {
        "page": page,
        "filters": filters,
        "schemes": Scheme.choices,
        "statuses": AwardStatus.choices,
        "query": _query_without_page(request),
    }
    return render(request, "payments/award_list.html", context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@never_cache
@require_GET
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    view = award_queries.open_award(user, pk, request)
    return render(request, "payments/award_detail.html", _context(user, view))


def _context(user: User, view: AwardView) -> dict[str, object]:
    today = timezone.localdate()
    names = allowed_actions(user, view.award)
    forms = initial_forms(view.award, names, today)
    return {
        "view": view,
        "award": view.award,
        "actions": [(name, forms[name], ACTIONS[name].button) for name in forms],
        "review_forms": _review_forms(view, today) if "review" in names else [],
        "read_only": not names,
    }


def _review_forms(view: AwardView, today: object) -> list[tuple[object, object]]:
    return [
        (
            review,
            CompleteReviewForm(
                prefix="review",
                auto_id=f"id_review{review.pk}_%s",
                initial={
                    "version": view.award.version,
                    "review": review.pk,
                    "on": today,
                },
            ),
        )
        for review in view.due_reviews
    ]


@login_required
@require_POST
def award_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Run one action of the award page, then show the page again with the outcome."""
    if name not in ACTIONS:
        raise Http404(name)
    user = _reader(request)
    award = award_queries.find_award(user, pk, request)
    done, message = run_action(user, award, name, request)
    (messages.success if done else messages.error)(request, message)
    return redirect("payments:award_detail", pk=pk)
