"""Asking for help: the form with its autosaved draft, and the resident's requests."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from doudi.portal import help as help_requests
from doudi.portal import status
from doudi.portal.accounts import (
    assisting_worker,
    current_account,
    portal_login_required,
)
from doudi.portal.choices import RequestStatus
from doudi.portal.forms import HelpRequestForm
from doudi.portal.models import HelpRequest, PortalAccount


def _account(request: HttpRequest) -> PortalAccount:
    account = current_account(request)
    assert account is not None, "portal_login_required lets only residents in"
    return account


@require_GET
@portal_login_required
def help_new(request: HttpRequest) -> HttpResponse:
    """Start a new form under a fresh idempotency key."""
    return redirect("portal:help_form", key=uuid.uuid4())


def _initial(draft: HelpRequest | None) -> dict[str, str]:
    if draft is None:
        return {}
    names = ("who", "kind", "urgency", "contact_method", "contact_phone", "details")
    return {name: getattr(draft, name) or "" for name in names}


@require_GET
@portal_login_required
def help_form(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    account = _account(request)
    draft = help_requests.find_draft(account, key)
    if draft is not None and draft.status != RequestStatus.DRAFT:
        return redirect("portal:request_detail", pk=draft.pk)
    form = HelpRequestForm(initial=_initial(draft))
    return _render_form(request, key, form)


def _render_form(
    request: HttpRequest, key: uuid.UUID, form: HelpRequestForm, status_code: int = 200
) -> HttpResponse:
    context = {"form": form, "key": key, "assisting": assisting_worker(request)}
    return render(request, "portal/help_form.html", context, status=status_code)


@require_POST
@portal_login_required
def save_draft(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """Store the form as typed so far (htmx, on each change)."""
    try:
        help_requests.save_draft(_account(request), key, request.POST)
    except ValidationError as error:
        context = {"error": " ".join(error.messages)}
        return render(request, "portal/_draft_status.html", context, status=429)
    saved = {"saved_at": timezone.localtime()}
    return render(request, "portal/_draft_status.html", saved)


@require_POST
@portal_login_required
def submit(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    account = _account(request)
    form = HelpRequestForm(request.POST, request.FILES)
    if not form.is_valid():
        help_requests.save_draft(account, key, request.POST)
        return _render_form(request, key, form, status_code=400)
    try:
        help_request, _sent = help_requests.submit(
            account,
            key,
            form.cleaned_data,
            uploads=form.cleaned_data.get("documents") or [],
            assisted_by=assisting_worker(request),
            request=request,
        )
    except ValidationError as error:
        help_requests.save_draft(account, key, request.POST)
        form.add_error(None, error)
        return _render_form(request, key, form, status_code=400)
    return redirect("portal:request_detail", pk=help_request.pk)


@require_GET
@portal_login_required
def request_list(request: HttpRequest) -> HttpResponse:
    requests = help_requests.requests_of(_account(request))
    return render(request, "portal/request_list.html", {"requests": requests})


@require_GET
@portal_login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = help_requests.request_of(_account(request), pk)
    context = {
        "help_request": help_request,
        "now_words": status.current_words(help_request),
        "timeline": status.timeline(help_request),
    }
    return render(request, "portal/request_detail.html", context)
