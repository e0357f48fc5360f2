"""Staff who must use a second factor reach nothing until they have."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from doudi.privacy.choices import Role
from doudi.privacy.models import User


class RequireVerifiedStaffMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and settings.OTP_REQUIRED
            and user.role != Role.RESIDENT
            and not user.is_verified()  # type: ignore[attr-defined]
        ):
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Sign in with your second factor.")}, status=401
                )
            return redirect("privacy:login")
        return self.get_response(request)
