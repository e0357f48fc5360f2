"""The start page: each role lands where its work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect

from doudi.cases.queries import can_use_queue
from doudi.privacy import access
from doudi.privacy.choices import Role
from doudi.privacy.models import User


@login_required
def home(request: HttpRequest) -> HttpResponseRedirect:
    user = request.user
    assert isinstance(user, User)
    return redirect(start_page(user))


def start_page(user: User) -> str:
    """Return the name of the first page the user's role may open."""
    if user.role == Role.DATA_OPERATOR and access.can_operate_exchange(user):
        return "exchange:batch_list"
    if can_use_queue(user):
        # Caseworkers, reviewers and approvers start from the cases waiting.
        return "cases:queue"
    if access.can_read_registry(user):
        return "registry:household_list"
    if access.can_read_audit(user):
        return "privacy:audit_log"
    return "registry:statistics"
