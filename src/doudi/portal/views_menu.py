"""Pages of the personal menu, the one-step application and the screener."""

from __future__ import annotations

import logging
from typing import Final

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doudi.assessments.models import Scheme
from doudi.cases.models import Case, CaseKind
from doudi.policy.explain import format_yuan
from doudi.policy.parameters import ParameterNotFound
from doudi.policychanges.effective import effective_parameters
from doudi.portal import menu as menu_service
from doudi.portal import ratelimit
from doudi.portal.accounts import (
    assisting_worker,
    current_account,
    linked_household,
    portal_login_required,
)
from doudi.portal.forms_menu import ApplyForm, ScreenerForm
from doudi.portal.screener import AnswerError, SchemeResult, screen
from doudi.privacy import audit
from doudi.privacy.choices import AuditAction, Purpose
from doudi.privacy.models import User
from doudi.registry.models import Household
from doudi.services.queries import nearby_services

logger = logging.getLogger(__name__)

NEARBY_SERVICES_SHOWN: Final = 8
# Applications one account may send from the menu per hour.
APPLICATIONS_PER_HOUR: Final = 20


def _household_and_actor(request: HttpRequest) -> tuple[Household | None, User | None]:
    """Return the linked household and who acts for it: the worker when assisting."""
    account = current_account(request)
    household = linked_household(account) if account is not None else None
    worker = assisting_worker(request)
    if worker is not None:
        return household, worker
    actor = account.user if account is not None else None
    return household, actor


@require_GET
@portal_login_required
def menu(request: HttpRequest) -> HttpResponse:
    household, _actor = _household_and_actor(request)
    if household is None:
        return render(request, "portal/menu_unlinked.html")
    worker = assisting_worker(request)
    if worker is not None:
        # A community worker serving the resident reads the household's menu.
        audit.record(
            actor=worker,
            action=AuditAction.READ,
            object_type="registry.household",
            object_id=household.pk,
            purpose=Purpose.CASE_WORK,
            request=request,
            detail={"page": "portal_menu"},
        )
    context = {
        "menu": menu_service.personal_menu(household),
        "services": nearby_services(household.region, limit=NEARBY_SERVICES_SHOWN),
    }
    return render(request, "portal/menu.html", context)


@require_POST
@portal_login_required
def apply(request: HttpRequest) -> HttpResponse:
    household, actor = _household_and_actor(request)
    form = ApplyForm(request.POST)
    if household is None or actor is None or not form.is_valid():
        raise Http404
    if not ratelimit.hit(
        "menu-apply", str(actor.pk), limit=APPLICATIONS_PER_HOUR, window_seconds=3600
    ):
        return render(request, "portal/menu_busy.html", status=429)
    scheme = form.cleaned_data["scheme"]
    try:
        menu_service.apply(
            actor,
            household,
            scheme,
            assisted=assisting_worker(request) is not None,
            request=request,
        )
    except (PermissionDenied, ValidationError) as error:
        logger.info("menu application for household %s rejected", household.pk)
        text = (
            " ".join(error.messages)
            if isinstance(error, ValidationError)
            else str(error)
        )
        return render(request, "portal/menu_error.html", {"error": text}, status=403)
    return HttpResponseRedirect(reverse("portal:menu_applied", args=[scheme]))


@require_GET
@portal_login_required
def applied(request: HttpRequest, scheme: str) -> HttpResponse:
    household, _actor = _household_and_actor(request)
    if household is None or scheme not in Scheme.values:
        raise Http404
    case = (
        Case.objects.filter(
            household=household, scheme=scheme, kind=CaseKind.APPLICATION
        )
        .order_by("-opened_at")
        .first()
    )
    if case is None:
        raise Http404
    context = {
        "case": case,
        "label": Scheme(scheme).label,
        "documents": menu_service.documents_for(scheme),
    }
    return render(request, "portal/menu_applied.html", context)


@require_http_methods(["GET", "POST"])
def screener(request: HttpRequest) -> HttpResponse:
    """Answer the screener's questions; nothing is stored, not even in the session."""
    form = ScreenerForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "portal/screener.html", context)
    answers = form.answers()
    try:
        results = screen(
            answers,
            effective_parameters(),
            city=settings.DOUDI_CITY,
            on=timezone.localdate(),
        )
    except AnswerError:
        # The form checks the same limits, so this is a bug. The log line
        # leaves the answers out.
        logger.exception("screener rejected input that its form had validated")
        form.add_error(None, _("Check the numbers of people and try again."))
        return render(request, "portal/screener.html", context)
    except ParameterNotFound:
        logger.warning("screener: no parameters for district %s", answers.district_code)
        return render(request, "portal/screener_unavailable.html", status=503)
    context.update(_results(results))
    return render(request, "portal/screener.html", context)


def _results(results: list[SchemeResult]) -> dict[str, object]:
    qualifying = [
        {
            "scheme": result.scheme,
            "label": Scheme(result.scheme).label,
            "amount": format_yuan(result.amount_fen) if result.amount_fen else "",
            "reasons": menu_service.reasons_for(
                result.row, result.scheme, from_answers=True
            ),
            "documents": menu_service.documents_for(result.scheme),
        }
        for result in results
        if result.eligible
    ]
    others = [Scheme(result.scheme).label for result in results if not result.eligible]
    return {"results": qualifying, "others": others, "answered": True}
