"""Staff and resident pages of the registry: thin views over `queries`."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from doudi.assessments.queries import latest_for
from doudi.cases.queries import household_cases
from doudi.payments.permissions import READING_ROLES
from doudi.payments.queries import awards_for_household
from doudi.privacy import access
from doudi.privacy.choices import Purpose, Role
from doudi.privacy.models import User
from doudi.registry import queries, statistics

PAGE_SIZE = 25


class HtmxHttpRequest(HttpRequest):
    """A request after django-htmx's middleware has added `htmx`."""

    htmx: HtmxDetails


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not access.can_read_registry(user):
        raise PermissionDenied(_("Your role has no access to the registry."))
    return user


@login_required
@require_GET
def household_list(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    query = request.GET.get("q", "")
    error = ""
    if len(query) > queries.MAX_QUERY_LENGTH:
        error = _("Search text is too long: type at most %(limit)d characters.") % {
            "limit": queries.MAX_QUERY_LENGTH
        }
    households, kind = queries.search_households(user, "" if error else query)
    if error:
        households, query = households.none(), ""
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = queries.household_rows(user, list(page.object_list), request)
    if query.strip():
        queries.audit_search(user, kind, page.paginator.count, request)
    # Only the search form's own requests get the table alone. History restores
    # (htmx re-fetching a pushed URL) and plain loads get the whole page.
    fragment = bool(request.htmx) and request.htmx.target == "households"
    context = {
        "page": page,
        "rows": rows,
        "query": query,
        "search_error": error,
        "search_kind": kind,
        "can_export": access.can_export(user),
        "fragment": fragment,
    }
    if fragment:
        template = "registry/_household_table.html"
    else:
        template = "registry/household_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    view = queries.open_household(user, pk, request)
    assessments = latest_for(pk)
    context = {
        "household": view,
        "assessments": assessments,
        "can_open_case": user.is_active and user.role == Role.COMMUNITY_WORKER,
        "cases": household_cases(user, view.row.pk),
        # Awards show money, so only the roles that decide on them see them.
        "show_awards": user.role in READING_ROLES,
        "awards": awards_for_household(user, view.row.pk),
        "can_reveal": access.can_reveal_full_id(user),
        "purposes": [Purpose.CASE_WORK, Purpose.VERIFICATION, Purpose.MONITORING],
    }
    return render(request, "registry/household_detail.html", context)


@login_required
@require_POST
def reveal_resident_id(request: HtmxHttpRequest, person_pk: int) -> HttpResponse:
    user = _user(request)
    purpose_value = request.POST.get("purpose", "")
    if purpose_value not in Purpose.values or purpose_value == Purpose.SYSTEM:
        return HttpResponse(_("Choose why you need the full number."), status=400)
    value = queries.reveal_resident_id(user, person_pk, Purpose(purpose_value), request)
    if request.htmx:
        return render(request, "registry/_revealed_id.html", {"value": value})
    # Without JavaScript the form posts normally, so return a whole page.
    household = request.POST.get("household", "")
    household_pk = int(household) if household.isdecimal() else None
    context = {"value": value, "household_pk": household_pk}
    return render(request, "registry/revealed_id_page.html", context)


@login_required
@require_GET
def export_households(request: HttpRequest) -> StreamingHttpResponse:
    user = _user(request)
    rows = queries.export_households(user, request)
    buffer = _Echo()
    writer = csv.writer(buffer)
    response = StreamingHttpResponse(
        ("\ufeff" if i == 0 else "") + writer.writerow(row)
        for i, row in enumerate(rows)
    )
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = 'attachment; filename="households.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def region_statistics(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not access.is_staff_role(user):
        raise PermissionDenied(_("Only staff read the registry statistics."))
    rows = statistics.counts_by_child_region(user)
    return render(request, "registry/statistics.html", {"rows": rows})
