"""Pages of the payment rolls: thin views over `queries` and the services."""

from __future__ import annotations

import hashlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from doudi.payments import queries
from doudi.payments.bankfile import EXPORTABLE, export_bank_file
from doudi.payments.forms import ResultsForm, SignForm
from doudi.payments.models import PaymentLine, PaymentRoll, ResultsImport, RollStatus
from doudi.payments.reconcile import IMPORTABLE, import_results
from doudi.payments.rolls import compute_roll, scheme_totals, sign_roll
from doudi.privacy.choices import Role
from doudi.privacy.models import User

logger = logging.getLogger(__name__)

LINES_PER_PAGE = 50


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not queries.can_read_rolls(user):
        raise PermissionDenied(_("Only district approvers read payment rolls."))
    return user


@login_required
@require_GET
def roll_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rolls = queries.rolls_for(user)
    page = Paginator(rolls, LINES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "payments/roll_list.html", {"page": page})


@login_required
@never_cache
@require_GET
def roll_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Show the roll; the pager's htmx requests get the lines table alone."""
    user = _user(request)
    roll = queries.open_roll(user, pk, request)
    lines = Paginator(queries.roll_lines(roll), LINES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    if request.htmx and request.htmx.target == "lines":
        response = render(
            request, "payments/_lines.html", {"roll": roll, "lines": lines}
        )
    else:
        response = render(
            request, "payments/roll_detail.html", _context(user, roll, lines)
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _context(
    user: User, roll: PaymentRoll, lines: Page[PaymentLine]
) -> dict[str, object]:
    return {
        "roll": roll,
        "lines": lines,
        "totals": scheme_totals(roll),
        "summary": queries.reconciliation(roll),
        "can_act": user.role == Role.DISTRICT_APPROVER,
        "is_draft": roll.status == RollStatus.DRAFT,
        "exportable": roll.status in EXPORTABLE,
        "importable": roll.status in IMPORTABLE,
        "sign_form": SignForm(initial={"version": roll.version}),
        "results_form": ResultsForm(),
    }


def _fail(
    request: HttpRequest, pk: int, step: str, error: ValidationError
) -> HttpResponse:
    logger.info("roll %s: %s rejected", pk, step)
    messages.error(request, " ".join(error.messages))
    return redirect("payments:roll_detail", pk=pk)


@login_required
@require_POST
def compute(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    roll = queries.open_roll(user, pk)
    try:
        compute_roll(roll.district_code, roll.month, actor=user)
    except ValidationError as error:
        return _fail(request, pk, "compute", error)
    messages.success(request, _("The draft roll was computed again."))
    return redirect("payments:roll_detail", pk=pk)


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    roll = queries.open_roll(user, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _fail(
            request, pk, "sign", ValidationError(_("Reload the page and sign again."))
        )
    try:
        sign_roll(roll, actor=user, version=form.cleaned_data["version"])
    except ValidationError as error:
        return _fail(request, pk, "sign", error)
    messages.success(request, _("The roll is signed; its lines can no longer change."))
    return redirect("payments:roll_detail", pk=pk)


@login_required
@require_POST
def export(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    roll = queries.open_roll(user, pk)
    try:
        bank_file = export_bank_file(roll, actor=user)
    except ValidationError as error:
        return _fail(request, pk, "export", error)
    response = HttpResponse(bank_file.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{bank_file.name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def upload_results(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    roll = queries.open_roll(user, pk)
    form = ResultsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _fail(
            request, pk, "results", ValidationError(list(form.errors["results"]))
        )
    upload = form.cleaned_data["results"]
    content = upload.read()
    repeated = ResultsImport.objects.filter(
        roll=roll, checksum=hashlib.sha256(content).hexdigest()
    ).exists()
    try:
        record = import_results(roll, content, file_name=upload.name or "", actor=user)
    except ValidationError as error:
        return _fail(request, pk, "results", error)
    if repeated:
        messages.info(request, _("This file was imported before; nothing changed."))
        return redirect("payments:roll_detail", pk=pk)
    messages.success(
        request,
        _(
            "Results recorded: %(paid)s paid, %(failed)s failed, "
            "%(unknown)s unknown line ids."
        )
        % {
            "paid": record.paid,
            "failed": record.failed,
            "unknown": len(record.unknown_line_ids),
        },
    )
    return redirect("payments:roll_detail", pk=pk)
