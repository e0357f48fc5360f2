"""Sign-in with a second factor and throttling; the auditor's log page."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from doudi.privacy import access, audit, throttle
from doudi.privacy.choices import AuditAction, Purpose, Role
from doudi.privacy.forms import SignInForm
from doudi.privacy.models import AuditEntry, User


def _next_url(request: HttpRequest, user: User) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    if user.role == Role.AUDITOR:
        return reverse("privacy:audit_log")
    if not access.can_read_registry(user):
        return reverse("registry:statistics")
    return reverse(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        error, user = _authenticate(request, form.cleaned_data)
        if user is not None:
            return HttpResponseRedirect(_next_url(request, user))
    status = 400 if error else 200
    return render(
        request, "privacy/sign_in.html", {"form": form, "error": error}, status=status
    )


def _authenticate(
    request: HttpRequest, data: dict[str, str]
) -> tuple[str, User | None]:
    username, ip = data["username"], audit.client_ip(request)
    if throttle.is_locked(username, ip):
        _audit_failure(request, username, reason="locked")
        return _locked_message(), None
    user = authenticate(request, username=username, password=data["password"])
    token = data.get("otp_token", "").strip()
    device = _verified_device(user, token) if user else None
    needs_device = isinstance(user, User) and _needs_second_factor(user)
    # A code that was typed must be right even where the code is optional.
    wrong_code = bool(token) and device is None
    if not isinstance(user, User) or (needs_device and device is None) or wrong_code:
        throttle.record_failure(username, ip)
        _audit_failure(request, username, reason="credentials")
        return _("User name, password or code is wrong."), None
    # Only the account's count is cleared: clearing the address's count too
    # would let one good account reset the lock on guessing at others.
    throttle.clear_account(username)
    login(request, user)
    if device is not None:
        otp_login(request, device)
    audit.record(
        actor=user,
        action=AuditAction.LOGIN,
        object_type="privacy.user",
        object_id=user.pk,
        purpose=Purpose.SYSTEM,
        request=request,
        detail={"second_factor": device is not None},
    )
    return "", user


def _audit_failure(request: HttpRequest, username: str, *, reason: str) -> None:
    # The entry names a known account by its id and never stores the typed
    # user name, which may be a password typed into the wrong field.
    known = User.objects.filter(username=username).values_list("pk", flat=True).first()
    audit.record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="privacy.user",
        object_id=known or "",
        purpose=Purpose.SYSTEM,
        request=request,
        detail={"reason": reason},
    )


def _needs_second_factor(user: User) -> bool:
    return user.role != Role.RESIDENT and bool(settings.OTP_REQUIRED)


def _locked_message() -> str:
    minutes = math.ceil(settings.LOGIN_LOCKOUT_SECONDS / 60)
    return ngettext(
        "Too many failed sign-ins. Wait %(minutes)d minute and try again.",
        "Too many failed sign-ins. Wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}


def _verified_device(user: object, token: str) -> TOTPDevice | None:
    token = token.strip().replace(" ", "")
    if not token or not isinstance(user, User):
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User):
        audit.record(
            actor=request.user,
            action=AuditAction.LOGOUT,
            object_type="privacy.user",
            object_id=request.user.pk,
            purpose=Purpose.SYSTEM,
            request=request,
        )
    logout(request)
    return redirect("privacy:login")


def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('privacy:login')}?next={request.path}")
    if not access.can_read_audit(request.user):
        raise PermissionDenied(_("Only auditors read the audit log."))
    entries = AuditEntry.objects.order_by("-id")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    report = audit.verify() if request.GET.get("verify") else None
    audit.record(
        actor=request.user if isinstance(request.user, User) else None,
        action=AuditAction.READ,
        object_type="privacy.auditentry",
        purpose=Purpose.AUDIT,
        request=request,
        record_count=len(page.object_list),
        detail={"page": page.number, "action": action, "verified": report is not None},
    )
    return render(
        request,
        "privacy/audit_log.html",
        {
            "page": page,
            "report": report,
            "actions": AuditAction.choices,
            "action": action,
        },
    )
