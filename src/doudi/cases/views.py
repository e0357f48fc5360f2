"""Pages of the cases app: thin views over `queries`, `actions` and `services`."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from doudi.assessments.models import Scheme
from doudi.cases import queries, services
from doudi.cases.actions import ACTIONS, blank_forms, page_actions, run_action
from doudi.cases.deadlines import DeadlineStatus
from doudi.cases.forms import NewCaseForm, SurveyForm
from doudi.cases.models import PublicNotice, Step
from doudi.cases.survey_page import investigator_choices, visit_from
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Region

logger = logging.getLogger(__name__)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in to work on cases."))
    return user


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not queries.can_use_queue(user):
        raise PermissionDenied(_("Your role has no work queue."))
    return user


@login_required
@never_cache
@require_GET
def queue(request: HtmxHttpRequest) -> HttpResponse:
    user = _staff(request)
    filters = queries.QueueFilters(
        step=request.GET.get("step", "mine"),
        status=request.GET.get("status", ""),
        scheme=request.GET.get("scheme", ""),
        region=request.GET.get("region", ""),
    )
    today = timezone.localdate()
    page, rows = queries.queue_page(
        user, filters, request.GET.get("page"), today, request
    )
    fragment = bool(request.htmx) and request.htmx.target == "queue"
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "page_query": urlencode(
            {key: value for key, value in request.GET.items() if key != "page"}
        ),
        "steps": Step.choices,
        "statuses": [(s.value, _status_label(s)) for s in DeadlineStatus],
        "schemes": Scheme.choices,
        "regions": queries.region_options(user),
        "can_open": user.role == Role.COMMUNITY_WORKER,
        "today": today,
    }
    template = "cases/_queue_table.html" if fragment else "cases/queue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _status_label(status: DeadlineStatus) -> str:
    labels = {
        DeadlineStatus.OVERDUE: _("Overdue"),
        DeadlineStatus.NEARLY_DUE: _("Nearly due"),
        DeadlineStatus.ON_TIME: _("On time"),
        DeadlineStatus.NONE: _("No deadline yet"),
    }
    return labels[status]


@login_required
@never_cache
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return _render_case(request, user, pk)


def _render_case(
    request: HttpRequest,
    user: User,
    pk: int,
    bound: tuple[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    view = queries.open_case_page(user, pk, today, request)
    forms = blank_forms(view.case, view.recommendation)
    if bound is not None:
        forms[bound[0]] = bound[1]
    context = {
        "view": view,
        "case": view.case,
        "actions": page_actions(view.actions, forms),
        "today": today,
        "allowed": {action.value for action in view.actions},
    }
    return render(request, "cases/case_detail.html", context, status=status)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one action from the case page; errors come back beside its form."""
    user = _user(request)
    if action not in ACTIONS:
        return HttpResponse(_("Unknown action."), status=404)
    outcome = run_action(user, pk, action, request)
    if outcome.redirect_to is not None:
        messages.success(request, outcome.message)
        return redirect(outcome.redirect_to)
    if outcome.message:
        messages.error(request, outcome.message)
    return _render_case(
        request, user, pk, (action, outcome.form), status=outcome.status
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest) -> HttpResponse:
    """Open a case from a walk-in request, a warning or a referral."""
    user = _user(request)
    initial = {"household": request.GET.get("household") or None}
    form = NewCaseForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, created = services.open_case(
                user,
                household_id=data["household"],
                scheme=data["scheme"],
                channel=data["channel"],
                declaration=form.declaration(),
                source_reference=data["source_reference"],
                delegated=data["delegated"],
                request=request,
            )
        except ValidationError as error:
            logger.info("new case rejected: invalid request")
            form.add_error(None, error)
            status = 400
        except (PermissionDenied, Http404) as error:
            # Keep what was typed: the household number is the likely slip.
            logger.info("new case rejected: household %s refused", data["household"])
            form.add_error("household", str(error))
            status = 403 if isinstance(error, PermissionDenied) else 404
        else:
            if created:
                messages.success(request, _("The case was opened."))
            else:
                messages.info(
                    request,
                    _("This household already has an open case for this scheme."),
                )
            return redirect("cases:case_detail", pk=case.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "cases/new_case.html", {"form": form}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the visit form, laid out for a phone, and record the survey."""
    user = _user(request)
    view = queries.open_case_page(user, pk, timezone.localdate(), request)
    choices = investigator_choices(view.case)
    initial = {
        "version": view.case.version,
        "visited_on": timezone.localdate(),
        "investigators": [user.pk],
    }
    form = SurveyForm(request.POST or None, investigators=choices, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.record_survey(
                    user,
                    pk,
                    version=form.cleaned_data["version"],
                    visit=visit_from(form.cleaned_data),
                    request=request,
                )
            except (services.CaseError, ValidationError) as error:
                logger.info("survey of case %s rejected: %s", pk, type(error).__name__)
                form.add_error(None, _messages_of(error))
                status = 409 if isinstance(error, services.StaleCase) else 400
            else:
                messages.success(request, _("The household survey was recorded."))
                return redirect("cases:case_detail", pk=pk)
    context = {"view": view, "case": view.case, "form": form}
    return render(request, "cases/survey_form.html", context, status=status)


def _messages_of(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@require_GET
def notice_board(request: HttpRequest, street_code: str) -> HttpResponse:
    """Show a street's running public notices to anyone, without signing in.

    A notice shows only the head's masked name, the household size and the
    amount, which is all the law lets a notice publish.
    """
    street = get_object_or_404(Region, code=street_code, level="street")
    today = timezone.localdate()
    notices = PublicNotice.objects.filter(
        street=street, starts_on__lte=today, ends_on__gte=today, closed_on__isnull=True
    ).order_by("starts_on", "pk")
    context = {"street": street, "notices": notices, "today": today}
    return render(request, "cases/notice_board.html", context)


@login_required
@never_cache
@require_GET
def document(request: HttpRequest, pk: int) -> FileResponse:
    """Send one document to staff of its region, as a download, audited."""
    found, content = services.open_document(_user(request), pk, request)
    suffix = Path(found.stored_name).suffix
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"case-{found.case_id}-document-{found.pk}{suffix}",
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
