"""Pages of the verification app: thin views over `queries` and `services`."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doudi.privacy.models import User
from doudi.registry.models import Household, Person
from doudi.verification import pdf, queries, services
from doudi.verification.forms import AuthorisationForm, VerifyForm
from doudi.verification.models import Authorisation, RequestPurpose

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in to read verification records."))
    return user


def _household(pk: int) -> Household:
    return get_object_or_404(Household.objects.select_related("region"), pk=pk)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def household(request: HttpRequest, pk: int) -> HttpResponse:
    """Show authorisations and reports; a POST records an authorisation."""
    user = _user(request)
    page = queries.household_page(user, pk, request)
    today = timezone.localdate()
    form = AuthorisationForm(request.POST or None, members=page.members, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            _record(user, pk, form)
        except ValidationError as error:
            logger.info("authorisation for household %s rejected: invalid form", pk)
            form.add_error(None, error)
        else:
            messages.success(request, _("The authorisation was recorded."))
            return redirect("verification:household", pk=pk)
    context = {
        "page": page,
        "form": form,
        "verify_form": VerifyForm(
            initial={"as_of": today, "purpose": RequestPurpose.APPLICATION}
        ),
        "can_record": user.role in services.AUTHORISATION_ROLES,
    }
    return render(request, "verification/household.html", context)


def _record(user: User, pk: int, form: AuthorisationForm) -> None:
    data = form.cleaned_data
    people = Person.objects.in_bulk([data["signed_by"], *data["members"]])
    services.record_authorisation(
        user,
        _household(pk),
        signed_by=people[data["signed_by"]],
        members=[people[person_id] for person_id in data["members"]],
        data_kinds=data["data_kinds"],
        signed_on=data["signed_on"],
        valid_until=data["valid_until"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to confirm (GET), then revoke (POST): a revocation cannot be undone."""
    user = _user(request)
    authorisation = get_object_or_404(Authorisation, pk=pk)
    if request.method == "GET":
        services.require_can_revoke(user, authorisation)
        context = {"authorisation": authorisation}
        return render(request, "verification/revoke_confirm.html", context)
    try:
        services.revoke_authorisation(user, authorisation)
    except ValidationError as error:
        logger.info("revoking authorisation %s failed", authorisation.pk)
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The authorisation was revoked."))
    return redirect("verification:household", pk=authorisation.household_id)


@login_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify the household now; a refusal returns to the page with the reason."""
    user = _user(request)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a date and a purpose for the check."))
        return redirect("verification:household", pk=pk)
    try:
        made = services.verify_household(
            user,
            _household(pk),
            as_of=form.cleaned_data["as_of"],
            purpose=RequestPurpose(form.cleaned_data["purpose"]),
        )
    except (services.VerificationRefused, ValidationError) as error:
        logger.info(
            "verification of household %s rejected: %s", pk, type(error).__name__
        )
        text = error.messages if isinstance(error, ValidationError) else [str(error)]
        messages.error(request, " ".join(text))
        return redirect("verification:household", pk=pk)
    return redirect("verification:report", pk=made.pk)


@login_required
@never_cache
@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    page = queries.open_report(_user(request), pk, request, "html")
    return render(request, "verification/report.html", {"report": page})


@login_required
@never_cache
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    page = queries.open_report(_user(request), pk, request, "pdf")
    response = HttpResponse(pdf.render_report(page), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="verification-{pk}.pdf"'
    return response
