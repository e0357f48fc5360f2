"""The signed-in resident of a request, and the portal's session keys.

A resident's portal session is separate from Django's staff sign-in: the
session stores the portal account's id under ACCOUNT_KEY. So a community
worker signed in as staff can serve a resident in assisted mode in the same
browser, and residents never pass through the staff second-factor check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Final, TypeVar, cast
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from doudi.portal.models import PortalAccount
from doudi.privacy.choices import Role
from doudi.privacy.models import User
from doudi.registry.models import Household, Membership

ACCOUNT_KEY: Final = "portal_account"
ASSISTED_BY_KEY: Final = "portal_assisted_by"
_CACHE_ATTRIBUTE: Final = "_portal_account"

View = TypeVar("View", bound=Callable[..., HttpResponse])


def current_account(request: HttpRequest) -> PortalAccount | None:
    """Return the resident signed in to the portal in this session, if any."""
    if hasattr(request, _CACHE_ATTRIBUTE):
        return cast(PortalAccount | None, getattr(request, _CACHE_ATTRIBUTE))
    account_id = request.session.get(ACCOUNT_KEY)
    account = None
    if isinstance(account_id, int):
        # The phone is decrypted only where a page shows it, and the person
        # is loaded on first use, because every portal request runs this.
        account = (
            PortalAccount.objects.select_related("user")
            .defer("phone")
            .filter(pk=account_id)
            .first()
        )
    setattr(request, _CACHE_ATTRIBUTE, account)
    return account


def linked_household(account: PortalAccount) -> Household | None:
    """Return the household the account's person belongs to now, if linked."""
    if account.person_id is None:
        return None
    membership = (
        Membership.objects.select_related("household__region")
        .filter(person_id=account.person_id, end_date__isnull=True)
        .first()
    )
    return membership.household if membership else None


def assisting_worker(request: HttpRequest) -> User | None:
    """Return the community worker serving the resident, in assisted mode.

    The worker must still be signed in as staff in this session; otherwise
    assisted mode has ended and the function returns None.
    """
    worker_id = request.session.get(ASSISTED_BY_KEY)
    user = request.user
    if worker_id is None or not isinstance(user, User):
        return None
    if user.pk != worker_id or user.role != Role.COMMUNITY_WORKER:
        return None
    return user


def sign_in_url(next_path: str) -> str:
    return reverse("portal:sign_in") + "?" + urlencode({"next": next_path})


def portal_login_required(view: View) -> View:
    """Send visitors without a portal session to the sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if current_account(request) is None:
            target = sign_in_url(request.path)
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=401)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)
        return view(request, *args, **kwargs)

    return cast(View, wrapper)
