"""Inbox pages for residents and staff, and the resident's preferences page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doudi.notifications import services
from doudi.notifications.choices import Language
from doudi.notifications.forms import PreferenceForm, initial_for
from doudi.portal.accounts import current_account, sign_in_url
from doudi.privacy.choices import Role
from doudi.privacy.models import User


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required ran first
    return request.user


def signed_in_resident(request: HttpRequest) -> User | None:
    """Return the resident account of this request, if a resident is signed in.

    Residents sign in to the portal with a phone, which keeps the linked
    account in the session. A resident account signed in through Django's
    own sign-in counts too.
    """
    account = current_account(request)
    if account is not None and account.user is not None:
        return account.user
    user = request.user
    if isinstance(user, User) and user.role == Role.RESIDENT and user.person_id:
        return user
    return None


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if user.role == Role.RESIDENT:
        raise PermissionDenied(_("This page is for staff."))
    return user


ResidentView = Callable[[HttpRequest, User], HttpResponse]


def resident_required(view: ResidentView) -> Callable[[HttpRequest], HttpResponse]:
    """Call `view` with the signed-in resident, or send the visitor to sign in.

    A portal session whose phone is not yet linked to a person goes to the
    linking page, and signed-in staff get 403.
    """

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        resident = signed_in_resident(request)
        if resident is not None:
            return view(request, resident)
        if current_account(request) is not None:
            return redirect("portal:link")
        if request.user.is_authenticated:
            raise PermissionDenied(_("This page is for signed-in residents."))
        return HttpResponseRedirect(sign_in_url(request.path))

    return wrapper


@require_GET
@resident_required
def inbox(request: HttpRequest, resident: User) -> HttpResponse:
    context = {"notifications": services.inbox(resident), "staff": False}
    return render(request, "notifications/inbox.html", context)


@login_required
@require_GET
def staff_inbox(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    context = {"notifications": services.inbox(user), "staff": True}
    return render(request, "notifications/inbox.html", context)


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    resident = signed_in_resident(request)
    if resident is not None:
        services.mark_read(resident, pk)
        return redirect("notifications:inbox")
    if not request.user.is_authenticated:
        return HttpResponseRedirect(sign_in_url(request.path))
    services.mark_read(_staff(request), pk)
    return redirect("notifications:staff_inbox")


def _change(form: PreferenceForm, current_openid: str) -> services.PreferenceChange:
    data = form.cleaned_data
    return services.PreferenceChange(
        language=Language(data["language"]),
        sms=data["sms"],
        email=data["email"],
        wechat=bool(data["wechat"]) and form.wechat_linked,
        email_address=data["email_address"] or "",
        wechat_openid=current_openid,
        quiet_start=data["quiet_start"],
        quiet_end=data["quiet_end"],
    )


@require_http_methods(["GET", "POST"])
@resident_required
def preferences(request: HttpRequest, resident: User) -> HttpResponse:
    assert resident.person is not None
    preference = services.preference_for(resident.person)
    openid = preference.wechat_openid or ""
    form = PreferenceForm(
        request.POST or None,
        initial=initial_for(preference),
        wechat_linked=bool(openid),
    )
    if request.method == "POST" and form.is_valid():
        services.update_preferences(resident, _change(form, openid))
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
