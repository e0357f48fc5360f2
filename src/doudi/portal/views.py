"""Portal home, sign-in with a one-time code, and sign-out."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from doudi.portal import help as help_requests
from doudi.portal import phone as phones
from doudi.portal import signin
from doudi.portal.accounts import (
    ACCOUNT_KEY,
    ASSISTED_BY_KEY,
    assisting_worker,
    current_account,
    linked_household,
)
from doudi.portal.forms import CodeForm, PhoneForm
from doudi.portal.limits import limit

PENDING_PHONE_KEY = "portal_pending_phone"
NEXT_KEY = "portal_next"
ASSIST_PENDING_KEY = "portal_assist_pending"


def home(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    context: dict[str, object] = {
        "account": account,
        "assisting": assisting_worker(request),
    }
    if account is not None:
        context["household"] = linked_household(account)
        context["requests"] = help_requests.requests_of(account)[:3]
    return render(request, "portal/home.html", context)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_path = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_path, allowed_hosts={request.get_host()}):
        request.session[NEXT_KEY] = next_path
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            normalized = signin.request_code(form.cleaned_data["phone"], request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[PENDING_PHONE_KEY] = normalized
            return redirect("portal:enter_code")
    return render(request, "portal/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
def enter_code(request: HttpRequest) -> HttpResponse:
    normalized = request.session.get(PENDING_PHONE_KEY)
    if not isinstance(normalized, str):
        return redirect("portal:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = signin.verify_code(normalized, form.cleaned_data["code"], request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _signed_in(request, account.pk)
    context = {
        "form": form,
        "masked_phone": phones.mask(normalized),
        "minutes": limit("PORTAL_CODE_SECONDS") // 60,
    }
    return render(request, "portal/enter_code.html", context)


def _signed_in(request: HttpRequest, account_id: int) -> HttpResponse:
    next_path = request.session.pop(NEXT_KEY, "") or ""
    assist_for = request.session.pop(ASSIST_PENDING_KEY, None)
    request.session.pop(PENDING_PHONE_KEY, None)
    # A new session key on sign-in, so a key planted before it is worthless.
    request.session.cycle_key()
    request.session[ACCOUNT_KEY] = account_id
    if assist_for is not None and getattr(request.user, "pk", None) == assist_for:
        request.session[ASSISTED_BY_KEY] = assist_for
    return redirect(next_path or "portal:home")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    for key in (ACCOUNT_KEY, ASSISTED_BY_KEY, PENDING_PHONE_KEY):
        request.session.pop(key, None)
    if not request.user.is_authenticated:
        request.session.flush()
    return redirect("portal:home")
