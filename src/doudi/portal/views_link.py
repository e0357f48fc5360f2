"""The resident links their phone to their household by ID number and name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from doudi.portal import linking
from doudi.portal.accounts import current_account, portal_login_required
from doudi.portal.forms import IdentityForm


@require_http_methods(["GET", "POST"])
@portal_login_required
def link(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    assert account is not None
    if account.is_linked:
        return redirect("portal:home")
    form = IdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            linking.link_by_identity(
                account,
                form.cleaned_data["resident_id"],
                form.cleaned_data["name"],
                request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("portal:home")
    return render(request, "portal/link.html", {"form": form})
