"""Pages of the warning work: thin views over `queries`, `actions` and services."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from doudi.cases.deadlines import DeadlineStatus
from doudi.core.security import allow_chart_scripts
from doudi.monitoring import lifecycle, officer, permissions, queries, weights
from doudi.monitoring.actions import ACTIONS, page_actions, run_action
from doudi.monitoring.forms import WeightsForm
from doudi.monitoring.models import WarningKind, WarningStatus
from doudi.privacy.models import User

logger = logging.getLogger(__name__)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in to work on warnings."))
    return user


def _deadline_choices() -> list[tuple[str, str]]:
    return [
        (DeadlineStatus.OVERDUE.value, _("Overdue")),
        (DeadlineStatus.NEARLY_DUE.value, _("Nearly due")),
        (DeadlineStatus.ON_TIME.value, _("On time")),
    ]


@login_required
@never_cache
@require_GET
def warning_list(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    filters = queries.WarningFilters(
        status=request.GET.get("status", queries.OPEN),
        kind=request.GET.get("kind", ""),
        category=request.GET.get("category", ""),
        deadline=request.GET.get("deadline", ""),
    )
    today = timezone.localdate()
    page, rows = queries.work_list_page(
        user, filters, request.GET.get("page"), today, request
    )
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "page_query": urlencode(
            {key: value for key, value in request.GET.items() if key != "page"}
        ),
        "statuses": WarningStatus.choices,
        "kinds": WarningKind.choices,
        "categories": queries.categories(user),
        "deadlines": _deadline_choices(),
    }
    fragment = bool(request.htmx) and request.htmx.target == "warnings"
    template = (
        "monitoring/_warning_table.html" if fragment else "monitoring/warning_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@never_cache
@require_GET
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_warning(request, _user(request), pk)


def _render_warning(
    request: HttpRequest,
    user: User,
    pk: int,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    view = queries.open_warning_page(user, pk, timezone.localdate(), request)
    context = {
        "view": view,
        "warning": view.warning,
        "actions": page_actions(view.actions, view.warning, view.assignees, bound),
    }
    return render(request, "monitoring/warning_detail.html", context, status=status)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one action from the warning page; errors come back beside its form."""
    user = _user(request)
    if action not in ACTIONS:
        return HttpResponse(_("Unknown action."), status=404)
    warning = lifecycle.load(pk)
    workers = list(permissions.workers_of(warning))
    result = run_action(user, warning, workers, action, request)
    if result.redirect_to is not None:
        messages.success(request, result.message)
        return redirect(result.redirect_to)
    if result.status == HTTPStatus.CONFLICT:
        # The warning moved on, so the form that was sent may be gone.
        messages.error(request, result.message)
    return _render_warning(
        request, user, pk, (action, result.form), status=result.status
    )


def _weights_form(data: object = None) -> WeightsForm:
    rows = officer.signal_rows()
    signals = [
        (row.code, row.reason, row.weight) for row in rows if row.weight is not None
    ]
    return WeightsForm(data, signals=signals)


@allow_chart_scripts
@login_required
@never_cache
@require_GET
def signals(request: HttpRequest) -> HttpResponse:
    """Show the policy officer's page: outcomes per signal, weights, fairness."""
    user = _user(request)
    page = officer.signal_page(user, timezone.localdate(), request)
    context = {"page": page, "form": _weights_form(), "preview": None}
    return render(request, "monitoring/signals.html", context)


@login_required
@require_POST
def preview_weights(request: HtmxHttpRequest) -> HttpResponse:
    """Show what the next scan would raise under the typed weights (htmx)."""
    user = _user(request)
    officer.require_officer(user)
    form = _weights_form(request.POST)
    preview = None
    status = 400
    if form.is_valid():
        try:
            preview = weights.preview(user, form.weights())
            status = 200
        except ValidationError as error:
            form.add_error(None, error)
    context = {"form": form, "preview": preview}
    return render(request, "monitoring/_weights.html", context, status=status)


@login_required
@require_POST
def save_weights(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    officer.require_officer(user)
    form = _weights_form(request.POST)
    if form.is_valid():
        try:
            changed = weights.save_weights(user, form.weights(), request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _saved_message(len(changed)))
            return redirect("monitoring:signals")
    page = officer.signal_page(user, timezone.localdate(), request)
    context = {"page": page, "form": form, "preview": None}
    return render(request, "monitoring/signals.html", context, status=400)


def _saved_message(count: int) -> str:
    if count == 0:
        return _("No weight changed.")
    return _("Saved the changed weights: %(count)d.") % {"count": count}
