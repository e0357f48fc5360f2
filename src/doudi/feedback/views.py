"""Residents rate what they received and may complain; staff read the averages."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from doudi.feedback import queries
from doudi.feedback.forms import RatingForm
from doudi.feedback.models import Feedback
from doudi.feedback.services import RateLimited, submit_feedback
from doudi.feedback.subjects import find_subject, rateable
from doudi.portal.accounts import (
    assisting_worker,
    current_account,
    linked_household,
    portal_login_required,
)
from doudi.privacy.models import User
from doudi.registry.models import Household

logger = logging.getLogger(__name__)


def _household(request: HttpRequest) -> Household:
    account = current_account(request)
    household = linked_household(account) if account is not None else None
    if household is None:
        raise Http404
    return household


def _actor(request: HttpRequest) -> tuple[User, bool]:
    """Return who rates: the assisting worker, else the resident's user."""
    worker = assisting_worker(request)
    if worker is not None:
        return worker, True
    account = current_account(request)
    if account is None or account.user is None:
        raise Http404
    return account.user, False


@require_GET
@portal_login_required
def choose(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    household = linked_household(account) if account is not None else None
    if household is None:
        return render(request, "feedback/unlinked.html")
    return render(request, "feedback/choose.html", {"subjects": rateable(household)})


@require_http_methods(["GET", "POST"])
@portal_login_required
def rate(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    household = _household(request)
    subject = find_subject(household, kind, reference)
    form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        actor, assisted = _actor(request)
        try:
            feedback, _changed = submit_feedback(
                actor,
                household,
                subject,
                form.entry(),
                key=form.cleaned_data["key"],
                assisted=assisted,
                request=request,
            )
        except RateLimited:
            return render(request, "feedback/busy.html", status=429)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(reverse("feedback:sent", args=[feedback.pk]))
    context = {"form": form, "subject": subject}
    return render(request, "feedback/rate.html", context)


@require_GET
@portal_login_required
def sent(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request)
    feedback = (
        Feedback.objects.select_related("complaint")
        .filter(pk=pk, household=household)
        .first()
    )
    if feedback is None:
        raise Http404
    return render(request, "feedback/sent.html", {"feedback": feedback})


@require_GET
@login_required
def ratings(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not queries.may_read(user):
        raise PermissionDenied
    context = {
        "schemes": queries.by_scheme(user),
        "services": queries.by_service(user),
        "region": user.region,
    }
    return render(request, "feedback/ratings.html", context)
