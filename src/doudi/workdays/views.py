"""The city administrator's page of official holiday schedules.

Only city administrators open it, and other users get 403.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doudi.workdays import services
from doudi.workdays.forms import ScheduleUploadForm
from doudi.workdays.schedule_file import ScheduleFileInvalid
from doudi.workdays.years import special_days, year_status, year_statuses

logger = logging.getLogger(__name__)

# The page lists the current year and this many years after it.
YEARS_AHEAD = 2


@login_required
@require_GET
def schedule_list(request: HttpRequest) -> HttpResponse:
    services.require_city_admin(request.user)
    year = _chosen_year(request.GET.get("year", ""))
    form = ScheduleUploadForm(initial={"year": year})
    return _page(request, form, year)


@login_required
@require_POST
def load(request: HttpRequest) -> HttpResponse:
    user = services.require_city_admin(request.user)
    form = ScheduleUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, _chosen_year(request.POST.get("year", "")), 400)
    year = form.cleaned_data["year"]
    try:
        result = services.load_schedule(
            year,
            form.file_bytes(),
            source=form.cleaned_data["source"],
            actor=user,
            request=request,
        )
    except ScheduleFileInvalid as error:
        logger.warning("schedule %d from user %s rejected", year, user.pk)
        return _page(request, form, year, 400, file_errors=error.errors)
    message = _("Schedule of %(year)d: %(outcome)s.")
    messages.success(request, message % {"year": year, "outcome": result.outcome.label})
    return redirect(f"{reverse('workdays:schedules')}?year={year}")


def _chosen_year(text: str) -> int:
    this_year = timezone.localdate().year
    if not text.isdigit():
        return this_year
    year = int(text)
    return this_year if services.year_problem(year) else year


def _page(
    request: HttpRequest,
    form: ScheduleUploadForm,
    year: int,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    this_year = timezone.localdate().year
    selected = year_status(year)
    context = {
        "form": form,
        "statuses": year_statuses(range(this_year, this_year + YEARS_AHEAD + 1)),
        "selected": selected,
        "days": special_days(selected),
        **extra,
    }
    return render(request, "workdays/schedules.html", context, status=status)
